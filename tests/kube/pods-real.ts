// Makes the fake pods of a NATS StatefulSet real: kwok runs no containers, so
// for each pod this starts one nats-server on 127.0.0.1 with the pod's own
// configuration, read back from the API server (the chart's ConfigMap and the
// Secrets the pod mounts), and maps the pod's ports to that server with a kwok
// PortForward. `kubectl port-forward` and the component's port-forward then
// reach the server through the real API server and kwok's kubelet API.
//
// What is rewritten, and nothing else: ports (4222, 6222, 8222) to free
// loopback ports on 127.0.0.1 (the chart listens on all interfaces), route URLs `<sts>-<i>.<sts>-headless` to 127.0.0.1, and
// absolute paths under the container's mounts to a local directory. The zone
// file the init container would write (`server_tags: ["az:<zone>"]`, see
// ZONE_SCRIPT in sdk/cluster/chart/values.ts) is written from the zone label
// of the node the scheduler put the pod on.
import fs from "node:fs";
import path from "node:path";
import { binaries, freePorts, getJson, makeTempDir } from "../harness";
import { ZONE_DIR, ZONE_FILE } from "../../sdk/cluster/chart/values";
import type { KubeObject, KubePlane } from "./control-plane";
import { followPods } from "./pod-follower";
import { KubeProcess } from "./process";

export interface RealPodsOptions {
  namespace: string;
  /** The StatefulSet (the chart names it after the release, i.e. NatsCluster's `name`). */
  statefulSet: string;
  /** The NATS container's name. @default "nats" */
  container?: string;
  timeoutMs?: number;
  /**
   * Play the kubelet (pod-follower.ts): stop a server when its pod is deleted,
   * start it again when a pod of that name is back. @default false (the
   * servers outlive their pods)
   */
  followPods?: boolean;
}

export interface RealServer {
  pod: string;
  node: string;
  zone: string;
  clientPort: number;
  routePort: number;
  monitorPort: number;
  process: KubeProcess;
  /** The configuration the server runs (the pod's, rewritten for loopback). */
  configFile: string;
}

export interface RealPods {
  servers: RealServer[];
  /** Pod name -> zone. */
  zoneOf: Record<string, string>;
  /** With `followPods`: pod name -> what happened to its server ("stopped", "started"). */
  podEvents: Record<string, ("stopped" | "started")[]>;
  /** Stops the servers (by PID) and deletes the PortForward objects. */
  stop(): Promise<void>;
}

const PORTS = { client: 4222, route: 6222, monitor: 8222 } as const;

