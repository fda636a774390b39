// Server URLs can carry credentials (`nats://user:pass@host:4222`,
// `nats://token@host`), so they are credentials wherever they do: kept
// secret in the state, and shown without the user info where readable.

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i;

/** A server URL carrying credentials. */
export function hasUserinfo(url: unknown): boolean {
  return typeof url === "string" && USERINFO.test(url.trim());
}

/** Whether any of the servers (a URL or a list of URLs) carries credentials. */
export function serversCarryCredentials(servers: unknown): boolean {
  return (Array.isArray(servers) ? servers : [servers]).some(hasUserinfo);
}

/** The servers (a URL or a list) without their user info: `nats://host:4222`. */
export function withoutUserinfo<T>(servers: T): T {
  const strip = (url: unknown) => (typeof url === "string" ? url.trim().replace(USERINFO, "$1") : url);
  return (Array.isArray(servers) ? servers.map(strip) : strip(servers)) as T;
}

/**
 * The credentials the first URL with user info carries: `user:pass@` as a
 * user and password, a lone `token@` as a token (the NATS URL conventions).
 */
export function userinfoOf(servers: readonly string[]): { user?: string; pass?: string; token?: string } {
  for (const url of servers) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url.trim());
    if (!m) continue;
    const colon = m[1].indexOf(":");
    if (colon < 0) return { token: decodeURIComponent(m[1]) };
    return {
      user: decodeURIComponent(m[1].slice(0, colon)),
      pass: decodeURIComponent(m[1].slice(colon + 1)),
    };
  }
  return {};
}
