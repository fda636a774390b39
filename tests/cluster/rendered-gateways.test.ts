// What the real nats chart 2.14.2 makes of a super-cluster member's values
// (gateway and leaf nodes). tests/cluster/rendered/chart-gateway-{aws,gcp}.yaml.txt
// are `helm template` output (helm v3.22, chart from nats-io/k8s tag
// nats-2.14.2) for values-gateway-*.json, which the first test keeps in step
// with the planner. Re-render with
//   helm template events-aws <k8s repo>/helm/charts/nats --namespace nats -f values-gateway-aws.json > chart-gateway-aws.yaml.txt
// The gateway blocks asserted here are the ones tests/gateways/super-cluster.test.ts
// runs on real servers (through the harness's gateway option, same keys; on
// loopback without `advertise`).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { withGatewayInputs } from "../../sdk/cluster/gateways/gateways";
import { plan } from "../../sdk/cluster/plan/plan";
import { memberArgs } from "../../sdk/cluster/gateways/super-cluster";
import { AWS_GATEWAY_HOST, GATEWAY_RENDER, GCP_GATEWAY_HOST } from "./rendered-gateways.fixture";

const RENDERED = path.join(__dirname, "../../../tests/cluster/rendered");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function docs(key: string): Any[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(RENDERED, `chart-gateway-${key}.yaml.txt`), "utf8"))
    .map((d) => d.toJS())
    .filter((d) => d != null);
}
/** nats.conf of the rendered ConfigMap, as JSON (the include lines and the env var dropped). */
function natsConf(key: string): Any {
  const cm = docs(key).find((d) => d.kind === "ConfigMap");
  const text: string = cm.data["nats.conf"];
  return JSON.parse(
    text
      .replace(/\$SERVER_NAME/, '"$SERVER_NAME"')
      .replace(/^\s*include .*;$/gm, "")
      .replace(/"max_file_store": (\w+),/, '"max_file_store": "$1",')
      // Without its include lines, a block ends in a trailing comma (cluster ends with the routes include).
      .replace(/,(\s*)}/g, "$1}"),
  );
}

describe("super-cluster members rendered by the real nats chart 2.14.2", () => {
  it("were rendered from exactly the values the planner produces today", () => {
    for (const m of GATEWAY_RENDER) {
      const p = plan(`events-${m.key}`, memberArgs(m.key, m.args, undefined));
      const stored = JSON.parse(fs.readFileSync(path.join(RENDERED, `values-gateway-${m.key}.json`), "utf8"));
      assert.deepEqual(
        withGatewayInputs(p.chart.values, m.remotes, m.advertise),
        stored,
        `values-gateway-${m.key}.json is stale`,
      );
    }
  });

  it("render each side's gateway block: its own name, the other side's address, mutual TLS from the shared CA", () => {
    const tls = {
      ca_file: "/etc/nats-certs/gateway/ca.crt",
      cert_file: "/etc/nats-certs/gateway/tls.crt",
      key_file: "/etc/nats-certs/gateway/tls.key",
      timeout: 5,
      verify: true,
    };
    const aws = natsConf("aws");
    const gcp = natsConf("gcp");
    assert.deepEqual(aws.gateway, {
      advertise: `${AWS_GATEWAY_HOST}:7222`,
      gateways: [{ name: "gcp", urls: [`nats://${GCP_GATEWAY_HOST}:7222`] }],
      name: "aws",
      port: 7222,
      reject_unknown_cluster: true,
      tls,
    });
    assert.deepEqual(gcp.gateway, {
      advertise: `${GCP_GATEWAY_HOST}:7222`,
      gateways: [{ name: "aws", urls: [`nats://${AWS_GATEWAY_HOST}:7222`] }],
      name: "gcp",
      port: 7222,
      reject_unknown_cluster: true,
      tls,
    });
    // The cluster name equals the gateway name (the server refuses them apart).
    assert.equal(aws.cluster.name, "aws");
    assert.equal(gcp.cluster.name, "gcp");
    assert.deepEqual(aws.leafnodes, { no_advertise: true, port: 7422 });
    assert.equal(gcp.leafnodes, undefined);
    for (const c of [aws, gcp])
      assert.ok(!JSON.stringify(c).match(/password/i), "no password in the ConfigMap");
  });

  it("render the gateway port on the pods and mount the gateway certificate Secret", () => {
    for (const key of ["aws", "gcp"]) {
      const sts = docs(key).find((d) => d.kind === "StatefulSet");
      const pod = sts.spec.template.spec;
      const nats = pod.containers.find((c: Any) => c.name === "nats");
      assert.ok(nats.ports.some((p: Any) => p.containerPort === 7222 && p.name === "gateway"));
      assert.ok(
        nats.volumeMounts.some(
          (m: Any) => m.mountPath === "/etc/nats-certs/gateway" && m.name === "gateway-tls",
        ),
      );
      assert.deepEqual(
        pod.volumes.find((v: Any) => v.name === "gateway-tls").secret.secretName,
        `events-${key}-gateway-tls`,
      );
      // The reloader watches the certificate, so a renewal is picked up without a restart.
      const reloader = pod.containers.find((c: Any) => c.name === "reloader");
      assert.ok(reloader.args.includes("/etc/nats-certs/gateway/tls.crt"));
    }
  });
});
