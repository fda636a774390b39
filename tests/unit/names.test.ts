// Names and subjects: the local checks that stand in for the server's, and
// subject-filter overlap checked against a brute-force matcher.
import assert from "node:assert/strict";
import {
  assetNameProblem,
  bucketNameProblem,
  subjectProblem,
  subjectsOverlap,
} from "../../sdk/jetstream/names";

describe("names: streams and consumers", () => {
  for (const name of [
    "EVENTS",
    "event-processor",
    "a_b",
    "A1",
    "ünïcödé",
    "x".repeat(255),
    "$weird",
    "a-b_c~d",
  ]) {
    it(`accepts ${JSON.stringify(name.slice(0, 20))}`, () => assert.equal(assetNameProblem(name), undefined));
  }
  for (const name of [
    "",
    "a.b",
    "a*",
    "a>",
    "a b",
    "a\tb",
    "a\nb",
    "a/b",
    "a\\b",
    "x".repeat(256),
    "é".repeat(128),
  ]) {
    it(`refuses ${JSON.stringify(name.slice(0, 20))}`, () => assert.ok(assetNameProblem(name)));
  }
});

describe("names: KV buckets and object stores", () => {
  for (const name of ["config", "my-bucket", "my_bucket", "B1", "a".repeat(251)]) {
    it(`accepts ${JSON.stringify(name.slice(0, 20))}`, () =>
      assert.equal(bucketNameProblem(name), undefined));
  }
  for (const name of ["", "a.b", "a b", "a*", "a>", "a/b", "ü", "a:b", "a".repeat(252)]) {
    it(`refuses ${JSON.stringify(name.slice(0, 20))}`, () => assert.ok(bucketNameProblem(name)));
  }
});

describe("names: subjects", () => {
  for (const s of ["a", "a.b", "a.*", "a.>", ">", "*", "a.*.c", "$KV.b.>", "events.>", "a-b.c_d"]) {
    it(`accepts ${JSON.stringify(s)}`, () => assert.equal(subjectProblem(s), undefined));
  }
  for (const s of ["", "a..b", ".a", "a.", "a.>.b", ">.a", "a.b*", "a.*b", "a.b>", "a b", "a\tb", "a.**"]) {
    it(`refuses ${JSON.stringify(s)}`, () => assert.ok(subjectProblem(s)));
  }
  it("refuses wildcards where a literal subject is needed", () => {
    assert.ok(subjectProblem("a.*", false));
    assert.ok(subjectProblem("a.>", false));
    assert.equal(subjectProblem("a.b", false), undefined);
  });
});

/** Does filter `f` match literal subject `s`? (NATS rules: * one token, > one or more trailing tokens.) */
function matches(f: string[], s: string[]): boolean {
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

function all(tokens: string[], maxLen: number, lastOnly?: string): string[][] {
  const out: string[][] = [];
  const walk = (prefix: string[]) => {
    if (prefix.length) out.push(prefix);
    if (prefix.length === maxLen || (lastOnly !== undefined && prefix[prefix.length - 1] === lastOnly))
      return;
    for (const t of [...tokens, ...(lastOnly ? [lastOnly] : [])]) walk([...prefix, t]);
  };
  walk([]);
  return out;
}

describe("names: subjectsOverlap", () => {
  const cases: [string, string, boolean][] = [
    ["a.b", "a.b", true],
    ["a.*", "a.b", true],
    ["a.>", "a.b.c", true],
    ["a.>", "a", false],
    [">", "a", true],
    ["a.*", "a.b.c", false],
    ["a.b", "a.c", false],
    ["*.b", "a.*", true],
    ["a.*.c", "a.b.*", true],
    ["a.>", "b.>", false],
    [">", ">", true],
    ["a", "a.b", false],
    ["*", ">", true],
    ["a.*", ">", true],
    ["events.>", "events", false],
  ];
  for (const [a, b, want] of cases) {
    it(`${a} and ${b}: ${want ? "overlap" : "disjoint"}`, () => {
      assert.equal(subjectsOverlap(a, b), want);
      assert.equal(subjectsOverlap(b, a), want, "symmetric");
    });
  }

  it("agrees with a brute-force matcher on every pair of filters up to 3 tokens", () => {
    const filters = all(["a", "b", "*"], 3, ">");
    // Literal subjects with a token no filter names, and longer than any filter.
    const subjects = all(["a", "b", "c"], 4);
    let pairs = 0;
    for (const f of filters) {
      for (const g of filters) {
        const brute = subjects.some((s) => matches(f, s) && matches(g, s));
        assert.equal(subjectsOverlap(f.join("."), g.join(".")), brute, `${f.join(".")} vs ${g.join(".")}`);
        pairs++;
      }
    }
    assert.ok(pairs > 1000, `${pairs} pairs`);
  });
});
