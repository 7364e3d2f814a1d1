/**
 * Local three-way conference: the phone bridges its user and two calls. Each call hears the user and
 * the other call; the user hears both calls. Sums saturate at 16 bits; nothing is allocated.
 */

function sat(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/**
 * Mixes count samples: mic (the user), fromA and fromB (what each call's jitter buffer played) into
 * toA and toB (what each call sends) and speaker. Outputs must not alias the inputs.
 */
export function mixConference(
  mic: Int16Array, fromA: Int16Array, fromB: Int16Array, toA: Int16Array, toB: Int16Array, speaker: Int16Array, count = mic.length,
): void {
  for (let i = 0; i < count; i++) {
    const m = mic[i]!;
    const a = fromA[i]!;
    const b = fromB[i]!;
    toA[i] = sat(m + b);
    toB[i] = sat(m + a);
    speaker[i] = sat(a + b);
  }
}
