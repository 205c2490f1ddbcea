/** Comparator for Array.prototype.sort: records with an ISO 8601 `at`, oldest first. */
export function byTime(a: { at: string }, b: { at: string }): number {
  // Date.parse, not string order: a result file may hold `…:00Z` beside `…:00.000Z`.
  return Date.parse(a.at) - Date.parse(b.at);
}
