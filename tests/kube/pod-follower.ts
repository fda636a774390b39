// What a kubelet does for the servers made real (pods-real.ts), since kwok runs
// no containers: a server whose pod is deleted (or replaced by a new pod of
// the same name) is stopped, as the kubelet stops a container on deletion;
// when a pod of that name runs on a node again, its server starts again with
// the same configuration and data directory (the volume claim outlives the pod).
// A poll of the API server, not a watch: a few pods, a few hundred ms.
import type { KubeObject, KubePlane } from "./control-plane";
import type { KubeProcess } from "./process";

export interface FollowedServer {
  pod: string;
  process: KubeProcess;
}

export interface PodFollower {
  /** Pod name -> what happened to its server, in order ("stopped", "started"). */
  readonly events: Record<string, ("stopped" | "started")[]>;
  stop(): Promise<void>;
}

/**
 * Follows the pods of `servers`. `uids` are the pods' UIDs when their servers
 * started; `start(server)` starts a stopped server again (and returns its process).
 */
export function followPods(
  plane: KubePlane,
  namespace: string,
  servers: FollowedServer[],
  uids: Record<string, string>,
  start: (server: FollowedServer) => KubeProcess,
  intervalMs = 250,
): PodFollower {
  const events: PodFollower["events"] = Object.fromEntries(servers.map((s) => [s.pod, []]));
  const running = new Map(servers.map((s) => [s.pod, true]));
  let stopped = false;
  const step = async (s: FollowedServer) => {
    let pod: KubeObject | undefined;
    try {
      pod = await plane.get(`/api/v1/namespaces/${namespace}/pods/${s.pod}`);
    } catch {
      return; // the API server busy: try again next round
    }
    const gone = !pod || pod.metadata.deletionTimestamp || pod.metadata.uid !== uids[s.pod];
    if (running.get(s.pod) && gone) {
      await s.process.stop();
      running.set(s.pod, false);
      events[s.pod].push("stopped");
    } else if (!running.get(s.pod) && pod && !pod.metadata.deletionTimestamp && pod.spec?.nodeName) {
      s.process = start(s);
      uids[s.pod] = pod.metadata.uid;
      running.set(s.pod, true);
      events[s.pod].push("started");
    }
  };
  const loop = (async () => {
    while (!stopped) {
      for (const s of servers) if (!stopped) await step(s);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    events,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
