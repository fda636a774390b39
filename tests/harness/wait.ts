// Small helpers: monitoring HTTP requests and polling with a deadline.
import http from "node:http";

/** The answer of a monitoring endpoint. */
export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

/** GET a monitoring endpoint on 127.0.0.1 and parse its JSON (no keep-alive). */
export function getJson<T = unknown>(url: string, timeoutMs = 2000): Promise<HttpAnswer<T>> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as T });
        } catch {
          reject(
            new Error(`harness: ${url} answered ${res.statusCode} with non-JSON: ${text.slice(0, 200)}`),
          );
        }
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`harness: ${url} did not answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Call `probe` every `intervalMs` until it returns a value other than
 * undefined, or fail after `timeoutMs` with `describe()` in the message.
 * A probe that throws counts as "not yet"; its last error is reported.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  opts: {
    timeoutMs: number;
    intervalMs?: number;
    what: string;
    describe?: () => string;
    abort?: () => string | undefined;
  },
): Promise<Exclude<T, undefined>> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) throw new Error(`harness: gave up waiting for ${opts.what}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined) return value as Exclude<T, undefined>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const extra = opts.describe ? `\n${opts.describe()}` : "";
      throw new Error(
        `harness: timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${last}${extra}`,
      );
    }
    await sleep(opts.intervalMs ?? 20);
  }
}
