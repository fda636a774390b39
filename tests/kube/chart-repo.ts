// A Helm chart repository on 127.0.0.1 serving the NATS chart package from
// ../shared/charts (never copied into the project): an index.yaml naming
// nats 2.14.2 with the package's sha256 as its digest, and the package. The
// component's `chart.repository` points here; a user's `pulumi up` downloads
// the same chart from the public repository instead.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { repoRoot } from "../harness";

export const CHART_VERSION = "2.14.2";
/** sha256 of nats-2.14.2.tgz, as ../shared/charts/README.md gives it. */
const CHART_SHA256 = "fc3adb0cc7b3235f324712e5b126e4800ba67ecd9662088beb69d8f5f96a08a4";

/** The chart package's path: $PULUMI_NATS_CHARTS_DIR or ../shared/charts beside the main checkout. */
export function chartPackage(): string {
  const candidates = [
    process.env.PULUMI_NATS_CHARTS_DIR,
    path.resolve(repoRoot(), "../shared/charts"),
    path.resolve(repoRoot(), "../../shared/charts"),
    "/work/shared/charts",
  ].filter((d): d is string => !!d);
  for (const dir of candidates) {
    const file = path.join(dir, `nats-${CHART_VERSION}.tgz`);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    `kube harness: nats-${CHART_VERSION}.tgz not found in ${candidates.join(", ")}; ` +
      `set PULUMI_NATS_CHARTS_DIR to the directory holding it.`,
  );
}

export interface ChartRepo {
  /** e.g. http://127.0.0.1:23456/ — what NatsCluster's `chart.repository` takes. */
  url: string;
  /** Requests served, e.g. ["/index.yaml", "/nats-2.14.2.tgz"]. */
  requests: string[];
  close(): Promise<void>;
}

export async function serveChartRepo(): Promise<ChartRepo> {
  const file = chartPackage();
  const tgz = fs.readFileSync(file);
  const digest = crypto.createHash("sha256").update(tgz).digest("hex");
  if (digest !== CHART_SHA256)
    throw new Error(
      `kube harness: ${file} has sha256 ${digest}, expected ${CHART_SHA256} (the pinned chart)`,
    );
  const requests: string[] = [];
  let base = "";
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/index.yaml") {
      res.writeHead(200, { "content-type": "text/yaml" });
      res.end(
        [
          "apiVersion: v1",
          "entries:",
          "  nats:",
          "    - apiVersion: v2",
          "      name: nats",
          `      version: ${CHART_VERSION}`,
          `      appVersion: ${CHART_VERSION}`,
          `      digest: ${digest}`,
          "      urls:",
          `        - ${base}nats-${CHART_VERSION}.tgz`,
          `generated: "2026-01-01T00:00:00Z"`,
          "",
        ].join("\n"),
      );
    } else if (req.url === `/nats-${CHART_VERSION}.tgz`) {
      res.writeHead(200, { "content-type": "application/gzip", "content-length": tgz.length });
      res.end(tgz);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, resolve);
  });
  server.unref();
  const port = (server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}/`;
  return {
    url: base,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
