// A real Kubernetes control plane on 127.0.0.1 in a temp dir: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes,
// pod readiness, volume provisioning, port forwarding to local processes),
// with six fake nodes in three AWS-style and three GCP-style zones, two
// storage classes, and a chart repository serving the NATS chart. Every
// listener is on 127.0.0.1; node InternalIPs, kubelet endpoints and
// LoadBalancer ingress addresses are 127.0.0.1 (see tests/kube/README.md).
import { execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import YAML from "yaml";
import { freePorts, generateTls, getJson, makeTempDir, waitFor, type TlsMaterial } from "../harness";
import { kubeBinary, kubeBinDir, kwokCrdsDir } from "./binaries";
import { serveChartRepo, type ChartRepo } from "./chart-repo";
import {
  defaultNodes,
  KWOK_NODE_ANNOTATION,
  nodeObject,
  stageObjects,
  storageClassObjects,
  type FakeNode,
} from "./objects";
import { KubeProcess } from "./process";

/** Arguments of kubectl plus what to feed it and how to read its answer. */
export interface KubectlOptions {
  /** Text written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** Parse stdout as JSON (adds `-o json` unless an `-o` is given). */
  json?: boolean;
  timeoutMs?: number;
}

export class KubectlError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(" ")} exited ${code}: ${stderr.trim()}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>;

export class KubePlane {
  /** Processes in start order; stopped in reverse. */
  private readonly processes: KubeProcess[] = [];
  private stopped = false;

  private constructor(
    /** The temp dir holding certificates, logs, pids, etcd's data and the kubeconfig. */
    readonly dir: string,
    /** https://127.0.0.1:<port> */
    readonly apiServerUrl: string,
    /** A kubeconfig file (admin, in system:masters) for kubectl, Pulumi and client-node. */
    readonly kubeconfigPath: string,
    readonly token: string,
    readonly tls: TlsMaterial,
    /** The loopback port kwok serves the kubelet API on (logs, exec, port-forward). */
    readonly kubeletPort: number,
    readonly nodes: FakeNode[],
    readonly chartRepo: ChartRepo,
  ) {}

