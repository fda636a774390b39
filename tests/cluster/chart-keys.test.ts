// The key check itself: real keys pass, free-form sections accept anything of
// the right shape, invented keys are named with a hint, and the merge used for
// raw values keeps the component's JSON Patch ops.
import assert from "node:assert/strict";
import { checkChartKeys, mergeValues } from "../../sdk/cluster/chart/keys";

describe("chart key validation (nats chart 2.14.2)", () => {
  it("accepts real keys at every depth, including null-default keys with any value", () => {
    assert.deepEqual(
      checkChartKeys({
        nameOverride: "x",
        config: {
          cluster: { routeURLs: { user: "u", useFQDN: true } },
          websocket: { ingress: { hosts: ["a"] } },
        },
        container: { image: { tag: "2.14.2-alpine" }, ports: { nats: { hostPort: 4222 } } },
        statefulSet: { name: "n" },
        tlsCA: { enabled: true, configMapName: "ca" },
      }),
      [],
    );
  });

  it("accepts anything inside free-form sections, and templated values anywhere", () => {
    assert.deepEqual(
      checkChartKeys({
        config: { merge: { anything: { deep: [1, 2] } }, jetstream: { merge: { domain: "x" } } },
        podTemplate: {
          merge: { spec: { priorityClassName: "p" } },
          topologySpreadConstraints: { "kubernetes.io/hostname": { maxSkew: 2 } },
        },
        container: {
          env: { FOO: "1", BAR: { valueFrom: { secretKeyRef: { name: "s", key: "k" } } } },
          resources: { limits: { cpu: "1" } },
        },
        global: { labels: { team: "x" } },
        service: { ports: { nats: { nodePort: 30422 } } },
        natsBox: {
          contexts: { admin: { creds: { secretName: "c" } } },
          container: { resources: { limits: { memory: "64Mi" } } },
        },
        extraResources: [{ apiVersion: "v1", kind: "ConfigMap" }],
        serviceAccount: { name: { $tplYaml: "{{ .Release.Name }}" } },
      }),
      [],
    );
  });

  it("refuses wrong shapes: a map where a list goes, a scalar where a section goes, an object where a scalar goes", () => {
    assert.deepEqual(
      checkChartKeys({
        podTemplate: { patch: { op: "add" } },
        config: { jetstream: "on", monitor: { port: { n: 1 } } },
        global: { image: { pullSecretNames: "regcred" } },
      }).map((p) => `${p.path}: ${p.message}`),
      [
        "podTemplate.patch: must be a list.",
        "config.jetstream: is a section of the chart's values and must be a map.",
        'config.monitor.port: must be a number, like its default 8222, got {"n":1}.',
        "global.image.pullSecretNames: must be a list.",
      ],
    );
  });

  it("names invented keys with where the setting really lives", () => {
    const msgs = Object.fromEntries(
      checkChartKeys({
        config: { jetstream: { maxFileStore: "1Gi" }, serverTags: [] },
        podTemplate: { nodeSelector: {} },
        natsbox: { enabled: false },
      }).map((p) => [p.path, p.message]),
    );
    assert.match(
      msgs["config.jetstream.maxFileStore"],
      /not a key.*Keys here: enabled, fileStore, memoryStore, merge, patch\.|Did you mean/,
    );
    assert.match(msgs["config.serverTags"], /tags each server az:<zone> itself/);
    assert.match(msgs["podTemplate.nodeSelector"], /podTemplate\.merge\.spec\.nodeSelector/);
    assert.match(msgs.natsbox, /Did you mean natsBox\?/);
  });

  it("merges like the chart (maps merge, lists replace) but appends patch lists", () => {
    assert.deepEqual(
      mergeValues(
        { a: { b: 1, c: [1] }, x: { patch: [{ op: "add", path: "/a" }] } },
        { a: { c: [2], d: 3 }, x: { patch: [{ op: "add", path: "/b" }] } },
      ),
      {
        a: { b: 1, c: [2], d: 3 },
        x: {
          patch: [
            { op: "add", path: "/a" },
            { op: "add", path: "/b" },
          ],
        },
      },
    );
  });
});