export async function makePodsReal(plane: KubePlane, opts: RealPodsOptions): Promise<RealPods> {
  const { namespace, statefulSet } = opts;
  const containerName = opts.container ?? "nats";
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // Called while `pulumi up` runs: the StatefulSet may not exist yet.
  const sts = await plane.waitFor(
    `StatefulSet ${namespace}/${statefulSet}`,
    () => plane.get(`/apis/apps/v1/namespaces/${namespace}/statefulsets/${statefulSet}`),
    timeoutMs,
  );
  const replicas: number = sts.spec.replicas;
  const template = sts.spec.template.spec as KubeObject;
  const container = (template.containers as KubeObject[]).find((c) => c.name === containerName);
  if (!container)
    throw new Error(`kube harness: StatefulSet ${statefulSet} has no container ${containerName}`);

  const pods: KubeObject[] = [];
  for (let i = 0; i < replicas; i++) {
    pods.push(
      await plane.waitFor(
        `pod ${namespace}/${statefulSet}-${i} scheduled`,
        async () => {
          const pod = await plane.get(`/api/v1/namespaces/${namespace}/pods/${statefulSet}-${i}`);
          return pod?.spec?.nodeName ? pod : undefined;
        },
        timeoutMs,
      ),
    );
  }
  const volumeFiles = await readVolumes(plane, namespace, template.volumes ?? []);

  const dir = makeTempDir(`pods-${statefulSet}`);
  const ports = pods.map(() => ({ client: 0, route: 0, monitor: 0 }));
  for (const p of ports) [p.client, p.route, p.monitor] = await freePorts(3);

  const servers: RealServer[] = [];
  const started: KubeProcess[] = [];
  const restart: Record<string, () => KubeProcess> = {};
  try {
    for (const [i, pod] of pods.entries()) {
      const name = pod.metadata.name as string;
      const node = await plane.get(`/api/v1/nodes/${pod.spec.nodeName}`);
      const zone = node?.metadata?.labels?.["topology.kubernetes.io/zone"] as string | undefined;
      if (!zone) throw new Error(`kube harness: node ${pod.spec.nodeName} of pod ${name} has no zone label`);
      const root = path.join(dir, name);
      const mounts = (container.volumeMounts ?? []) as KubeObject[];
      for (const m of mounts) {
        const target = path.join(root, m.mountPath);
        fs.mkdirSync(target, { recursive: true });
        // Includes (the routes include of the credentials Secret) name the routes too.
        for (const [file, content] of Object.entries(volumeFiles[m.name] ?? {}))
          fs.writeFileSync(path.join(target, file), rewriteRouteUrls(content, statefulSet, ports), {
            mode: 0o600,
          });
        if (m.mountPath === ZONE_DIR)
          fs.writeFileSync(path.join(target, ZONE_FILE), `server_tags: ["az:${zone}"]\n`);
      }
      const configMount = mounts.find((m) => fs.existsSync(path.join(root, m.mountPath, "nats.conf")));
      if (!configMount)
        throw new Error(`kube harness: no mount of ${statefulSet}'s container holds nats.conf`);
      const configFile = path.join(root, configMount.mountPath, "nats.conf");
      fs.writeFileSync(
        configFile,
        rewriteConfig(fs.readFileSync(configFile, "utf8"), statefulSet, mounts, root, ports, i),
      );

      const env: NodeJS.ProcessEnv = { ...process.env, SERVER_NAME: name, POD_NAME: name };
      for (const e of (container.env ?? []) as KubeObject[]) {
        if (typeof e.value === "string") env[e.name] = expandEnvReferences(e.value, env);
        else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = name;
        else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[e.name] = namespace;
      }
      const run = () => new KubeProcess(`nats-${name}`, binaries().server, ["-c", configFile], root, env);
      restart[name] = run;
      const proc = run();
      started.push(proc);
      servers.push({
        pod: name,
        node: pod.spec.nodeName,
        zone,
        clientPort: ports[i].client,
        routePort: ports[i].route,
        monitorPort: ports[i].monitor,
        process: proc,
        configFile,
      });
    }
    await plane.apply(
      servers.map((s) => ({
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "PortForward",
        metadata: { name: s.pod, namespace },
        spec: {
          forwards: (["client", "route", "monitor"] as const).map((k) => ({
            ports: [PORTS[k]],
            target: { port: s[`${k}Port`], address: "127.0.0.1" },
          })),
        },
      })),
    );
    for (const s of servers)
      await plane.waitFor(
        `nats-server of pod ${s.pod} JetStream-enabled`,
        async () => {
          const why = s.process.whyStopped();
          if (why) throw new Error(why);
          return (await getJson(`http://127.0.0.1:${s.monitorPort}/healthz?js-enabled-only=true`)).status ===
            200
            ? true
            : undefined;
        },
        timeoutMs,
        [],
      );
    if (servers.length > 1)
      await plane.waitFor(
        "a JetStream meta leader",
        async () =>
          (
            await getJson<{ meta_cluster?: { leader?: string } }>(
              `http://127.0.0.1:${servers[0].monitorPort}/jsz`,
            )
          ).body.meta_cluster?.leader || undefined,
        timeoutMs,
      );
  } catch (err) {
    await Promise.all(started.map((p) => p.kill()));
    const logs = started.map((p) => `--- ${p.name}\n${p.logTail(8)}`).join("\n");
    throw new Error(`${(err as Error).message}\n${logs}`);
  }

  const follower = opts.followPods
    ? followPods(
        plane,
        namespace,
        servers,
        Object.fromEntries(pods.map((p) => [p.metadata.name, p.metadata.uid])),
        (s) => restart[s.pod](),
      )
    : undefined;
  return {
    servers,
    zoneOf: Object.fromEntries(servers.map((s) => [s.pod, s.zone])),
    podEvents: follower?.events ?? {},
    stop: async () => {
      await follower?.stop();
      await Promise.all(servers.map((s) => s.process.stop()));
      await plane
        .kubectl([
          "delete",
          "portforward",
          "-n",
          namespace,
          "--ignore-not-found",
          ...servers.map((s) => s.pod),
        ])
        .catch(() => undefined);
    },
  };
}

