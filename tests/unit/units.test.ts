// Durations and sizes: parsing, formatting and exact round trips, including
// property-style loops over many values.
import assert from "node:assert/strict";
import {
  parseDuration,
  formatDuration,
  parseSize,
  parseLegacySize,
  formatSize,
  UnitError,
} from "../../sdk/jetstream/units";

const NS = { us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 7 * 86400e9 };

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("units: durations", () => {
  const good: [string | number, number][] = [
    ["30s", 30 * NS.s],
    ["250ms", 250 * NS.ms],
    ["1.5s", 1.5 * NS.s],
    ["100us", 100 * NS.us],
    ["100µs", 100 * NS.us],
    ["100ns", 100],
    ["1ns", 1],
    ["1h30m", 90 * NS.m],
    ["1h30m15.5s", 90 * NS.m + 15.5 * NS.s],
    ["7d", 7 * NS.d],
    ["2w", 2 * NS.w],
    ["1d12h", 36 * NS.h],
    ["0", 0],
    ["0s", 0],
    [" 5m ", 5 * NS.m],
    ["1.000000001s", 1_000_000_001],
    ["0.5ms", 500 * NS.us],
    [0, 0],
    [1500, 1.5 * NS.s],
    [1.5, 1.5 * NS.ms],
    [0.000001, 1],
  ];
  for (const [input, ns] of good) {
    it(`parses ${JSON.stringify(input)} as ${ns} ns`, () => assert.equal(parseDuration(input), ns));
  }

  const bad: unknown[] = [
    "7 days",
    "-1s",
    "",
    "1.5",
    "s",
    "1h 30m",
    "1x",
    "10",
    "1.0000000001s",
    "0.1ns",
    -1,
    NaN,
    Infinity,
    0.0000001,
    "1e3s",
    "1,5s",
    // Beyond the server's int64 nanoseconds (about 292 years).
    "100000000w",
    "106752d",
  ];
  for (const input of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseDuration(input as string), UnitError);
    });
  }
  for (const negative of ["-1s", " -5m", -1, -0.5]) {
    it(`says ${JSON.stringify(negative)} is negative`, () => {
      assert.throws(() => parseDuration(negative), /is negative/);
    });
  }

  const formats: [number, string][] = [
    [0, "0s"],
    [1, "1ns"],
    [999, "999ns"],
    [1500, "1.5us"],
    [250 * NS.ms, "250ms"],
    [1.5 * NS.s, "1.5s"],
    [30 * NS.s, "30s"],
    [90 * NS.m, "1h30m"],
    [7 * NS.d, "7d"],
    [NS.d + NS.s, "1d1s"],
    [NS.h + 1, "1h1ns"],
    [2 * NS.m + 250 * NS.ms, "2m250ms"],
    [2 ** 63 - 1024, "106751d23h47m16.854774784s"],
  ];
  for (const [ns, text] of formats) {
    it(`formats ${ns} ns as ${text}`, () => assert.equal(formatDuration(ns), text));
  }

  it("round-trips 20000 random nanosecond counts exactly (parse(format(ns)) === ns)", () => {
    const r = rng(42);
    for (let i = 0; i < 20_000; i++) {
      // Mix magnitudes from nanoseconds to years, and values on unit boundaries.
      const magnitude = 10 ** Math.floor(r() * 17);
      const ns =
        i % 5 === 0
          ? Math.floor(r() * 1000) * [1, NS.us, NS.ms, NS.s, NS.m, NS.h, NS.d][i % 7]
          : Math.floor(r() * magnitude);
      const text = formatDuration(ns);
      assert.equal(parseDuration(text), ns, `${ns} -> ${text}`);
      assert.equal(formatDuration(parseDuration(text)), text, `${text} is stable`);
    }
  });

  it("round-trips random composed strings (parse, format, parse gives the same ns)", () => {
    const r = rng(7);
    const units = ["w", "d", "h", "m", "s", "ms", "us", "ns"];
    for (let i = 0; i < 5000; i++) {
      const parts = units.filter(() => r() < 0.4).map((u) => `${Math.floor(r() * 100)}${u}`);
      if (!parts.length) continue;
      const text = parts.join("");
      let ns: number;
      try {
        ns = parseDuration(text);
      } catch (err) {
        // Only sums a double cannot carry exactly (beyond 2^53 ns, ~104 days) are refused.
        assert.match((err as Error).message, /cannot be represented exactly/, text);
        continue;
      }
      assert.equal(parseDuration(formatDuration(ns)), ns, text);
    }
  });

  it("milliseconds given as numbers equal the same string", () => {
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(r() * 1e9);
      assert.equal(parseDuration(ms), parseDuration(`${ms}ms`));
    }
  });
});

