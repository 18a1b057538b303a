import type { Server } from "node:http";
import { ConnectionGuard, DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_PENDING_GRACE_MS } from "./connection-guard";

/**
 * How long a client of the public stream-server port may take, and how many may be waiting at
 * once. The deadlines apply to receiving a REQUEST, never to a response: node:http removes a
 * connection from its request-deadline check once the request is complete (for a GET, right after
 * its headers), so an SDK stream lives as long as it likes while a POST that trickles its body is
 * cut off (408 and the connection closed).
 */
export interface ClientLimits {
  /** From the first byte of a request until its headers are complete (slowloris). */
  headersTimeoutMs: number;
  /** From the first byte of a request until its body is complete (slow bodies). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** Connections with no request in service: still sending headers, or idle (connection-guard.ts). */
  maxPendingConnections: number;
  /** How long a new or newly idle connection is safe from that cap (connection-guard.ts). */
  pendingGraceMs: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  headersTimeoutMs: 10_000,
  // The largest admin API body (256 KiB) in 15 s is ~17 KiB/s: any automation client manages.
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxPendingConnections: DEFAULT_MAX_PENDING_CONNECTIONS,
  pendingGraceMs: DEFAULT_PENDING_GRACE_MS,
};

function resolve(partial: Partial<ClientLimits> | undefined): ClientLimits {
  const limits = { ...DEFAULT_CLIENT_LIMITS, ...partial };
  // node:http refuses a headers deadline past the request deadline (it would never fire).
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) limits.headersTimeoutMs = limits.requestTimeoutMs;
  return limits;
}

/**
 * How often node:http looks for connections past their deadline. Its default (30 s) would let a
 * 10 s deadline hold a connection for up to 40 s; a check a second costs a walk over the
 * connections that are still receiving a request.
 */
export function checkingIntervalMs(partial: Partial<ClientLimits> | undefined): number {
  const limits = resolve(partial);
  return Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)));
}

/**
 * Sets the deadlines and installs the connection guard. Sockets beyond the stream cap, the pending
 * cap and some head-room are refused at accept, before they can exhaust file descriptors; below
 * that, the guard closes the oldest pending connections to make room, so new clients get in.
 */
export function applyClientLimits(server: Server, maxStreams: number, partial: Partial<ClientLimits> | undefined): ConnectionGuard {
  const limits = resolve(partial);
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Room above the guard's cap for admin API calls in service and for arrivals still in their
  // grace period, so the guard, not accept, decides who goes.
  server.maxConnections = maxStreams + limits.maxPendingConnections + 100;
  const guard = new ConnectionGuard(limits.maxPendingConnections, limits.pendingGraceMs);
  guard.attach(server);
  return guard;
}
