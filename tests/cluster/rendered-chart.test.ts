// What the real chart makes of our values, and what a real nats-server makes
// of the result. tests/cluster/rendered/ holds `helm template` output of the
// nats chart 2.14.2 (nats-io/k8s tag nats-2.14.2, helm v3.22 built from the
// Go module proxy) for the values in values-*.json, kept as .yaml.txt so that
// formatters leave helm's output byte for byte. The first test fails when
// the planner's values drift from those files: re-render them with
//   helm template events <k8s repo>/helm/charts/nats --namespace nats -f values-aws.json > chart-aws.yaml.txt
// Then three real nats-server 2.14.2 processes run the rendered nats.conf (with
// only ports, paths and route hosts rewritten for 127.0.0.1), with the auth
// include file the component stores in the credentials Secret and the zone file
// the zone-discovery init container writes (its real script, with a stub curl).
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { renderAuthInclude, renderRoutesInclude } from "../../sdk/cluster/security/auth";
import { plan } from "../../sdk/cluster/plan/plan";
import { ZONE_DIR, ZONE_FILE, ZONE_SCRIPT } from "../../sdk/cluster/chart/values";
import { awsArgs, TLS_ARGS, ZONES } from "./fixtures";

const RENDERED = path.join(__dirname, "../../../tests/cluster/rendered");
const ROOT = path.join(__dirname, "../../..");

