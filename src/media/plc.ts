/**
 * Packet loss concealment after G.711 Appendix I, in 10 ms frames: on the first lost frame the pitch
 * period is estimated from the output history (normalised cross-correlation, 5–15 ms), and the last
 * period is repeated with an overlap-added loop point; each further lost frame widens the repeated
 * span (2, then 3 periods) so the buzz of a single repeated period fades, and the level falls 20 % per
 * 10 ms after the first 10 ms, reaching silence at 60 ms. The first good frame after a loss is
 * cross-faded from the synthetic continuation (1/4 period + 4 ms per extra lost frame, at most 10 ms).
 * Unlike Appendix I there is no 3.75 ms output delay: the loop point, not the last real samples, is smoothed.
 *
 * Better than Appendix I when the jitter buffer already holds the audio after the gap (usual for a
 * single lost packet): concealBetween() also extends that future audio backwards by its pitch period
 * and cross-fades from the forward to the backward extension across the gap, so the gap joins the
 * real audio after it without the end-of-loss fade.
 */

export const PLC_FRAME = 80;
const PITCH_MIN = 40;
const PITCH_MAX = 120;
const CORR_LEN = 160;
/** 3 periods of the lowest pitch plus the overlap. */
const HISTORY = 3 * PITCH_MAX + PITCH_MAX / 4;
/** Samples after which the output is silent. */
const SILENT_AFTER = 6 * PLC_FRAME;

export class Plc {
  /** Last HISTORY output samples, oldest first. */
  readonly #history = new Int16Array(HISTORY);
  /** Snapshot of the history when the loss began. */
  readonly #snap = new Int16Array(HISTORY);
  #erased = 0;
  #pitch = PITCH_MIN;
  #overlap = PITCH_MIN / 4;
  /** Length of the looped span: 1, 2 or 3 periods. */
  #span = PITCH_MIN;
  /** Read position in #snap, within [HISTORY - span, HISTORY). */
  #pos = 0;
  /** Samples synthesised since the loss began. */
  #synth = 0;
  /** The last concealed frame already joined the audio after the gap (no fade-in needed). */
  #joined = false;

  /** Pitch period (samples) found at the start of the current or last loss. */
  get pitch(): number {
    return this.#pitch;
  }

  /** Frames concealed in a row so far. */
  get erasedFrames(): number {
    return this.#erased;
  }

  /** Forgets all history (a new stream). */
  reset(): void {
    this.#history.fill(0);
    this.#erased = 0;
  }

  /** Records a good frame of PLC_FRAME samples at pcm[offset], first smoothing the join after a loss. */
  good(pcm: Int16Array, offset: number): void {
    if (this.#erased > 0 && !this.#joined) {
      let n = this.#overlap + 32 * (this.#erased - 1);
      if (n > PLC_FRAME) n = PLC_FRAME;
      for (let i = 0; i < n; i++) {
        const a = (i + 1) / (n + 1);
        pcm[offset + i] = (1 - a) * this.next() + a * pcm[offset + i]!;
      }
    }
    this.#erased = 0;
    this.#joined = false;
    this.remember(pcm, offset);
  }

  /** Writes PLC_FRAME samples of concealment at pcm[offset]. */
  conceal(pcm: Int16Array, offset: number): void {
    this.step();
    for (let i = 0; i < PLC_FRAME; i++) pcm[offset + i] = this.next();
    this.#joined = false;
    this.remember(pcm, offset);
  }

  /**
   * Writes PLC_FRAME samples at pcm[offset] for a gap whose end is known: the gap ends untilEnd samples
   * after this frame's start (it may end inside this frame), it is gapLength samples long in all, and
   * future[futureOffset...] holds at least PLC_FRAME decoded samples from its end on.
   */
  concealBetween(pcm: Int16Array, offset: number, untilEnd: number, gapLength: number, future: Int16Array, futureOffset: number): void {
    this.step();
    const p = this.#pitch;
    for (let i = 0; i < PLC_FRAME; i++) {
      const k = untilEnd - i; // samples from here to the end of the gap
      if (k <= 0) {
        pcm[offset + i] = future[futureOffset - k]!;
        continue;
      }
      const forward = this.next();
      // the future audio continued backwards: one period before future[j] is future[j + p - p] ≈ future[j - p]
      const backward = future[futureOffset + ((p - (k % p)) % p)]!;
      const w = k >= gapLength ? 0 : (gapLength - k + 1) / (gapLength + 1);
      pcm[offset + i] = (1 - w) * forward + w * backward;
    }
    this.#joined = untilEnd <= PLC_FRAME;
    this.remember(pcm, offset);
  }