  /** The kubeconfig's contents (what NatsCluster's `platform.kubernetes.kubeconfig` takes). */
  get kubeconfig(): string {
    return fs.readFileSync(this.kubeconfigPath, "utf8");
  }
  /** URL of the loopback chart repository serving nats 2.14.2 (NatsCluster's `chart.repository`). */
  get chartRepoUrl(): string {
    return this.chartRepo.url;
  }
  /** PIDs of every control-plane process (for the loopback-only check). */
  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }
  /** Directory of kubectl, the control plane and pulumi-resource-kubernetes (put it on PATH for Pulumi). */
  get binDir(): string {
    return kubeBinDir();
  }
  /** Environment for the Pulumi CLI and kubectl: the provider plugin on PATH and KUBECONFIG. */
  env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return { ...base, PATH: `${kubeBinDir()}:${base.PATH ?? ""}`, KUBECONFIG: this.kubeconfigPath };
  }

  static async start(opts: { nodes?: FakeNode[] } = {}): Promise<KubePlane> {
    const started = Date.now();
    const dir = makeTempDir("kube");
    const [etcdClient, etcdPeer, apiPort, kubeletPort] = await freePorts(4);
    const tls = await generateTls(path.join(dir, "pki"), "pulumi-nats kube harness CA");
    const saKey = path.join(dir, "pki", "sa.key");
    const saPub = path.join(dir, "pki", "sa.pub");
    await run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", saKey]);
    await run("openssl", ["pkey", "-in", saKey, "-pubout", "-out", saPub]);
    const token = crypto.randomBytes(24).toString("hex");
    const tokenFile = path.join(dir, "pki", "tokens.csv");
    fs.writeFileSync(tokenFile, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
    const apiServerUrl = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfigPath,
      YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: "kube-harness",
            cluster: {
              server: apiServerUrl,
              "certificate-authority-data": Buffer.from(tls.ca.certPem).toString("base64"),
            },
          },
        ],
        users: [{ name: "admin", user: { token } }],
        contexts: [{ name: "kube-harness", context: { cluster: "kube-harness", user: "admin" } }],
        "current-context": "kube-harness",
      }),
      { mode: 0o600 },
    );

    const chartRepo = await serveChartRepo();
    const plane = new KubePlane(
      dir,
      apiServerUrl,
      kubeconfigPath,
      token,
      tls,
      kubeletPort,
      opts.nodes ?? defaultNodes(),
      chartRepo,
    );
    try {
      await plane.boot({ etcdClient, etcdPeer, apiPort, kubeletPort, saKey, saPub, tokenFile });
    } catch (err) {
      const logs = plane.processes.map((p) => `--- ${p.name}\n${p.logTail(10)}`).join("\n");
      await plane.stop();
      throw new Error(`kube harness: the control plane did not start: ${(err as Error).message}\n${logs}`);
    }
    plane.startMs = Date.now() - started;
    return plane;
  }

  /** How long start() took, in ms. */
  startMs = 0;

  private async boot(p: {
    etcdClient: number;
    etcdPeer: number;
    apiPort: number;
    kubeletPort: number;
    saKey: string;
    saPub: string;
    tokenFile: string;
  }): Promise<void> {
    const { dir } = this;
    const etcd = this.spawn("etcd", [
      "--name=harness",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${p.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${p.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${p.etcdPeer}`,
      `--initial-cluster=harness=http://127.0.0.1:${p.etcdPeer}`,
      "--listen-metrics-urls=",
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await this.waitFor(
      "etcd to be healthy",
      async () =>
        (await getJson<{ health: string }>(`http://127.0.0.1:${p.etcdClient}/health`)).body.health === "true"
          ? true
          : undefined,
      30_000,
      [etcd],
    );

    const apiserver = this.spawn("kube-apiserver", [
      `--etcd-servers=http://127.0.0.1:${p.etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${p.apiPort}`,
      `--cert-dir=${path.join(dir, "apiserver")}`,
      `--tls-cert-file=${this.tls.server.certFile}`,
      `--tls-private-key-file=${this.tls.server.keyFile}`,
      `--token-auth-file=${p.tokenFile}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${p.saPub}`,
      `--service-account-signing-key-file=${p.saKey}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--service-cluster-ip-range=10.96.0.0/16",
      // Without it the server exits: 127.0.0.1 is refused for the kubernetes Service's endpoints.
      "--endpoint-reconciler-type=none",
      // Port-forward and logs go to the node's InternalIP (127.0.0.1), where kwok serves.
      "--kubelet-preferred-address-types=InternalIP",
      "--allow-privileged=true",
      "--profiling=false",
      "--v=1",
    ]);
    await this.waitFor(
      "kube-apiserver /readyz",
      async () => ((await this.rawGet("/readyz")).status === 200 ? true : undefined),
      60_000,
      [etcd, apiserver],
    );

    // kwok's CRDs, then its stages (it reads them at start with --enable-crds).
    await this.apply(
      fs
        .readdirSync(kwokCrdsDir())
        .sort()
        .map((f) => YAML.parse(fs.readFileSync(path.join(kwokCrdsDir(), f), "utf8")) as KubeObject),
    );
    await this.kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);
    await this.apply(stageObjects());

    const kubeconfig = `--kubeconfig=${this.kubeconfigPath}`;
    const kwokConfig = path.join(dir, "kwok.yaml");
    // A config file of our own (not ~/.kwok). Given a file, kwok does not default
    // these options (its +default markers apply only without one): without them
    // its node, lease and pod controllers refuse to start. Values are kwok's defaults.
    fs.writeFileSync(
      kwokConfig,
      [
        "apiVersion: config.kwok.x-k8s.io/v1alpha1",
        "kind: KwokConfiguration",
        "options:",
        "  nodePlayStageParallelism: 4",
        "  podPlayStageParallelism: 4",
        "  nodeLeaseDurationSeconds: 40",
        "  nodeLeaseParallelism: 4",
        "  podsOnNodeSyncParallelism: 1",
        "  enablePodsOnNodeSyncListPager: true",
        "  enablePodsOnNodeSyncStreamWatch: false",
        // The kubelet API's port-forward, logs and exec are "debugging handlers".
        "  enableDebuggingHandlers: true",
        "  enableContentionProfiling: false",
        "  enableProfilingHandler: false",
        "",
      ].join("\n"),
    );
    this.spawn("kwok", [
      kubeconfig,
      `--config=${kwokConfig}`,
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
      "--node-ip=127.0.0.1",
      `--node-port=${p.kubeletPort}`,
      `--server-address=127.0.0.1:${p.kubeletPort}`,
      `--tls-cert-file=${this.tls.server.certFile}`,
      `--tls-private-key-file=${this.tls.server.keyFile}`,
      "--enable-crds=Stage,PortForward,ClusterPortForward",
      "--cidr=10.0.0.1/16",
    ]);
    this.spawn("kube-controller-manager", [
      kubeconfig,
      "--secure-port=0",
      "--leader-elect=false",
      `--service-account-private-key-file=${p.saKey}`,
      `--root-ca-file=${this.tls.ca.certFile}`,
      "--use-service-account-credentials=false",
      "--profiling=false",
    ]);
    this.spawn("kube-scheduler", [
      kubeconfig,
      "--secure-port=0",
      "--leader-elect=false",
      "--profiling=false",
    ]);

    await this.apply([...this.nodes.map(nodeObject), ...storageClassObjects()]);
    await this.waitFor(
      `${this.nodes.length} nodes Ready and untainted by the node lifecycle controller`,
      async () => {
        const list = await this.kubectl(["get", "nodes"], { json: true });
        // Ready, and the node lifecycle controller has lifted its not-ready taint
        // (it lags the condition; pods would not schedule there yet).
        const ready = (list.items as KubeObject[]).filter(
          (n) =>
            (n.status?.conditions ?? []).some((c: KubeObject) => c.type === "Ready" && c.status === "True") &&
            !(n.spec?.taints ?? []).some((t: KubeObject) => t.key.startsWith("node.kubernetes.io/")),
        );
        return ready.length === this.nodes.length ? true : undefined;
      },
      60_000,
    );
    // Pods need the namespace's default ServiceAccount, which the controller manager creates.
    await this.waitFor(
      "the default ServiceAccount",
      async () =>
        (
          await this.kubectl([
            "get",
            "serviceaccount",
            "default",
            "-n",
            "default",
            "--ignore-not-found",
            "-o",
            "name",
          ])
        ).trim()
          ? true
          : undefined,
      60_000,
    );
  }

  private spawn(name: string, args: string[]): KubeProcess {
    const proc = new KubeProcess(name, kubeBinary(name as Parameters<typeof kubeBinary>[0]), args, this.dir);
    this.processes.push(proc);
    return proc;
  }

  /** Why the plane is broken (a process exited), or undefined. */
  private broken(procs: KubeProcess[] = this.processes): string | undefined {
    for (const p of procs) {
      const why = p.whyStopped();
      if (why) return why;
    }
    return undefined;
  }

  /**
   * Poll `probe` until it returns a value other than undefined (a throw counts
   * as "not yet"), failing after `timeoutMs` or at once when a control-plane
   * process has exited.
   */
  waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
    procs?: KubeProcess[],
  ): Promise<Exclude<T, undefined>> {
    return waitFor(probe, { what, timeoutMs, intervalMs: 200, abort: () => this.broken(procs) });
  }

  /** Runs kubectl against this plane; resolves to stdout (parsed with `json`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  kubectl(args: string[], opts: KubectlOptions & { json: true }): Promise<any>;
  kubectl(args: string[], opts?: KubectlOptions): Promise<string>;
  async kubectl(args: string[], opts: KubectlOptions = {}): Promise<unknown> {
    const full = [...args];
    if (opts.json && !full.some((a) => a === "-o" || a.startsWith("-o=") || a.startsWith("--output")))
      full.push("-o", "json");
    full.push(`--kubeconfig=${this.kubeconfigPath}`);
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        kubeBinary("kubectl"),
        full,
        { env: this.env(), maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000 },
        (err, out, stderr) => {
          if (err)
            reject(
              new KubectlError(args, typeof err.code === "number" ? err.code : 1, stderr || err.message),
            );
          else resolve(out);
        },
      );
      if (opts.input !== undefined) child.stdin!.end(opts.input);
    });
    return opts.json ? JSON.parse(stdout) : stdout;
  }

  /** `kubectl apply --server-side` of objects (or YAML/JSON text). */
  async apply(objects: KubeObject[] | string): Promise<string> {
    const input =
      typeof objects === "string"
        ? objects
        : JSON.stringify({ apiVersion: "v1", kind: "List", items: objects });
    return this.kubectl(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=kube-harness", "-f", "-"],
      { input },
    );
  }

  /** GET an API path (e.g. /api/v1/nodes); parsed JSON, or undefined on 404. */
  async get(apiPath: string): Promise<KubeObject | undefined> {
    const res = await this.rawGet(apiPath);
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new Error(`kube harness: GET ${apiPath} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as KubeObject;
  }

  private rawGet(apiPath: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.get(
        `${this.apiServerUrl}${apiPath}`,
        {
          ca: this.tls.ca.certPem,
          headers: { authorization: `Bearer ${this.token}` },
          agent: false,
          timeout: 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`GET ${apiPath} timed out`)));
      req.on("error", reject);
    });
  }

  /** Stops every process by PID (reverse start order; etcd last, waited for) and the chart repository. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of [...this.processes].reverse()) await p.stop();
    await this.chartRepo.close();
  }

  /** Whether stop() ran. */
  get isStopped(): boolean {
    return this.stopped;
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${stderr.trim()}`)),
    );
  });
}