type Doc = {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};
function docs(file: string): Doc[] {
  return YAML.parseAllDocuments(fs.readFileSync(path.join(RENDERED, file), "utf8"))
    .map((d) => d.toJS() as Doc)
    .filter((d) => d != null);
}
function ofKind(all: Doc[], kind: string): Doc {
  const d = all.find((x) => x.kind === kind);
  assert.ok(d, `no ${kind} rendered`);
  return d;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe("NatsCluster values rendered by the real nats chart 2.14.2", () => {
  it("were rendered from exactly the values the planner produces today", () => {
    for (const [file, args] of [
      ["values-aws.json", awsArgs()],
      ["values-tls.json", TLS_ARGS],
    ] as const) {
      const stored = JSON.parse(fs.readFileSync(path.join(RENDERED, file), "utf8"));
      assert.deepEqual(
        plan("events", args).chart.values,
        stored,
        `${file} is stale: re-render (see this file's header)`,
      );
    }
  });

  it("render the objects NatsCluster relies on, and no nats-box or test pod", () => {
    assert.deepEqual(
      docs("chart-aws.yaml.txt")
        .map((d) => `${d.kind}/${d.metadata.name}`)
        .sort(),
      [
        "ConfigMap/events-config",
        "PodDisruptionBudget/events",
        "Service/events",
        "Service/events-headless",
        "ServiceAccount/events",
        "StatefulSet/events",
      ],
    );
    assert.ok(docs("chart-tls.yaml.txt").some((d) => d.kind === "PodMonitor"));
  });

  it("render a StatefulSet pinned to the NATS nodes, spread over zones, with the auth and zone files mounted", () => {
    const sts = ofKind(docs("chart-aws.yaml.txt"), "StatefulSet").spec as Any;
    assert.equal(sts.replicas, 3);
    const pod = sts.template.spec;
    assert.deepEqual(pod.nodeSelector, { "pulumi-nats/pool": "events" });
    assert.deepEqual(pod.tolerations, [
      { effect: "NoSchedule", key: "pulumi-nats/dedicated", operator: "Equal", value: "events" },
    ]);
    assert.equal(pod.serviceAccountName, "events");
    const zone = pod.topologySpreadConstraints.find(
      (t: Any) => t.topologyKey === "topology.kubernetes.io/zone",
    );
    assert.deepEqual(zone, {
      labelSelector: {
        matchLabels: {
          "app.kubernetes.io/component": "nats",
          "app.kubernetes.io/instance": "events",
          "app.kubernetes.io/name": "nats",
        },
      },
      maxSkew: 1,
      minDomains: 3,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
    });
    assert.deepEqual(
      pod.initContainers.map((c: Any) => c.name),
      ["zone-tag"],
    );
    // The chart's own volumes survive our patches (merge would have replaced the list).
    assert.deepEqual(
      pod.volumes.map((v: Any) => v.name),
      ["config", "pid", "zone", "kube-api-access", "auth"],
    );
    const [nats, reloader] = pod.containers;
    assert.deepEqual(
      nats.volumeMounts.map((m: Any) => m.mountPath),
      ["/etc/nats-config", "/var/run/nats", "/data", "/etc/nats-zone", "/etc/nats-auth"],
    );
    assert.deepEqual(nats.resources, {
      limits: { cpu: "2", memory: "2Gi" },
      requests: { cpu: "2", memory: "2Gi" },
    });
    assert.ok(nats.env.some((e: Any) => e.name === "GOMEMLIMIT" && e.value === "1638MiB"));
    // The reloader watches the included files, so a password rotation reloads the servers.
    assert.deepEqual(
      reloader.args.filter((a: string) => a.startsWith("/etc/")),
      [
        "/etc/nats-config/nats.conf",
        "/etc/nats-auth/routes.conf",
        "/etc/nats-auth/auth.conf",
        "/etc/nats-zone/zone.conf",
      ],
    );
    assert.deepEqual(sts.volumeClaimTemplates[0].spec, {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "20Gi" } },
      storageClassName: "events-jetstream",
    });
    const pdb = ofKind(docs("chart-aws.yaml.txt"), "PodDisruptionBudget").spec as Any;
    assert.equal(pdb.maxUnavailable, 1);
  });

  it("render a config that includes the credentials and zone files and holds no password", () => {
    const conf = ofKind(docs("chart-aws.yaml.txt"), "ConfigMap").data!["nats.conf"];
    assert.match(conf, /include \.\.\/nats-auth\/auth\.conf;/);
    assert.match(conf, /include \.\.\/nats-zone\/zone\.conf;/);
    assert.match(conf, /"max_file_store": 18Gi,/);
    assert.match(conf, /"max_memory_store": 1Gi,/);
    assert.match(conf, /"routes": \[[^\]]*\],\s*include \.\.\/nats-auth\/routes\.conf;\s*}/);
    assert.match(conf, /"unique_tag": "az:"/);
    assert.doesNotMatch(conf, /password|accounts/);
  });

  for (const file of ["chart-aws.yaml.txt", "chart-tls.yaml.txt"])
    it(`render pods that are Guaranteed and meet the restricted Pod Security Standard (${file})`, () => {
      const pod = (ofKind(docs(file), "StatefulSet").spec as Any).template.spec;
      const containers: Any[] = [...pod.initContainers, ...pod.containers];
      assert.deepEqual(
        containers.map((c) => c.name),
        file === "chart-tls.yaml.txt"
          ? ["zone-tag", "nats", "reloader", "prom-exporter"]
          : ["zone-tag", "nats", "reloader"],
      );
      for (const c of containers) {
        // Guaranteed QoS: requests == limits for CPU and memory in every container, init included.
        for (const r of ["cpu", "memory"]) {
          assert.ok(c.resources?.limits?.[r], `${c.name} has no ${r} limit`);
          assert.equal(c.resources.requests?.[r], c.resources.limits[r], `${c.name} ${r} request != limit`);
        }
        // restricted (kubernetes.io/docs/concepts/security/pod-security-standards):
        const sc = c.securityContext ?? {};
        assert.equal(sc.allowPrivilegeEscalation, false, c.name);
        assert.deepEqual(sc.capabilities, { drop: ["ALL"] }, c.name);
        assert.notEqual(sc.privileged, true, c.name);
        assert.ok(sc.runAsNonRoot === true || pod.securityContext.runAsNonRoot === true, c.name);
        assert.notEqual(sc.runAsUser ?? pod.securityContext.runAsUser, 0, c.name);
        assert.equal(
          (sc.seccompProfile ?? pod.securityContext.seccompProfile).type,
          "RuntimeDefault",
          c.name,
        );
      }
      assert.equal(pod.securityContext.runAsUser, 1000);
      assert.equal(pod.securityContext.fsGroup, 1000, "the data volume must be writable by uid 1000");
      assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC);
      const allowed = [
        "configMap",
        "emptyDir",
        "secret",
        "projected",
        "persistentVolumeClaim",
        "downwardAPI",
      ];
      for (const v of pod.volumes)
        assert.ok(
          Object.keys(v).some((k) => allowed.includes(k)),
          `volume ${v.name} is not of a restricted type`,
        );
      // The token that may read Nodes: not mounted by the kubelet, only into the zone init container.
      assert.equal(pod.automountServiceAccountToken, false);
      const withToken = containers.filter((c) =>
        (c.volumeMounts ?? []).some((m: Any) => m.name === "kube-api-access"),
      );
      assert.deepEqual(
        withToken.map((c) => c.name),
        ["zone-tag"],
      );
    });

  it("render TLS on clients and routes, the CA, and an internal NLB Service", () => {
    const all = docs("chart-tls.yaml.txt");
    const conf = ofKind(all, "ConfigMap").data!["nats.conf"];
    assert.match(conf, /"tls:\/\/events-0\.events-headless:6222"/);
    assert.match(conf, /"cert_file": "\/etc\/nats-certs\/nats\/tls\.crt"/);
    assert.match(conf, /"ca_file": "\/etc\/nats-ca-cert\/ca\.crt"/);
    const svc = all.find((d) => d.kind === "Service" && d.metadata.name === "events") as Any;
    assert.equal(svc.spec.type, "LoadBalancer");
    assert.equal(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"], "true");
  });
});

