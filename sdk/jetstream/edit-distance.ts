// "Did you mean ...?" for misspelt field and chart-key names.

/** Levenshtein distance between two names, ignoring case. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[y.length];
}

/** The candidate nearest to `word`. */
export function closest(word: string, candidates: readonly string[]): string {
  return candidates.reduce((best, c) => (editDistance(word, c) < editDistance(word, best) ? c : best));
}
