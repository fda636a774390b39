// The super-cluster config exactly as the real chart renders it for both
// members (tests/cluster/rendered/chart-gateway-{aws,gcp}.yaml.txt), run on
// six real nats-server 2.14.2 processes on 127.0.0.1. Only ports, paths,
// route hosts and the two load balancer addresses are rewritten (each
// member's remote URL points at one server of the other member, as a load
// balancer would); the gateway certificates come from one CA (the harness's
// shared test CA, standing in for SuperCluster's), and both members include
// the same auth file (shared passwords).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { connect } from "@nats-io/transport-node";
import { renderAuthInclude, renderRoutesInclude } from "../../sdk/cluster/security/auth";
import { plan } from "../../sdk/cluster/plan/plan";
import { memberArgs } from "../../sdk/cluster/gateways/super-cluster";
import { AWS_GATEWAY_HOST, GATEWAY_RENDER, GCP_GATEWAY_HOST } from "../cluster/rendered-gateways.fixture";
import { binaries, freePorts, getJson, sharedTls, waitFor } from "../harness";

const RENDERED = path.join(__dirname, "../../../tests/cluster/rendered");
const log = (msg: string) => console.log(`      | ${msg}`);
const SYS = "SysShared0123456789abcdefghijklm";
const APP = "AppShared0123456789abcdefghijklm";

function renderedConf(key: string): string {
  const cm = YAML.parseAllDocuments(
    fs.readFileSync(path.join(RENDERED, `chart-gateway-${key}.yaml.txt`), "utf8"),
  )
    .map((d) => d.toJS())
    .find((d) => d?.kind === "ConfigMap");
  return cm.data["nats.conf"];
}