describe("units: sizes, as NATS reads them", () => {
  // The table of nats-server's configuration parser (conf/parse.go) and the
  // NATS CLI (internal/util ParseStringAsBytes): every unit spelt with B, i
  // or iB is binary; a bare prefix is read differently by the two.
  const GiB = 1024 ** 3;
  const good: [string | number, number][] = [
    ["10GiB", 10 * GiB],
    ["10Gi", 10 * GiB],
    ["10gib", 10 * GiB],
    ["10GB", 10 * GiB],
    ["10gb", 10 * GiB],
    ["10Gb", 10 * GiB],
    ["512MiB", 512 * 1024 ** 2],
    ["512MB", 512 * 1024 ** 2],
    ["512Mi", 512 * 1024 ** 2],
    ["1KB", 1024],
    ["1Ki", 1024],
    ["1.5KiB", 1536],
    ["1.5KB", 1536],
    ["1TB", 1024 ** 4],
    ["2TiB", 2 * 1024 ** 4],
    ["1PB", 1024 ** 5],
    ["1EiB", 1024 ** 6],
    ["1 KiB", 1024],
    ["100B", 100],
    ["100b", 100],
    ["100", 100],
    ["0", 0],
    ["-1", -1],
    [0, 0],
    [1024, 1024],
    [-1, -1],
  ];
  for (const [input, bytes] of good) {
    it(`parses ${JSON.stringify(input)} as ${bytes} bytes`, () => assert.equal(parseSize(input), bytes));
  }
  it("the tutorial's 10GB is exactly 1024 * 1024 * 1024 * 10 bytes", () =>
    assert.equal(parseSize("10GB"), 1024 * 1024 * 1024 * 10));
  it("10GiB and 10GB are the same size, as in nats-server and the NATS CLI", () =>
    assert.equal(parseSize("10GiB"), parseSize("10GB")));

  for (const [bare, n] of [
    ["10K", 1],
    ["10M", 2],
    ["10G", 3],
    ["10t", 4],
    ["1P", 5],
  ] as const) {
    it(`refuses the ambiguous ${JSON.stringify(bare)}, giving both readings`, () => {
      assert.throws(
        () => parseSize(bare),
        (err: Error) =>
          err instanceof UnitError &&
          /is ambiguous/.test(err.message) &&
          err.message.includes(String(Number.parseInt(bare) * 1000 ** n)) &&
          err.message.includes(String(Number.parseInt(bare) * 1024 ** n)) &&
          err.message.includes(`${bare.slice(0, -1)}${bare.slice(-1).toUpperCase()}iB`),
      );
    });
  }

  it("reads a state written before NATS units the old way (10GB = 10^9 bytes)", () => {
    assert.equal(parseLegacySize("10GB"), 10e9);
    assert.equal(parseLegacySize("10G"), 10e9);
    assert.equal(parseLegacySize("10GiB"), 10 * GiB);
    assert.equal(parseLegacySize(1000), 1000);
    assert.equal(parseLegacySize("nonsense"), undefined);
  });

  const bad: unknown[] = [
    "10XB",
    1.5,
    "1.5B",
    "1.0001KB",
    "ten",
    "1,000",
    "1e3",
    NaN,
    2 ** 53 + 2,
    "",
    "KB",
    "-2GB",
    "10 G B",
    "10000PiB",
  ];
  for (const input of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => assert.throws(() => parseSize(input as string), UnitError));
  }

  const formats: [number, string][] = [
    [-1, "-1"],
    [0, "0B"],
    [1, "1B"],
    [1000, "1000B"],
    [1024, "1KiB"],
    [1536, "1536B"],
    [1_500_000, "1500000B"],
    [10 * GiB, "10GiB"],
    [10e9, "9765625KiB"],
    [3 * 1024 ** 5, "3PiB"],
    [2e15, "1953125000000KiB"],
  ];
  for (const [bytes, text] of formats) {
    it(`formats ${bytes} as ${text}`, () => assert.equal(formatSize(bytes), text));
  }

  it("round-trips 20000 random byte counts exactly", () => {
    const r = rng(11);
    const units = [1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4, 1000, 1e6, 1e9];
    for (let i = 0; i < 20_000; i++) {
      const bytes =
        i % 3 === 0
          ? Math.floor(r() * 10_000) * units[i % units.length]
          : Math.floor(r() * 10 ** Math.floor(r() * 16));
      const text = formatSize(bytes);
      assert.equal(parseSize(text), bytes, `${bytes} -> ${text}`);
    }
  });

  it("every binary spelling equals its byte count", () => {
    const r = rng(5);
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(r() * 100_000);
      assert.equal(parseSize(`${n}KiB`), n * 1024);
      assert.equal(parseSize(`${n}KB`), n * 1024);
      assert.equal(parseSize(`${n}MB`), parseSize(`${n * 1024}KB`));
      assert.equal(parseSize(`${n}MiB`), parseSize(`${n * 1024}Ki`));
    }
  });
});
