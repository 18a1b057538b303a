/** Public handle types returned by startMariaDb / startEtcd / startEtcdCluster. */

export interface ServiceHandle {
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** SIGTERM, wait for exit (fallback SIGKILL after 5 s). No-op when not running. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit (simulates a crash). No-op when not running. */
  kill(): Promise<void>;
  /** Start again on the SAME port and data dir and wait until ready (stops gracefully first if running). */
  restart(): Promise<void>;
}

export interface MariaDbHandle extends ServiceHandle {
  readonly port: number;
  readonly database: string;
  /** mysql://root@127.0.0.1:PORT/DB */
  readonly url: string;
}

export interface EtcdHandle extends ServiceHandle {
  readonly port: number;
  /** ["http://127.0.0.1:PORT"] */
  readonly endpoints: string[];
}
