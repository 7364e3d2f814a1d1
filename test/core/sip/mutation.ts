// Seeded mutation of header values, for the tests that check a fast path against the general parser.

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that break header grammar in interesting ways. */
export const ALPHABET: readonly string[] = [' ', '\t', ';', '=', ',', '"', '\\', '<', '>', ':', '/', '[', ']', '@', '?', '.',
  '-', 'a', 'Z', '0', '9', '%', 'é', '\r\n ', '*'];

/** One to three random insertions, deletions or replacements from `alphabet`. */
export function mutate(s: string, next: () => number, alphabet: readonly string[] = ALPHABET): string {
  const edits = 1 + Math.floor(next() * 3);
  for (let k = 0; k < edits; k++) {
    const pos = Math.floor(next() * (s.length + 1));
    const op = next();
    const ch = alphabet[Math.floor(next() * alphabet.length)]!;
    if (op < 0.4) s = s.slice(0, pos) + ch + s.slice(pos);
    else if (op < 0.7) s = s.slice(0, pos) + s.slice(pos + 1);
    else s = s.slice(0, pos) + ch + s.slice(pos + 1);
  }
  return s;
}

/** The value fn returns, or the message of what it throws. */
export function outcome<T>(fn: () => T): { ok: T } | { error: string } {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
