/** Exponential backoff with jitter: attempt 1 waits ~base, each further attempt doubles, capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(attempt - 1, 0));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