describe("the chart-rendered super-cluster config on six real servers", function () {
  this.timeout(60_000);
  const procs: ChildProcess[] = [];
  let tmp = "";
  const ports: Record<
    string,
    { client: number[]; route: number[]; monitor: number[]; gateway: number[]; leaf: number[] }
  > = {};

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nats-gateway-render-"));
    const tls = await sharedTls();
    const all = await freePorts(30);
    for (const [n, key] of ["aws", "gcp"].entries()) {
      const take = (k: number) => all.slice(15 * n + 3 * k, 15 * n + 3 * k + 3);
      ports[key] = { client: take(0), route: take(1), monitor: take(2), gateway: take(3), leaf: take(4) };
    }
    for (const m of GATEWAY_RENDER) {
      const key = m.key;
      const other = key === "aws" ? "gcp" : "aws";
      const conf = renderedConf(key);
      const member = plan(`events-${key}`, memberArgs(key, m.args, undefined));
      const auth = member.auth!;
      for (let i = 0; i < 3; i++) {
        const dir = path.join(tmp, `${key}-${i}`);
        for (const d of ["etc/nats-config", "etc/nats-auth", "etc/nats-zone", "etc/nats-certs/gateway"])
          fs.mkdirSync(path.join(dir, d), { recursive: true });
        let c = conf;
        const swap = (from: string, to: string) => {
          assert.ok(c.includes(from), `rendered ${key} config lacks ${from}`);
          c = c.split(from).join(to);
        };
        const p = ports[key];
        swap('"port": 4222', `"port": ${p.client[i]}`);
        swap('"port": 6222', `"port": ${p.route[i]}`);
        swap('"port": 7222', `"port": ${p.gateway[i]}`);
        if (key === "aws") swap('"port": 7422', `"port": ${p.leaf[i]}`);
        swap('"http_port": 8222', `"http_port": ${p.monitor[i]}`);
        swap('"store_dir": "/data"', `"store_dir": ${JSON.stringify(path.join(dir, "data"))}`);
        swap(
          '"pid_file": "/var/run/nats/nats.pid"',
          `"pid_file": ${JSON.stringify(path.join(dir, "nats.pid"))}`,
        );
        for (let j = 0; j < 3; j++)
          swap(`nats://events-${key}-${j}.events-${key}-headless:6222`, `nats://127.0.0.1:${p.route[j]}`);
        // The load balancers: ours (advertised) and the other member's (dialed).
        const [own, theirs] =
          key === "aws" ? [AWS_GATEWAY_HOST, GCP_GATEWAY_HOST] : [GCP_GATEWAY_HOST, AWS_GATEWAY_HOST];
        swap(`"${own}:7222"`, `"127.0.0.1:${p.gateway[i]}"`);
        swap(`nats://${theirs}:7222`, `nats://127.0.0.1:${ports[other].gateway[i]}`);
        swap('"/etc/nats-certs/gateway/', `"${path.join(dir, "etc/nats-certs/gateway")}/`);
        fs.copyFileSync(tls.ca.certFile, path.join(dir, "etc/nats-certs/gateway/ca.crt"));
        fs.copyFileSync(tls.server.certFile, path.join(dir, "etc/nats-certs/gateway/tls.crt"));
        fs.copyFileSync(tls.server.keyFile, path.join(dir, "etc/nats-certs/gateway/tls.key"));
        fs.writeFileSync(path.join(dir, "etc/nats-config/nats.conf"), c);
        fs.writeFileSync(path.join(dir, "etc/nats-auth/auth.conf"), renderAuthInclude(auth, SYS, APP));
        fs.writeFileSync(
          path.join(dir, "etc/nats-auth/routes.conf"),
          renderRoutesInclude(
            member.routes!,
            `Route${key}0123456789`,
            p.route.map((port) => `127.0.0.1:${port}`),
          ),
        );
        fs.writeFileSync(
          path.join(dir, "etc/nats-zone/zone.conf"),
          `server_tags: ["az:${key}-${"abc"[i]}"]\n`,
        );
        procs.push(
          spawn(binaries().server, ["-c", path.join(dir, "etc/nats-config/nats.conf")], {
            env: { ...process.env, SERVER_NAME: `events-${key}-${i}` },
            stdio: ["ignore", "ignore", "ignore"],
          }),
        );
      }
    }
    await waitFor(
      async () => {
        const metas = await Promise.all(
          [...ports.aws.monitor, ...ports.gcp.monitor].map((p) =>
            getJson<{ meta_cluster?: { leader?: string; cluster_size?: number } }>(
              `http://127.0.0.1:${p}/jsz`,
            ).then(
              (a) => a.body.meta_cluster,
              () => undefined,
            ),
          ),
        );
        const leader = metas[0]?.leader;
        return leader && metas.every((m) => m?.leader === leader && m.cluster_size === 6)
          ? leader
          : undefined;
      },
      { timeoutMs: 30_000, what: "one meta leader over six servers" },
    );
  });
  after(() => {
    for (const p of procs) p.kill("SIGKILL");
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("joins the two members over TLS gateways, names from the chart, a subject crossing, a stream mirrored across", async () => {
    for (const key of ["aws", "gcp"]) {
      const other = key === "aws" ? "gcp" : "aws";
      const gwz = await waitFor(
        async () => {
          const a = await getJson<{
            name: string;
            outbound_gateways?: Record<string, { connection?: { tls_version?: string } }>;
          }>(`http://127.0.0.1:${ports[key].monitor[0]}/gatewayz`);
          return a.body.outbound_gateways?.[other]?.connection?.tls_version ? a.body : undefined;
        },
        { timeoutMs: 20_000, what: `gateway ${key} -> ${other}` },
      );
      const varz = await getJson<{ server_name: string; cluster: { name: string } }>(
        `http://127.0.0.1:${ports[key].monitor[0]}/varz`,
      );
      assert.equal(gwz.name, key);
      assert.equal(varz.body.cluster.name, key);
      log(
        `${varz.body.server_name} (cluster ${key}): outbound gateway to ${other}, TLS ${gwz.outbound_gateways![other].connection!.tls_version}`,
      );
    }
    const inAws = await connect({ servers: `127.0.0.1:${ports.aws.client[0]}`, user: "app", pass: APP });
    const inGcp = await connect({ servers: `127.0.0.1:${ports.gcp.client[1]}`, user: "app", pass: APP });
    try {
      const sub = inGcp.subscribe("orders.created", { max: 1 });
      await inGcp.flush();
      const got = (async () => {
        for await (const m of sub) return m.string();
      })();
      const t = setInterval(() => inAws.publish("orders.created", "from aws"), 100);
      try {
        assert.equal(await got, "from aws");
      } finally {
        clearInterval(t);
      }
      const { jetstreamManager } = await import("@nats-io/jetstream");
      const jsm = await jetstreamManager(inGcp);
      await jsm.streams.add({
        name: "ORDERS",
        subjects: ["orders.>"],
        num_replicas: 3,
        placement: { cluster: "aws", tags: [] },
      });
      await jsm.streams.add({
        name: "ORDERS_DR",
        num_replicas: 3,
        mirror: { name: "ORDERS" },
        placement: { cluster: "gcp", tags: [] },
      });
      const js = jsm.jetstream();
      for (let i = 0; i < 5; i++) await js.publish(`orders.${i}`, `o${i}`);
      const dr = await waitFor(
        async () => {
          const i = await jsm.streams.info("ORDERS_DR");
          return i.state.messages === 5 ? i : undefined;
        },
        { timeoutMs: 20_000, what: "the mirror" },
      );
      assert.equal(dr.cluster?.name, "gcp");
      assert.equal((await jsm.streams.info("ORDERS")).cluster?.name, "aws");
      log("orders.created: aws -> gcp; ORDERS in aws, ORDERS_DR (mirror) in gcp: 5/5 messages");
    } finally {
      await inAws.close();
      await inGcp.close();
    }
  });
});
