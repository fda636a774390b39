// Who a port-forward belongs to. A forward is tied to one stack, one API
// server URL and one release (namespace/name): two stacks deploying the same
// namespace/name to different clusters (dev and prod) must never share one.
//
// The daemon answers "who are you" on a Unix socket in a directory only this
// user can enter (a named pipe on Windows), next to its TCP listener: the TCP
// port itself is a raw tunnel to NATS and cannot carry anything else. A port
// whose listener has no such socket, or a different identity, is refused.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface ForwardIdentity {
  /** `<project>/<stack>` of the program that opened it. */
  stack: string;
  /** The API server URL the kubeconfig's current context points at. */
  apiServer: string;
  namespace: string;
  /** The NatsCluster's release name (= its StatefulSet's name). */
  release: string;
}

export interface HeldIdentity extends ForwardIdentity {
  /** The daemon's process id. */
  pid: number;
}

export function sameIdentity(a: ForwardIdentity, b: ForwardIdentity): boolean {
  return (
    a.stack === b.stack &&
    a.apiServer === b.apiServer &&
    a.namespace === b.namespace &&
    a.release === b.release
  );
}

export function describeIdentity(i: ForwardIdentity): string {
  return `stack ${i.stack || "(unknown)"}, release ${i.namespace}/${i.release} at ${i.apiServer}`;
}

function userTag(): string {
  return typeof process.getuid === "function" ? String(process.getuid()) : os.userInfo().username;
}

/** The control socket of the forward on 127.0.0.1:<port>. */
export function controlPath(port: number): string {
  if (process.platform === "win32") return `\\\\.\\pipe\\pulumi-nats-pf-${userTag()}-${port}`;
  return path.join(privateDir(), `${port}.sock`);
}

/** A directory only this user can enter; refuses one that another user made. */
function privateDir(): string {
  const dir = path.join(os.tmpdir(), `pulumi-nats-pf-${userTag()}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0)
    throw new Error(`${dir} is not a private directory of this user; remove it`);
  return dir;
}

/** Serves the identity on the control socket (inside the daemon). */
export async function serveIdentity(port: number, identity: HeldIdentity): Promise<net.Server> {
  const where = controlPath(port);
  // A stale socket of a daemon that died: this process holds the TCP port now.
  if (process.platform !== "win32") fs.rmSync(where, { force: true });
  const server = net.createServer((s) => {
    s.on("error", () => s.destroy());
    s.end(JSON.stringify(identity));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(where, () => resolve());
  });
  return server;
}

/** The identity of the daemon holding 127.0.0.1:<port>; undefined when none answers. */
export function readIdentity(port: number, timeoutMs = 5000): Promise<HeldIdentity | undefined> {
  let where: string;
  try {
    where = controlPath(port);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const s = net.connect(where);
    let data = "";
    const done = (v: HeldIdentity | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    s.once("error", () => done(undefined));
    s.on("data", (d: Buffer) => (data += d.toString()));
    s.once("end", () => {
      try {
        const v = JSON.parse(data) as HeldIdentity;
        done(typeof v.pid === "number" && typeof v.release === "string" ? v : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}
