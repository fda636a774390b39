// Bad args are refused before anything is created, with every problem
// reported at once and each naming its field.
import assert from "node:assert/strict";
import type { NatsClusterArgs } from "../../sdk/cluster/args";
import { NatsClusterArgsError } from "../../sdk/cluster/errors";
import { plan } from "../../sdk/cluster/plan/plan";
import { awsArgs, GCP_ZONES, ZONES } from "./fixtures";

function issues(args: unknown, name = "events"): Record<string, string> {
  try {
    plan(name, args as NatsClusterArgs);
  } catch (e) {
    assert.ok(e instanceof NatsClusterArgsError, String(e));
    const out: Record<string, string> = {};
    for (const i of e.issues) out[i.path] = out[i.path] ? `${out[i.path]} | ${i.message}` : i.message;
    return out;
  }
  assert.fail("plan() accepted the args");
}

describe("NatsCluster args validation", () => {
  it("reports every problem at once, each with its field path", () => {
    const found = issues(
      awsArgs({
        resources: "huge" as never,
        replicas: 4,
        jetstream: { fileStorage: "20 gigs", memoryStorage: "2GB!" },
        chart: { values: { config: { jetstream: { memStorage: "1Gi" } } } },
      }),
    );
    assert.deepEqual(Object.keys(found).sort(), [
      "chart.values.config.jetstream.memStorage",
      "jetstream.fileStorage",
      "jetstream.memoryStorage",
      "replicas",
      "resources",
      "zones",
    ]);
    assert.match(
      found.resources,
      /unknown preset "huge": use one of nano, micro, small, medium, large, xlarge, 2xlarge/,
    );
    assert.match(found.replicas, /4 is even.*use 3 or 5/);
    assert.match(found["jetstream.fileStorage"], /"20 gigs" is not a size/);
    assert.match(found["jetstream.memoryStorage"], /"2GB!" is not a size/);
    assert.match(found.zones, /3 zone\(s\) for 4 replicas/);
    assert.match(
      found["chart.values.config.jetstream.memStorage"],
      /not a key of the nats chart 2\.14\.2.*Use config\.jetstream\.memoryStore\.maxSize/,
    );
  });

  it("puts every issue in the error message", () => {
    assert.throws(
      () => plan("events", awsArgs({ replicas: 2, resources: "huge" as never })),
      (e: Error) => {
        assert.match(e.message, /NatsCluster "events": 2 invalid argument\(s\)/);
        assert.match(e.message, /- replicas: 2 is even/);
        assert.match(e.message, /- resources: unknown preset "huge"/);
        return true;
      },
    );
  });

  it("refuses fewer zones than replicas, and accepts them with a warning when allowed", () => {
    const found = issues(awsArgs({ zones: ["us-east-1a", "us-east-1b"], replicas: 3 }));
    assert.match(
      found.zones,
      /2 zone\(s\) for 3 replicas.*at most 2 replica\(s\).*placement\.allowFewerZonesThanReplicas/,
    );
    const p = plan(
      "events",
      awsArgs({ zones: ["us-east-1a", "us-east-1b"], placement: { allowFewerZonesThanReplicas: true } }),
    );
    assert.equal(p.warnings.filter((w) => w.startsWith("zones:")).length, 1);
  });

  it("refuses even replica counts and out-of-range ones", () => {
    assert.match(issues(awsArgs({ replicas: 2 })).replicas, /even/);
    assert.match(issues(awsArgs({ replicas: 0, zones: ZONES })).replicas, /from 1 to 99/);
    assert.match(issues(awsArgs({ replicas: 2.5 })).replicas, /from 1 to 99/);
  });

  it("refuses malformed sizes and CPU quantities in explicit resources", () => {
    const found = issues(
      awsArgs({
        resources: { requests: { cpu: "two", memory: "4GiB" }, limits: { cpu: "1", memory: "2Gi" } },
        jetstream: { fileStorage: "500Mi", fileStoreMaxPercent: 120 },
      }),
    );
    assert.match(found["resources.requests.cpu"], /"two" is not a CPU quantity/);
    assert.match(found["resources.requests.memory"], /"4GiB" is not a memory size/);
    assert.match(found["jetstream.fileStorage"], /below 1Gi/);
    assert.match(found["jetstream.fileStoreMaxPercent"], /from 50 to 100/);
    const low = issues(
      awsArgs({ resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "1", memory: "2Gi" } } }),
    );
    assert.match(low["resources.limits.cpu"], /1 is below the request 2/);
    assert.match(low["resources.limits.memory"], /2Gi is below the request 4Gi/);
  });

  it("refuses unknown raw values keys, naming each, with tutorial mistakes caught", () => {
    const found = issues(
      awsArgs({
        chart: {
          values: {
            config: { jetstream: { fileStorage: { size: "1Gi" } }, serverTags: ["az:a"] },
            podTemplate: { nodeSelector: {}, affinity: {}, tolerations: [] },
            natsBox: { container: { image: { resources: {} } } },
            container: { patch: { op: "add" } },
          },
        },
      }),
    );
    for (const k of [
      "config.jetstream.fileStorage",
      "config.serverTags",
      "podTemplate.nodeSelector",
      "podTemplate.affinity",
      "podTemplate.tolerations",
    ])
      assert.match(
        found[`chart.values.${k}`],
        /is not a key of the nats chart 2\.14\.2 .*\. (Use|NatsCluster)/,
        k,
      );
    assert.match(
      found["chart.values.natsBox.container.image.resources"],
      /use natsBox\.container\.resources/,
    );
    assert.match(found["chart.values.container.patch"], /must be a list/);
  });

  it("refuses platform blocks that contradict each other", () => {
    assert.match(
      issues(awsArgs({ platform: { aws: {}, gcp: {} } })).platform,
      /aws and gcp blocks, which contradict each other/,
    );
    assert.match(issues(awsArgs({ platform: {} })).platform, /no platform block/);
    assert.match(issues({ zones: ZONES }).platform, /is required/);
    const aws = issues(
      awsArgs({
        platform: {
          aws: {
            existingClusterName: "prod",
            vpcCidr: "10.1.0.0/16",
            kubernetesVersion: "1.33",
            systemNodes: false,
          },
        },
      }),
    );
    assert.match(aws["platform.aws.vpcCidr"], /contradicts existingClusterName/);
    assert.match(aws["platform.aws.kubernetesVersion"], /contradicts existingClusterName/);
    assert.match(aws["platform.aws.systemNodes"], /contradicts existingClusterName/);
    assert.match(aws["platform.aws.subnetIds"], /required with existingClusterName/);
    const subnets = issues(
      awsArgs({
        platform: {
          aws: { subnetIds: { "us-east-1a": "subnet-a", "us-east-1d": "subnet-d" }, vpcCidr: "10.0.0.0/16" },
        },
      }),
    );
    assert.match(subnets["platform.aws.subnetIds"], /no subnet for zone\(s\) us-east-1b, us-east-1c/);
    assert.match(subnets['platform.aws.subnetIds["us-east-1d"]'], /not in zones/);
    assert.match(subnets["platform.aws.vpcCidr"], /contradicts subnetIds/);
    const gcp = issues(
      awsArgs({
        zones: GCP_ZONES,
        platform: { gcp: { existingCluster: { name: "c", location: "europe-west1" }, network: "vpc" } },
      }),
    );
    assert.match(gcp["platform.gcp.network"], /contradicts existingCluster/);
    const k8s = issues(
      awsArgs({ platform: { kubernetes: { kubeconfig: "apiVersion: v1", provider: {} as never } } }),
    );
    assert.match(k8s["platform.kubernetes"], /both provider and kubeconfig/);
    const pf = issues(awsArgs({ platform: { kubernetes: { provider: {} as never } } }));
    assert.match(pf["platform.kubernetes.provider"], /port-forward access needs the kubeconfig/);
  });

  it("refuses zones that do not fit the platform", () => {
    assert.match(issues(awsArgs({ zones: GCP_ZONES }))["zones[0]"], /not a AWS zone name/);
    assert.match(
      issues(awsArgs({ zones: ["us-east-1a", "us-west-2a", "us-east-1b"] })).zones,
      /span regions us-east-1, us-west-2/,
    );
    assert.match(
      issues(awsArgs({ zones: ["us-east-1a", "us-east-1a", "us-east-1b"] })).zones,
      /us-east-1a more than once/,
    );
    assert.match(
      issues(awsArgs({ zones: ["us-east-1a"], replicas: 1 })).zones,
      /at least 2 zones for its control plane/,
    );
    assert.match(issues(awsArgs({ zones: [] })).zones, /non-empty list/);
  });

  it("refuses unknown fields, bad enums and inconsistent access, TLS and monitoring settings", () => {
    const found = issues({
      ...awsArgs(),
      replica: 3,
      reclaimPolicy: "Keep",
      service: { type: "NodePort" },
      access: { mode: "url" },
      tls: { secretName: "x" },
      monitoring: { podMonitor: true },
      placement: { zoneSpread: "strict" },
      jetstream: { fileStorage: "20Gi", memStorage: "1Gi" },
      readyTimeout: "five minutes",
    });
    assert.match(found.replica, /not an argument of NatsCluster/);
    assert.match(found["jetstream.memStorage"], /not a field of jetstream/);
    assert.match(found.reclaimPolicy, /one of "Retain", "Delete", got "Keep"/);
    assert.match(found["service.type"], /one of "ClusterIP", "InternalLoadBalancer"/);
    assert.match(found["access.url"], /required with access.mode "url"/);
    assert.match(found["tls.secretName"], /neither tls.client nor tls.routes/);
    assert.match(found["monitoring.podMonitor"], /needs monitoring.prometheusExporter/);
    assert.match(found["placement.zoneSpread"], /one of "hard", "soft"/);
    assert.match(found.readyTimeout, /duration/);
    const lb = issues(awsArgs({ access: { mode: "loadBalancer" }, tls: { client: true, secretName: "t" } }));
    assert.match(lb["access.mode"], /needs service.type "InternalLoadBalancer"/);
    assert.match(lb["tls.caCert"], /required with tls.secretName and tls.client/);
  });

  it("refuses names that cannot become Kubernetes names", () => {
    assert.match(issues(awsArgs(), "Events_Prod")["name (from the component name)"], /DNS label/);
    assert.match(issues(awsArgs({ name: "x".repeat(52) })).name, /at most 51 characters/);
    assert.match(issues(awsArgs({ namespace: "My NS" })).namespace, /DNS label/);
    assert.match(
      issues(awsArgs({ auth: { appAccount: "SYS", appUser: "sys" } }))["auth.appAccount"],
      /other than SYS/,
    );
  });

  it("warns when a node is too small for one server, and never for the default machine types", () => {
    const small = plan("events", awsArgs({ platform: { aws: { nodes: { instanceType: "m6i.large" } } } }));
    assert.ok(
      small.warnings.some((w) => /^platform\.aws\.nodes\.instanceType: m6i\.large has 2 vCPU/.test(w)),
    );
    const gcp = plan(
      "events",
      awsArgs({ zones: GCP_ZONES, platform: { gcp: { nodes: { machineType: "n2-standard-2" } } } }),
    );
    assert.ok(
      gcp.warnings.some((w) => /^platform\.gcp\.nodes\.machineType: n2-standard-2 has 2 vCPU/.test(w)),
    );
    for (const preset of ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"] as const) {
      for (const p of [
        plan("events", awsArgs({ resources: preset, jetstream: {} })),
        plan(
          "events",
          awsArgs({ resources: preset, jetstream: {}, zones: GCP_ZONES, platform: { gcp: {} } }),
        ),
      ])
        assert.deepEqual(p.warnings, [], preset);
    }
  });
});
