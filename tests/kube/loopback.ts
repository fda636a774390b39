// The loopback-only check: every TCP/UDP socket of the given processes (as
// `ss` sees them) has a 127.0.0.0/8 local address, and a 127.0.0.0/8 peer
// when it is connected. A listener on 0.0.0.0 or [::] is a violation too.
import { execFileSync } from "node:child_process";

export interface SocketViolation {
  pid: number;
  process: string;
  state: string;
  local: string;
  peer: string;
}

/** Whether an `ss` address (`127.0.0.1:80`, `[::ffff:127.0.0.1]:80`, `*:*`) is loopback, or unset for the peer of a listener. */
function hostOf(addr: string): string {
  const m = /^\[(.*)\]:[^:]+$/.exec(addr) ?? /^(.*):[^:]+$/.exec(addr);
  return (m ? m[1] : addr).replace(/%.*$/, "");
}
const isLoopback = (host: string): boolean =>
  /^127\./.test(host) || /^::ffff:127\./.test(host) || host === "::1";
const isUnset = (host: string): boolean => host === "*" || host === "0.0.0.0" || host === "::";

/**
 * Sockets of `pids` that break the loopback-only rule. Parses
 * `ss -tuanpH` (needs ss from iproute2 and the right to see the pids' sockets).
 */
export function loopbackViolations(pids: number[]): { violations: SocketViolation[]; sockets: number } {
  const out = execFileSync("ss", ["-tuanpH"], { encoding: "utf8" });
  const wanted = new Set(pids);
  const violations: SocketViolation[] = [];
  let sockets = 0;
  for (const line of out.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 7) continue;
    const [, state, , , local, peer] = cols;
    const users = cols.slice(6).join(" ");
    for (const m of users.matchAll(/\("([^"]*)",pid=(\d+),/g)) {
      const pid = Number(m[2]);
      if (!wanted.has(pid)) continue;
      sockets++;
      const lh = hostOf(local);
      const ph = hostOf(peer);
      const listening = state === "LISTEN" || state === "UNCONN";
      const ok = isLoopback(lh) && (listening ? isUnset(ph) || isLoopback(ph) : isLoopback(ph));
      if (!ok) violations.push({ pid, process: m[1], state, local, peer });
    }
  }
  return { violations, sockets };
}
