// The alert thresholds: their documented defaults and the check of user values.
// Why each default is what it is: docs/monitoring.md ("Alerts").

/** Thresholds of the alert rules; every field optional, defaults below. */
export interface AlertThresholdArgs {
  /** A JetStream store (per server or per account) above this % of its limit: warning. @default 80 */
  storageWarningPercent?: number;
  /** A JetStream store above this % of its limit: critical (the server refuses writes at 100%). @default 95 */
  storageCriticalPercent?: number;
  /** A stream above this % of its maxBytes or maxMsgs: warning. @default 90 */
  streamLimitPercent?: number;
  /** How long a consumer's pending, ack-pending or redelivered count must keep growing before the alert. @default 10 */
  consumerGrowthMinutes?: number;
  /** Pending (undelivered) messages below this are not lag worth waking anyone for. @default 1000 */
  consumerPendingFloor?: number;
  /** Ack-pending below this is not alerted (half of the server's default maxAckPending 1000). @default 500 */
  ackPendingFloor?: number;
  /** Messages pending redelivery below this are not alerted. @default 100 */
  redeliveredFloor?: number;
  /** How long a server must be down (or a route missing, or the cluster short of servers) before the alert. @default 2 */
  serverDownMinutes?: number;
}

export type AlertThresholds = Required<AlertThresholdArgs>;

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  storageWarningPercent: 80,
  storageCriticalPercent: 95,
  streamLimitPercent: 90,
  consumerGrowthMinutes: 10,
  consumerPendingFloor: 1000,
  ackPendingFloor: 500,
  redeliveredFloor: 100,
  serverDownMinutes: 2,
};

const PERCENTS: (keyof AlertThresholds)[] = [
  "storageWarningPercent",
  "storageCriticalPercent",
  "streamLimitPercent",
];

/** Defaults filled in; each wrong value reported as [field, message] (fields relative to `thresholds`). */
export function resolveThresholds(args: AlertThresholdArgs | undefined): {
  thresholds: AlertThresholds;
  problems: [string, string][];
} {
  const problems: [string, string][] = [];
  const given = (args ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given))
    if (!(k in DEFAULT_THRESHOLDS))
      problems.push([k, `is not a threshold (thresholds: ${Object.keys(DEFAULT_THRESHOLDS).join(", ")}).`]);
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as (keyof AlertThresholds)[]) {
    const v = given[key];
    if (v === undefined) continue;
    const percent = PERCENTS.includes(key);
    const ok =
      typeof v === "number" &&
      Number.isFinite(v) &&
      (percent ? v > 0 && v <= 100 : Number.isInteger(v) && v >= (key.endsWith("Minutes") ? 1 : 0));
    if (!ok) {
      problems.push([
        key,
        percent
          ? `must be a percentage above 0 and at most 100, got ${JSON.stringify(v)}.`
          : `must be a whole number${key.endsWith("Minutes") ? " of minutes, at least 1" : ", 0 or more"}, got ${JSON.stringify(v)}.`,
      ]);
      continue;
    }
    thresholds[key] = v;
  }
  if (thresholds.storageWarningPercent >= thresholds.storageCriticalPercent)
    problems.push([
      "storageWarningPercent",
      `(${thresholds.storageWarningPercent}) must be below storageCriticalPercent (${thresholds.storageCriticalPercent}).`,
    ]);
  return { thresholds, problems };
}