  private step(): void {
    if (this.#erased === 0) this.begin();
    else if (this.#erased < 3) {
      // Widen the loop to one more period, if the history holds it.
      const span = (this.#erased + 1) * this.#pitch;
      if (span + this.#overlap <= HISTORY) this.#span = span;
    }
    this.#erased++;
  }

  private begin(): void {
    this.#snap.set(this.#history);
    this.#pitch = this.findPitch();
    this.#overlap = this.#pitch >> 2;
    this.#span = this.#pitch;
    this.#pos = HISTORY - this.#pitch;
    this.#synth = 0;
  }

  /** Next synthetic sample: the looped span, cross-faded into its start near the loop point, attenuated. */
  private next(): number {
    const s = this.#snap;
    const pos = this.#pos;
    const k = this.#synth++;
    if (k >= SILENT_AFTER) return 0;
    let v = s[pos]!;
    const fadeFrom = HISTORY - this.#overlap;
    if (pos >= fadeFrom) {
      const a = (pos - fadeFrom + 1) / (this.#overlap + 1);
      v = (1 - a) * v + a * s[pos - this.#span]!;
    }
    this.#pos = pos + 1 < HISTORY ? pos + 1 : HISTORY - this.#span;
    if (k >= PLC_FRAME) v *= 1 - (0.2 * (k - PLC_FRAME)) / PLC_FRAME;
    return v;
  }

  /** The lag in [PITCH_MIN, PITCH_MAX] whose normalised correlation with the last 20 ms is highest. */
  private findPitch(): number {
    const h = this.#snap;
    const start = HISTORY - CORR_LEN;
    // Coarse search on every other lag and sample; multiples of the period score as high as the period
    // itself, so take the first peak that comes close to the best, then refine around it.
    let bestScore = 0;
    for (let lag = PITCH_MIN; lag <= PITCH_MAX; lag += 2) {
      const score = this.score(h, start, lag, 2);
      if (score > bestScore) bestScore = score;
    }
    let best = PITCH_MIN;
    let score = this.score(h, start, best, 2);
    while (best + 2 <= PITCH_MAX && score < 0.85 * bestScore) score = this.score(h, start, (best += 2), 2);
    // climb to the top of that peak
    for (let next = 0; best + 2 <= PITCH_MAX; best += 2, score = next) {
      next = this.score(h, start, best + 2, 2);
      if (next <= score) break;
    }
    let fine = best;
    bestScore = -1;
    for (let lag = best - 1; lag <= best + 1; lag++) {
      if (lag < PITCH_MIN || lag > PITCH_MAX) continue;
      const score = this.score(h, start, lag, 1);
      if (score > bestScore) {
        bestScore = score;
        fine = lag;
      }
    }
    return fine;
  }

  private score(h: Int16Array, start: number, lag: number, step: number): number {
    let corr = 0;
    let energy = 0;
    for (let i = 0; i < CORR_LEN; i += step) {
      const x = h[start + i - lag]!;
      corr += h[start + i]! * x;
      energy += x * x;
    }
    if (energy === 0) return 0;
    return corr > 0 ? (corr * corr) / energy : 0;
  }

  private remember(pcm: Int16Array, offset: number): void {
    const h = this.#history;
    h.copyWithin(0, PLC_FRAME);
    const base = HISTORY - PLC_FRAME;
    for (let i = 0; i < PLC_FRAME; i++) h[base + i] = pcm[offset + i]!;
  }
}