/** The files each volume of the pod template holds: ConfigMaps and Secrets read from the API server. */
async function readVolumes(
  plane: KubePlane,
  namespace: string,
  volumes: KubeObject[],
): Promise<Record<string, Record<string, string>>> {
  const files: Record<string, Record<string, string>> = {};
  for (const v of volumes) {
    let data: Record<string, string> | undefined;
    let items: KubeObject[] | undefined;
    if (v.configMap) {
      const cm = await plane.get(`/api/v1/namespaces/${namespace}/configmaps/${v.configMap.name}`);
      if (!cm)
        throw new Error(
          `kube harness: ConfigMap ${namespace}/${v.configMap.name} (volume ${v.name}) not found`,
        );
      data = cm.data ?? {};
      items = v.configMap.items;
    } else if (v.secret) {
      const secret = await plane.get(`/api/v1/namespaces/${namespace}/secrets/${v.secret.secretName}`);
      if (!secret)
        throw new Error(
          `kube harness: Secret ${namespace}/${v.secret.secretName} (volume ${v.name}) not found`,
        );
      data = Object.fromEntries(
        Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, b64]) => [
          k,
          Buffer.from(b64, "base64").toString("utf8"),
        ]),
      );
      items = v.secret.items;
    }
    if (!data) continue;
    files[v.name] = items
      ? Object.fromEntries(items.map((it) => [it.path as string, data[it.key as string] ?? ""]))
      : data;
  }
  return files;
}

/**
 * Route URLs `<scheme>://[user:pass@]<sts>-<i>.<sts>-headless...:6222` pointed at
 * server i's loopback route port (in nats.conf and in the routes include).
 */
function rewriteRouteUrls(text: string, statefulSet: string, ports: { route: number }[]): string {
  const route = new RegExp(
    `(nats|tls)://([^@"\\s/]+@)?${statefulSet}-(\\d+)\\.${statefulSet}-headless[a-z0-9.-]*:6222`,
    "g",
  );
  return text.replace(
    route,
    (_m, scheme: string, userinfo: string | undefined, i: string) =>
      `${scheme}://${userinfo ?? ""}127.0.0.1:${ports[Number(i)].route}`,
  );
}

/** The pod's nats.conf with ports, route hosts and mount paths made local. */
function rewriteConfig(
  conf: string,
  statefulSet: string,
  mounts: KubeObject[],
  root: string,
  ports: { client: number; route: number; monitor: number }[],
  index: number,
): string {
  let c = conf;
  const swap = (from: RegExp, to: string, what: string) => {
    if (!from.test(c)) throw new Error(`kube harness: the pod's nats.conf has no ${what}`);
    c = c.replace(from, to);
  };
  // `host` also sets the monitoring listener's host (nats-server's http_host default).
  swap(/"port": 4222\b/, `"host": "127.0.0.1", "port": ${ports[index].client}`, "client port 4222");
  swap(/"http_port": 8222\b/, `"http_port": ${ports[index].monitor}`, "monitoring port 8222");
  if (ports.length > 1) {
    swap(/"port": 6222\b/, `"host": "127.0.0.1", "port": ${ports[index].route}`, "route port 6222");
    c = rewriteRouteUrls(c, statefulSet, ports);
  }
  // Longest mount paths first, so /etc/nats-certs/nats wins over a shorter prefix.
  for (const m of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length))
    c = c.split(`"${m.mountPath}`).join(`"${path.join(root, m.mountPath)}`);
  return c;
}

/**
 * What the kubelet does to an env value: `$(NAME)` becomes the value of a variable
 * defined earlier in the container's env (left as written when undefined), `$$` is `$`.
 */
function expandEnvReferences(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? "$" : (env[name] ?? m),
  );
}
