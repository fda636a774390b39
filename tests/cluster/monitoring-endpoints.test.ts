// The component's monitoringEndpoints output against what the real nats chart
// 2.14.2 rendered for the same args (tests/cluster/rendered/, see
// rendered-chart.test.ts): the Service and port a probe or Prometheus reaches,
// the exporter's port, and the PodMonitor's name.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { plan } from "../../sdk/cluster/plan/plan";
import { awsArgs, TLS_ARGS } from "./fixtures";

const RENDERED = path.join(__dirname, "../../../tests/cluster/rendered");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = { kind: string; metadata: { name: string }; spec: any };
function rendered(file: string): Doc[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(RENDERED, file), "utf8"))
    .map((d) => d.toJS() as Doc)
    .filter((d) => d != null);
}

describe("NatsCluster monitoringEndpoints", () => {
  it("names the objects and ports the chart rendered: exporter and PodMonitor on", () => {
    const endpoints = plan("events", TLS_ARGS).monitoringEndpoints;
    const docs = rendered("chart-tls.yaml.txt");
    const service = docs.find((d) => d.kind === "Service" && d.metadata.name === endpoints.service);
    assert.ok(service, `no Service ${endpoints.service} rendered`);
    const port = service.spec.ports.find((p: { name: string }) => p.name === endpoints.portName);
    assert.equal(port?.port, endpoints.port, "the monitoring port on that Service");
    assert.equal(service.spec.clusterIP, "None", "one DNS name per server");

    const podMonitors = docs.filter((d) => d.kind === "PodMonitor");
    assert.deepEqual(
      podMonitors.map((d) => d.metadata.name),
      [endpoints.podMonitorName],
    );
    assert.deepEqual(podMonitors[0].spec.podMetricsEndpoints, [{ port: endpoints.metricsPortName }]);

    const statefulSet = docs.find((d) => d.kind === "StatefulSet");
    const containerPorts = statefulSet?.spec.template.spec.containers.flatMap(
      (c: { ports?: { name: string; containerPort: number }[] }) => c.ports ?? [],
    );
    const metrics = containerPorts.find((p: { name: string }) => p.name === endpoints.metricsPortName);
    assert.equal(metrics?.containerPort, endpoints.metricsPort, "the exporter's container port");
    const monitor = containerPorts.find((p: { name: string }) => p.name === endpoints.portName);
    assert.equal(monitor?.containerPort, endpoints.port);
    assert.equal(endpoints.metricsPath, "/metrics");
  });

  it("leaves out the exporter and the PodMonitor when they are off, as the chart does", () => {
    const endpoints = plan("events", awsArgs()).monitoringEndpoints;
    assert.deepEqual(endpoints, { service: "events-headless", port: 8222, portName: "monitor" });
    assert.equal(
      rendered("chart-aws.yaml.txt").filter((d) => d.kind === "PodMonitor").length,
      0,
      "the chart rendered no PodMonitor",
    );
    const exporterOnly = plan("events", awsArgs({ monitoring: { prometheusExporter: true } }));
    assert.equal(exporterOnly.monitoringEndpoints.metricsPort, 7777);
    assert.equal(exporterOnly.monitoringEndpoints.podMonitorName, undefined);
  });
});
