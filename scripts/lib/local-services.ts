/**
 * Hermetic local MariaDB and etcd child processes for tests and the quick-start stack script.
 *
 * - Every instance lives under the caller's `baseDir` (MariaDB in `<baseDir>/mariadb`, etcd member
 *   NAME in `<baseDir>/etcd-NAME`), uses its own free loopback ports and never touches system
 *   services (a system etcd on 2379 or mysqld on 3306 is neither used nor stopped).
 * - MariaDB instances are copied from a template datadir created once per machine/version/uid with
 *   `mariadb-install-db` (root@127.0.0.1 with an empty password), cached in
 *   `os.tmpdir()/mizuflow-mariadb-template-<version>-v1-u<uid>` (override: MIZUFLOW_MARIADB_TEMPLATE_DIR).
 *   An existing `<baseDir>/mariadb/data` (or etcd data dir) is reused, so the stack keeps its data.
 * - startMariaDb/startEtcd/startEtcdCluster call ensureBinaries() for what they need.
 * - Child processes write stdout/stderr to log files next to their data dir. They are SIGKILLed when
 *   this Node process exits; on Linux they are also started via `setpriv --pdeathsig KILL` (when
 *   available) so they die even if Node itself is SIGKILLed.
 */
export type { ServiceHandle, MariaDbHandle, EtcdHandle } from './local-services/types';
export { ensureBinaries, requireBinary } from './local-services/binaries';
export { freePort } from './local-services/ports';
export { startMariaDb } from './local-services/mariadb';
export { startEtcd, startEtcdCluster } from './local-services/etcd';
