/**
 * "Did you mean `abx report`?": a first argument that is not a URL but is
 * a near miss of a command name (at most 2 edits) is a typo, not a host.
 */

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The nearest command within 2 edits of `word`, when `word` cannot be a URL (no scheme, dot, colon or slash). */
export function suggestCommand(word: string | undefined, commands: readonly string[]): string | null {
  if (!word || word.startsWith('-') || /[.:/]/.test(word) || commands.includes(word)) return null;
  let best: { name: string; distance: number } | null = null;
  for (const name of commands) {
    const distance = editDistance(word.toLowerCase(), name);
    if (distance <= 2 && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}
