import client, { type Registry } from "prom-client";

/**
 * All MizuFlow metrics, `mizuflow_` prefixed, on the default registry. Each is fetched-or-created so
 * a Next.js dev reload or a second import never double-registers.
 */
const registry: Registry = client.register;

function getOrCreate<T>(name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const counter = (name: string, help: string, labelNames: string[] = []) =>
  getOrCreate(name, () => new client.Counter({ name, help, labelNames }));
const gauge = (name: string, help: string, labelNames: string[] = []) =>
  getOrCreate(name, () => new client.Gauge({ name, help, labelNames }));
const histogram = (name: string, help: string, buckets: number[], labelNames: string[] = []) =>
  getOrCreate(name, () => new client.Histogram({ name, help, buckets, labelNames }));

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const metrics = {
  // Relay and outbox
  outboxBacklog: gauge("mizuflow_outbox_backlog", "Outbox rows waiting to be published"),
  outboxOldestPendingSeconds: gauge("mizuflow_outbox_oldest_pending_seconds", "Age of the oldest pending outbox row"),
  outboxDeadLettered: gauge("mizuflow_outbox_dead_lettered", "Outbox rows in the dead-letter state"),
  relayPublished: counter("mizuflow_relay_published_total", "Outbox rows published by the relay", ["outcome"]),
  relayPublishFailures: counter("mizuflow_relay_publish_failures_total", "Failed publish attempts", ["kind"]),
  relayPublishSeconds: histogram("mizuflow_relay_publish_seconds", "Time to publish one relay batch to etcd", LATENCY_BUCKETS),
  commitToEtcdSeconds: histogram("mizuflow_commit_to_etcd_seconds", "Commit to etcd-publish latency", LATENCY_BUCKETS, ["path"]),
  valueWriteBatchSize: histogram(
    "mizuflow_value_write_batch_size",
    "Flag value writes committed together in one group-commit transaction",
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  ),
  valueWriteQueueSeconds: histogram(
    "mizuflow_value_write_queue_seconds",
    "Time a flag value write waited for its group-commit batch to start",
    LATENCY_BUCKETS,
  ),
  valueWriteBatchSeconds: histogram(
    "mizuflow_value_write_batch_seconds",
    "Duration of one group-commit transaction, first statement to commit",
    LATENCY_BUCKETS,
  ),
  immediatePublished: counter("mizuflow_immediate_published_total", "Rows published by the write path itself", ["outcome"]),
  relayDeadLetteredTotal: counter("mizuflow_relay_dead_lettered_total", "Outbox rows the relay moved to the dead-letter state"),
  relayUnavailableBackoffs: counter("mizuflow_relay_etcd_unavailable_total", "Relay batches deferred because etcd was unreachable"),
  commitOutcomeChecks: counter("mizuflow_commit_outcome_checks_total", "Writes whose COMMIT got no reply, by what the check on a fresh connection found", ["outcome"]),
  outboxPruned: counter("mizuflow_outbox_pruned_total", "Published outbox rows deleted after the retention period"),
  // Reconciler and leadership
  reconcilerRepairs: counter("mizuflow_reconciler_repairs_total", "Repairs made by the reconciler", ["kind"]),
  reconcilerRuns: counter("mizuflow_reconciler_runs_total", "Reconciler passes", ["result"]),
  reconcilerEtcdAhead: gauge("mizuflow_reconciler_etcd_ahead_keys", "Keys where etcd held a newer version than MySQL in the last pass"),
  reconcilerSeconds: histogram("mizuflow_reconciler_run_seconds", "Duration of a reconciler pass", [0.01, 0.05, 0.1, 0.5, 1, 5, 30]),
  isLeader: gauge("mizuflow_worker_is_leader", "1 while this worker holds leadership"),
  leadershipChanges: counter("mizuflow_worker_leadership_changes_total", "Times this worker gained or lost leadership", ["event"]),
  // Delivery
  streamsRefused: counter("mizuflow_streams_refused_total", "SDK stream requests refused before opening", ["transport", "reason"]),
  openStreams: gauge("mizuflow_sdk_open_streams", "Open SDK streams", ["transport"]),
  eventsPushed: counter("mizuflow_sdk_events_pushed_total", "Events written to SDK streams", ["transport", "event"]),
  propagationSeconds: histogram("mizuflow_propagation_seconds", "Commit to push latency of flag changes", LATENCY_BUCKETS, ["transport"]),
  slowConsumerDisconnects: counter("mizuflow_sdk_slow_consumer_disconnects_total", "Streams cut for falling behind", ["transport"]),
  hubLagRevisions: gauge("mizuflow_hub_lag_revisions", "Revisions the watch hub is behind etcd"),
  sdkReports: counter("mizuflow_sdk_reports_total", "SDK revision reports received, by outcome", ["transport", "outcome"]),
  pendingConnectionsClosed: counter("mizuflow_stream_server_pending_connections_closed_total", "Connections with no request in service closed to keep the stream server's cap (a flood of idle or slow clients)"),
  sdkKeyLookups: counter("mizuflow_sdk_key_lookups_total", "SDK key verifications that queried MySQL, by result", ["result"]),
  sdkReportedClients: gauge("mizuflow_sdk_reported_clients", "SDK clients in this process's presence table (reported within 25 s)", ["transport"]),
  // HTTP
  httpRequestSeconds: histogram("mizuflow_http_request_seconds", "HTTP request duration", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], ["route", "method", "status"]),
};

export { registry };

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
