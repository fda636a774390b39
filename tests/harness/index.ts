// The test harness: real nats-server processes on 127.0.0.1 for tests.
// See tests/harness/README.md.
export { binaries, repoRoot, type NatsBinaries } from "./binaries";
export { freePort, freePorts, isPortFree } from "./ports";
export {
  startServer,
  NatsServer,
  PortInUseError,
  type ServerOptions,
  type CommonServerOptions,
  type TlsOptions,
  type Readiness,
  type ServerPorts,
  type JszInfo,
} from "./server";
export {
  startCluster,
  NatsCluster,
  gatewayUrlsFor,
  waitForSuperCluster,
  type ClusterOptions,
} from "./cluster";
export { type Auth, type AuthOptions } from "./auth";
export { awaitStreamInterest } from "./interest";
export { generateTls, sharedTls, type TlsMaterial, type CertKeyPair } from "./tls";
export type { Size, TlsSettings, GatewaySpec } from "./config";
export { natsCli, NatsCliError, type CliOptions, type CliTarget } from "./cli";
export {
  cleanupAll,
  sweepStaleTempDirs,
  isProcessAlive,
  makeTempDir,
  trackedCounts,
  TEMP_PREFIX,
  type CleanupReport,
} from "./registry";
export { getJson, waitFor, sleep, type HttpAnswer } from "./wait";
export type { NatsConnection } from "./nats-types";
