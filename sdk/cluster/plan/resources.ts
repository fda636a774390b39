// Sizing of the NATS server container: a preset or explicit requests and
// limits, and GOMEMLIMIT derived from the memory limit.
import type { ExplicitResources, NatsClusterArgs } from "../args";
import { show, type Issues } from "../errors";
import { isPreset, PRESETS } from "./presets";
import { goMemLimit, parseBytes, parseMilliCpu } from "./quantity";
import type { ResourcesPlan } from "./types";

export function planResources(r: NatsClusterArgs["resources"], issues: Issues): ResourcesPlan {
  const fallback = PRESETS.medium;
  let requests = fallback;
  let limits = fallback;
  if (r === undefined || typeof r === "string") {
    const name = r ?? "medium";
    if (isPreset(name)) requests = limits = PRESETS[name];
    else
      issues.add(
        "resources",
        `unknown preset ${show(name)}: use one of ${Object.keys(PRESETS).join(", ")}, or { requests, limits }.`,
      );
  } else if (typeof r === "object" && r !== null) {
    const e = r as ExplicitResources;
    const req = e.requests as Partial<ExplicitResources["requests"]> | undefined;
    if (!req || typeof req !== "object")
      issues.add("resources.requests", 'is required: { cpu, memory }, e.g. { cpu: "2", memory: "4Gi" }.');
    requests = { cpu: String(req?.cpu ?? fallback.cpu), memory: String(req?.memory ?? fallback.memory) };
    limits = { cpu: e.limits?.cpu ?? requests.cpu, memory: e.limits?.memory ?? requests.memory };
    for (const [path, v] of [
      ["resources.requests.cpu", req?.cpu],
      ["resources.limits.cpu", e.limits?.cpu],
    ] as const)
      if ((path.includes("requests") || v !== undefined) && parseMilliCpu(v) === undefined)
        issues.add(path, `${show(v)} is not a CPU quantity (like "500m" or "2").`);
    for (const [path, v] of [
      ["resources.requests.memory", req?.memory],
      ["resources.limits.memory", e.limits?.memory],
    ] as const)
      if ((path.includes("requests") || v !== undefined) && parseBytes(v) === undefined)
        issues.add(path, `${show(v)} is not a memory size (like "512Mi" or "4Gi").`);
    const rc = parseMilliCpu(requests.cpu),
      lc = parseMilliCpu(limits.cpu);
    const rm = parseBytes(requests.memory),
      lm = parseBytes(limits.memory);
    if (rc && lc && lc < rc)
      issues.add("resources.limits.cpu", `${limits.cpu} is below the request ${requests.cpu}.`);
    if (rm && lm && lm < rm)
      issues.add("resources.limits.memory", `${limits.memory} is below the request ${requests.memory}.`);
  } else {
    issues.add("resources", `must be a preset name or { requests, limits }, got ${show(r)}.`);
  }
  const memBytes = parseBytes(limits.memory) ?? parseBytes(fallback.memory)!;
  return {
    requests: { cpu: requests.cpu, memory: requests.memory },
    limits: { cpu: limits.cpu, memory: limits.memory },
    // The Go runtime collects harder as it nears this, keeping the process under the cgroup limit.
    goMemLimit: goMemLimit(memBytes, 0.8),
    milliCpu: parseMilliCpu(requests.cpu) ?? 1000,
  };
}
