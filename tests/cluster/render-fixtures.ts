// Re-renders the committed chart fixtures in tests/cluster/rendered/: writes
// each values-*.json from the planner as it is today, then runs
// `helm template` of the nats chart 2.14.2 (/work/shared/charts, or
// $NATS_CHART) on it into chart-*.yaml.txt. Not a test: run it after a change
// to the chart values, then review the diff of the rendered objects.
//   scripts/install-helm.sh && npx tsc -p . && node bin/tests/cluster/render-fixtures.js
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { withGatewayInputs } from "../../sdk/cluster/gateways/gateways";
import { memberArgs } from "../../sdk/cluster/gateways/super-cluster";
import { plan } from "../../sdk/cluster/plan/plan";
import { awsArgs, TLS_ARGS } from "./fixtures";
import { GATEWAY_RENDER } from "./rendered-gateways.fixture";

const ROOT = path.join(__dirname, "../../..");
const RENDERED = path.join(ROOT, "tests/cluster/rendered");
const CHART = process.env.NATS_CHART ?? "/work/shared/charts/nats-2.14.2.tgz";
const HELM = path.join(ROOT, ".cache/bin/helm");

const renders: { key: string; release: string; values: Record<string, unknown> }[] = [
  { key: "aws", release: "events", values: plan("events", awsArgs()).chart.values },
  { key: "tls", release: "events", values: plan("events", TLS_ARGS).chart.values },
  ...GATEWAY_RENDER.map((m) => ({
    key: `gateway-${m.key}`,
    release: `events-${m.key}`,
    values: withGatewayInputs(
      plan(`events-${m.key}`, memberArgs(m.key, m.args, undefined)).chart.values,
      m.remotes,
      m.advertise,
    ) as Record<string, unknown>,
  })),
];

for (const r of renders) {
  const valuesFile = path.join(RENDERED, `values-${r.key}.json`);
  fs.writeFileSync(valuesFile, JSON.stringify(r.values, null, 2) + "\n");
  const out = spawnSync(HELM, ["template", r.release, CHART, "--namespace", "nats", "-f", valuesFile], {
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`helm template ${r.key}: ${out.stderr}`);
  fs.writeFileSync(path.join(RENDERED, `chart-${r.key}.yaml.txt`), out.stdout);
  console.log(`rendered ${r.key}`);
}
