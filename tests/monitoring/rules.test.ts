// Prometheus' own rule unit tests (`promtool test rules`, promtool built by
// scripts/install-promtool.sh) on the groups the builder writes: every alert
// fires when it should and stays quiet when it should not (rule-cases.ts).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import { makeTempDir } from "../harness";
import { alertRuleGroups, type AlertRule, type MonitoredCluster } from "../../sdk/cluster/monitoring/rules";
import {
  DEFAULT_THRESHOLDS,
  resolveThresholds,
  type AlertThresholds,
} from "../../sdk/cluster/monitoring/thresholds";
import { CORE_CLUSTER, JS_CLUSTER, RULE_CASES, type AlertCheck, type ExpectedAlert } from "./rule-cases";
import { monitoringTool } from "./tools";

const run = promisify(execFile);

/** The annotations Prometheus renders for this alert: the rule's templates with the expected labels and value. */
function renderAnnotations(rule: AlertRule, expected: ExpectedAlert): Record<string, string> {
  const render = (template: string) =>
    template
      .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, name: string) => expected.labels[name] ?? "")
      .replace(/\{\{ \$value( \| humanize)? \}\}/g, () => {
        assert.ok(expected.value !== undefined, `${rule.alert}: its annotations print the value: give it`);
        return expected.value;
      });
  return { summary: render(rule.annotations.summary), description: render(rule.annotations.description) };
}

function ruleFor(rules: AlertRule[], check: AlertCheck, expected: ExpectedAlert): AlertRule {
  const rule = rules.find((r) => r.alert === check.alert && r.labels.severity === expected.labels.severity);
  assert.ok(rule, `no rule ${check.alert} with severity ${expected.labels.severity}`);
  return rule;
}

/** Writes the rule file (out of the builder) and promtool's test file for one cluster; returns the test file. */
function writeTests(dir: string, cluster: MonitoredCluster, thresholds: AlertThresholds): string {
  const groups = alertRuleGroups(cluster, thresholds);
  const rules = groups.flatMap((g) => g.rules);
  const rulesFile = `${cluster.release}-rules.yaml`;
  fs.writeFileSync(path.join(dir, rulesFile), YAML.stringify({ groups }));
  const tests = RULE_CASES.filter((c) => c.cluster === cluster).map((c) => ({
    name: c.name,
    interval: "1m",
    input_series: c.series,
    alert_rule_test: c.checks.map((check) => ({
      eval_time: check.at,
      alertname: check.alert,
      exp_alerts: check.expect.map((e) => ({
        // An empty label value is no label at all in Prometheus (the exporter's meta_leader="" is dropped).
        exp_labels: Object.fromEntries(Object.entries(e.labels).filter(([, v]) => v !== "")),
        exp_annotations: renderAnnotations(ruleFor(rules, check, e), e),
      })),
    })),
  }));
  const file = path.join(dir, `${cluster.release}-tests.yaml`);
  fs.writeFileSync(file, YAML.stringify({ rule_files: [rulesFile], evaluation_interval: "1m", tests }));
  return file;
}

async function promtool(files: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(monitoringTool("promtool"), ["test", "rules", ...files], {
      maxBuffer: 16 << 20,
    });
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    return { ok: false, output: `exit ${err.code}\n${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("monitoring: alert rules under promtool", function () {
  this.timeout(120_000);

  it("every alert (and each severity) has a case where it fires and one where it stays quiet", () => {
    for (const cluster of [JS_CLUSTER, CORE_CLUSTER]) {
      const checks = RULE_CASES.filter((c) => c.cluster === cluster).flatMap((c) => c.checks);
      for (const rule of alertRuleGroups(cluster, DEFAULT_THRESHOLDS).flatMap((g) => g.rules)) {
        const what = `${cluster.release}: ${rule.alert} (${rule.labels.severity})`;
        assert.ok(
          checks.some(
            (c) => c.alert === rule.alert && c.expect.some((e) => e.labels.severity === rule.labels.severity),
          ),
          `${what} never fires in rule-cases.ts`,
        );
        assert.ok(
          checks.some((c) => c.alert === rule.alert && c.expect.length === 0),
          `${what} is never checked quiet in rule-cases.ts`,
        );
      }
    }
  });

  it("promtool: each alert fires and stays quiet as rule-cases.ts says", async () => {
    const dir = makeTempDir("promtool-");
    const files = [JS_CLUSTER, CORE_CLUSTER].map((c) => writeTests(dir, c, DEFAULT_THRESHOLDS));
    const { ok, output } = await promtool(files);
    assert.ok(ok, output);
    assert.match(output, /SUCCESS/);
  });

  it("promtool: the thresholds given are the ones the rules use (a warning at 90% no longer fires at 85%)", async () => {
    const dir = makeTempDir("promtool-");
    const { thresholds, problems } = resolveThresholds({ storageWarningPercent: 90 });
    assert.deepEqual(problems, []);
    const { ok, output } = await promtool([writeTests(dir, JS_CLUSTER, thresholds)]);
    assert.equal(ok, false, "the 85% warning cases must fail with a 90% threshold");
    assert.match(output, /alertname: NatsServerFileStoreFull/);
  });
});