// --- real servers -------------------------------------------------------------

function natsServerBinary(): string | undefined {
  const local = path.join(ROOT, ".cache/bin/nats-server");
  if (fs.existsSync(local)) return local;
  const found = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" }).stdout.trim();
  return found || undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs the init container's real script with a stub `curl` returning a node with `labels`. */
function runZoneScript(
  dir: string,
  labels: Record<string, string>,
): { status: number | null; stderr: string } {
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const node = JSON.stringify({ kind: "Node", metadata: { name: "node-1", labels } }, null, 1);
  fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\ncat <<'EOF'\n${node}\nEOF\n`, { mode: 0o755 });
  const zoneDir = path.join(dir, "etc/nats-zone");
  fs.mkdirSync(zoneDir, { recursive: true });
  const script = ZONE_SCRIPT.split(ZONE_DIR)
    .join(zoneDir)
    .split("/var/run/secrets/kubernetes.io/serviceaccount")
    .join(dir);
  fs.writeFileSync(path.join(dir, "token"), "t");
  const r = spawnSync("sh", ["-ec", script], {
    env: { PATH: `${bin}:${process.env.PATH}`, NODE_NAME: "node-1" },
    encoding: "utf8",
  });
  return { status: r.status, stderr: r.stderr };
}

async function getJson(url: string): Promise<Any> {
  const res = await fetch(url);
  return res.json();
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

describe("the rendered config on three real nats-server processes", function () {
  this.timeout(60000);
  const server = natsServerBinary();
  const procs: ChildProcess[] = [];
  let tmp = "";
  const clientPorts: number[] = [];
  const monitorPorts: number[] = [];
  const p = plan("events", awsArgs());
  const APP = "AppPass4567abc";
  const SYS = "SysPass1234xyz";
  const ROUTE = "RoutePass8901def";
  const routePorts: number[] = [];

  before(async function () {
    if (!server) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nats-cluster-render-"));
    const conf = ofKind(docs("chart-aws.yaml.txt"), "ConfigMap").data!["nats.conf"];
    for (let i = 0; i < 3; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
      monitorPorts.push(await freePort());
    }
    for (let i = 0; i < 3; i++) {
      const dir = path.join(tmp, `n${i}`);
      fs.mkdirSync(path.join(dir, "etc/nats-config"), { recursive: true });
      fs.mkdirSync(path.join(dir, "etc/nats-auth"), { recursive: true });
      let c = conf;
      const swap = (from: string, to: string) => {
        assert.ok(c.includes(from), `rendered config lacks ${from}`);
        c = c.split(from).join(to);
      };
      swap('"port": 4222', `"port": ${clientPorts[i]}`);
      swap('"port": 6222', `"port": ${routePorts[i]}`);
      swap('"http_port": 8222', `"http_port": ${monitorPorts[i]}`);
      swap('"store_dir": "/data"', `"store_dir": ${JSON.stringify(path.join(dir, "data"))}`);
      swap(
        '"pid_file": "/var/run/nats/nats.pid"',
        `"pid_file": ${JSON.stringify(path.join(dir, "nats.pid"))}`,
      );
      for (let j = 0; j < 3; j++)
        swap(`nats://events-${j}.events-headless:6222`, `nats://127.0.0.1:${routePorts[j]}`);
      fs.writeFileSync(path.join(dir, "etc/nats-config/nats.conf"), c);
      fs.writeFileSync(path.join(dir, "etc/nats-auth/auth.conf"), renderAuthInclude(p.auth!, SYS, APP));
      // The route include the Secret holds, with its hosts rewritten like the chart's list above.
      fs.writeFileSync(
        path.join(dir, "etc/nats-auth/routes.conf"),
        renderRoutesInclude(
          p.routes!,
          ROUTE,
          routePorts.map((port) => `127.0.0.1:${port}`),
        ),
      );
      const z = runZoneScript(dir, {
        "kubernetes.io/hostname": `node-${i}`,
        "topology.kubernetes.io/zone": ZONES[i],
      });
      assert.equal(z.status, 0, z.stderr);
      const proc = spawn(server!, ["-c", path.join(dir, "etc/nats-config/nats.conf")], {
        env: { ...process.env, SERVER_NAME: `events-${i}` },
        stdio: ["ignore", "ignore", "pipe"],
      });
      procs.push(proc);
    }
    // The readiness the StatefulSet waits for, then a JetStream meta leader.
    for (const port of monitorPorts)
      await until("healthz", async () =>
        (await fetch(`http://127.0.0.1:${port}/healthz?js-enabled-only=true`)).ok ? true : undefined,
      );
    await until(
      "a meta leader",
      async () =>
        (await getJson(`http://127.0.0.1:${monitorPorts[0]}/jsz`)).meta_cluster?.leader || undefined,
    );
  });

  after(() => {
    for (const proc of procs) proc.kill("SIGKILL");
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the zone script writes the az:<zone> tag, and fails on a node without a zone label", () => {
    const file = fs.readFileSync(path.join(tmp, "n0/etc/nats-zone", ZONE_FILE), "utf8");
    assert.equal(file, 'server_tags: ["az:us-east-1a"]\n');
    const bad = runZoneScript(path.join(tmp, "nolabel"), { "kubernetes.io/hostname": "x" });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /has no topology.kubernetes.io\/zone label/);
  });

  it("each server carries its zone tag, unique_tag az:, and the sized stores", async () => {
    for (let i = 0; i < 3; i++) {
      const varz = await getJson(`http://127.0.0.1:${monitorPorts[i]}/varz`);
      assert.deepEqual(varz.tags, [`az:${ZONES[i]}`]);
      assert.equal(varz.jetstream.config.unique_tag, "az:");
      assert.equal(varz.jetstream.config.max_storage, 18 * 2 ** 30);
      assert.equal(varz.jetstream.config.max_memory, 2 ** 30);
      assert.equal(varz.server_name, `events-${i}`);
    }
  });

  it("lets the app user in with its password, refuses a wrong one, and places an R3 stream in three zones", async () => {
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const servers = [`nats://127.0.0.1:${clientPorts[1]}`];
    await assert.rejects(connect({ servers, user: "app", pass: "wrong", reconnect: false }));
    await assert.rejects(connect({ servers, reconnect: false }));
    const nc = await connect({ servers, user: "app", pass: APP, reconnect: false });
    try {
      const jsm = await jetstreamManager(nc);
      const si = await until("the stream", async () =>
        jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], num_replicas: 3 }).catch((e: Error) => {
          if (/10008|temporarily unavailable/i.test(String(e))) return undefined;
          throw e;
        }),
      );
      const peers = [si.cluster!.leader!, ...(si.cluster!.replicas ?? []).map((r) => r.name)];
      const zoneOf: Record<string, string> = {};
      for (let i = 0; i < 3; i++) zoneOf[`events-${i}`] = ZONES[i];
      assert.deepEqual(peers.map((s) => zoneOf[s]).sort(), [...ZONES].sort());
      const mem = await jsm.streams.add({
        name: "CACHE",
        subjects: ["cache.>"],
        storage: "memory" as never,
        num_replicas: 1,
      });
      assert.equal(mem.config.name, "CACHE");
    } finally {
      await nc.close();
    }
  });

  it("lets the system user in to the system account", async () => {
    const { connect } = await import("@nats-io/transport-node");
    const nc = await connect({
      servers: [`nats://127.0.0.1:${clientPorts[0]}`],
      user: "sys",
      pass: SYS,
      reconnect: false,
    });
    try {
      const reply = await nc.request("$SYS.REQ.SERVER.PING", "", { timeout: 5000 });
      assert.match(reply.string(), /"active_servers":3/);
    } finally {
      await nc.close();
    }
  });
  it("keeps out a server without the route password: refused, receives nothing, not a member", async () => {
    const { connect } = await import("@nats-io/transport-node");
    const dir = path.join(tmp, "rogue");
    fs.mkdirSync(dir, { recursive: true });
    const [client, monitor, route] = [await freePort(), await freePort(), await freePort()];
    // What an attacker in the Kubernetes cluster would run: the same cluster name, routes to a
    // server's route port, no credentials.
    fs.writeFileSync(
      path.join(dir, "rogue.conf"),
      [
        `server_name: rogue`,
        `listen: "127.0.0.1:${client}"`,
        `http: "127.0.0.1:${monitor}"`,
        `cluster { name: events, listen: "127.0.0.1:${route}", routes: ["nats://127.0.0.1:${routePorts[0]}"] }`,
        "",
      ].join("\n"),
    );
    let log = "";
    const rogue = spawn(server!, ["-c", path.join(dir, "rogue.conf")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    procs.push(rogue);
    rogue.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    const refusals = () => (log.match(/authorization violation/gi) ?? []).length;
    const outcome = await until("the rogue's first route attempt", async () => {
      const routez = await getJson(`http://127.0.0.1:${monitor}/routez`);
      if (routez.num_routes > 0) return "joined";
      return refusals() > 0 ? "refused" : undefined;
    });
    assert.equal(outcome, "refused", "a server without the route password joined the cluster");

    const spy = await connect({ servers: [`nats://127.0.0.1:${client}`], reconnect: false });
    const app = await connect({ servers: [`nats://127.0.0.1:${clientPorts[0]}`], user: "app", pass: APP });
    const sys = await connect({ servers: [`nats://127.0.0.1:${clientPorts[1]}`], user: "sys", pass: SYS });
    try {
      let received = 0;
      spy.subscribe(">", { callback: () => received++ });
      await spy.flush();
      for (let i = 0; i < 10; i++) app.publish("orders.created", `secret ${i}`);
      await app.flush();
      // The rogue retries its route every second: wait for a refusal after the publishes.
      const before = refusals();
      await until("another refused route attempt", async () => (refusals() > before ? true : undefined));
      await spy.flush();
      assert.equal(received, 0, "the rogue received messages published in the cluster");
      for (const port of monitorPorts) {
        const routez = await getJson(`http://127.0.0.1:${port}/routez`);
        const names = (routez.routes ?? []).map((r: Any) => r.remote_name);
        assert.ok(!names.includes("rogue"), `server on ${port} lists the rogue as a route`);
      }
      const replies: string[] = [];
      const inbox = sys.subscribe("_INBOX.rogue-check", {
        callback: (_e: unknown, m: { string(): string }) => replies.push(m.string()),
      });
      sys.publish("$SYS.REQ.SERVER.PING", "", { reply: "_INBOX.rogue-check" });
      await until("three servers to answer", async () => (replies.length >= 3 ? true : undefined));
      await sys.flush();
      inbox.unsubscribe();
      const servers = replies.map((r) => JSON.parse(r).server.name as string).sort();
      assert.deepEqual(servers, ["events-0", "events-1", "events-2"]);
    } finally {
      await Promise.all([spy.close(), app.close(), sys.close()]);
    }
  });
});
