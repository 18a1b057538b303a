/** Free loopback ports, and retrying a start with fresh ports when another process grabbed one. */
import * as net from 'node:net';
import { StartupError } from './managed-process';

export const AUTO_PORT_ATTEMPTS = 4;

const recentlyIssuedPorts = new Set<number>();

function bindEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** A currently free TCP port on 127.0.0.1 (never the same one twice in this process). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await bindEphemeralPort();
    if (!recentlyIssuedPorts.has(port)) {
      recentlyIssuedPorts.add(port);
      return port;
    }
  }
  throw new Error('freePort(): could not find an unused port');
}

/** Runs `start` with auto-chosen ports, retrying with fresh ports if another process grabbed one. */
export async function startWithPortRetry(autoPorts: boolean, start: (attempt: number) => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await start(attempt);
      return;
    } catch (err) {
      if (autoPorts && err instanceof StartupError && err.addressInUse && attempt + 1 < AUTO_PORT_ATTEMPTS) continue;
      throw err;
    }
  }
}
