// What the benchmark's Pulumi programs create (bench/up.ts sets these
// variables for the CLI, which passes them on to the program): BENCH_N file
// streams of 3 replicas named <BENCH_PREFIX><i>, on the servers in BENCH_SERVERS.
export interface StreamSpec {
  resource: string;
  name: string;
  subjects: string[];
}

export function benchServers(): string[] {
  const servers = process.env.BENCH_SERVERS;
  if (!servers) throw new Error("BENCH_SERVERS is not set: run this program through bench/up.ts");
  return servers.split(",");
}

export function benchStreams(): StreamSpec[] {
  const n = Number(process.env.BENCH_N ?? 200);
  const prefix = process.env.BENCH_PREFIX ?? "B";
  return Array.from({ length: n }, (_, i) => ({
    resource: `s${i}`,
    name: `${prefix}${i}`,
    subjects: [`${prefix.toLowerCase()}${i}.>`],
  }));
}
