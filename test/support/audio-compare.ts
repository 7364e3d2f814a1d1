/**
 * Audio checks for call tests: is it silence, what tone is it, and how well does received audio match what was
 * sent (windowed correlation: the received audio cut in 500 ms windows, each matched to the sent audio within
 * ±100 ms of the overall alignment, correlations averaged).
 */
import { decodeUlaw, encodeUlaw } from '../../src/media/g711.js';

export const RATE = 8000;

export function rms(x: Int16Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}

/** Fraction of 20 ms frames whose RMS is above the threshold (16-bit scale). */
export function activeFraction(x: Int16Array, threshold = 100, frame = 160): number {
  let active = 0;
  let frames = 0;
  for (let i = 0; i + frame <= x.length; i += frame) {
    frames++;
    if (rms(x, i, i + frame) > threshold) active++;
  }
  return frames ? active / frames : 0;
}

/** The strongest frequency, by counting zero crossings (good enough for a pure tone). */
export function toneFrequency(x: Int16Array, rate = RATE): number {
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = 1; i < x.length; i++) {
    if ((x[i - 1]! < 0 && x[i]! >= 0)) {
      crossings++;
      if (first < 0) first = i;
      last = i;
    }
  }
  return crossings > 1 ? ((crossings - 1) * rate) / (last - first) : 0;
}

/** The audio after a G.711 µ-law encode and decode (what a perfect µ-law call delivers). */
export function ulawRoundTrip(x: Int16Array): Int16Array {
  const codes = new Uint8Array(x.length);
  encodeUlaw(x, codes);
  const out = new Int16Array(x.length);
  decodeUlaw(codes, 0, codes.length, out);
  return out;
}

/** Normalised correlation of a[ai..ai+n) with reference ref read periodically from ri (the sender loops its file). */
function corrAt(a: Int16Array, ai: number, ref: Int16Array, ri: number, n: number): number {
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  const len = ref.length;
  let j = ((ri % len) + len) % len;
  for (let i = 0; i < n; i++) {
    const x = a[ai + i]!;
    const y = ref[j]!;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
    if (++j === len) j = 0;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

function decimate(x: Int16Array, by: number): Int16Array {
  const out = new Int16Array(Math.floor(x.length / by));
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < by; k++) s += x[i * by + k]!;
    out[i] = Math.round(s / by);
  }
  return out;
}

export interface WindowedCorrelation {
  /** Mean of the per-window best correlations. */
  mean: number;
  /** Per-window best correlations (windows where the reference is silent are left out). */
  windows: number[];
  /** Overall alignment: received sample i corresponds to reference sample i - lag (mod its length). */
  lag: number;
  /** Windows left out because the reference or the received audio was silent there. */
  skipped: number;
  /** Best lag of each compared window: a change means the playout delay moved (frames inserted or dropped). */
  lags: number[];
}

/**
 * Windowed correlation of received audio against the looping reference the far end played.
 * Overall alignment first (coarse search on audio decimated by 8, refined at full rate), then each 500 ms window
 * of the received audio, from where sound starts up to the last whole window, is matched to the reference within
 * ±100 ms of that alignment.
 */
export function windowedCorrelation(received: Int16Array, reference: Int16Array, o: { windowMs?: number; searchMs?: number; maxLagS?: number } = {}): WindowedCorrelation {
  const win = ((o.windowMs ?? 500) * RATE) / 1000;
  const search = ((o.searchMs ?? 100) * RATE) / 1000;
  const maxLag = Math.min(received.length - win, Math.max(Math.round((o.maxLagS ?? 4) * RATE), reference.length));
  // Overall alignment over the received audio's most active stretch.
  const by = 8;
  const rd = decimate(received, by);
  const fd = decimate(reference, by);
  const span = Math.min(rd.length, Math.floor((4 * RATE) / by));
  let start = 0;
  let best = -1;
  for (let s = 0; s + span <= rd.length; s += Math.floor(span / 4)) {
    const e = rms(rd, s, s + span);
    if (e > best) {
      best = e;
      start = s;
    }
  }
  let coarse = 0;
  best = -2;
  for (let lag = 0; lag <= maxLag / by; lag++) {
    const c = corrAt(rd, start, fd, start - lag, span);
    if (c > best) {
      best = c;
      coarse = lag * by;
    }
  }
  let lag = coarse;
  best = -2;
  for (let d = coarse - 2 * by; d <= coarse + 2 * by; d++) {
    const c = corrAt(received, start * by, reference, start * by - d, Math.min(span * by, received.length - start * by));
    if (c > best) {
      best = c;
      lag = d;
    }
  }
  const refLevel = rms(reference);
  const windows: number[] = [];
  const lags: number[] = [];
  let skipped = 0;
  // The received audio starts where sound starts: before that the receiver played the jitter buffer's pre-fill.
  let first = 0;
  while (first < received.length && Math.abs(received[first]!) <= 64) first++;
  for (let p = first; p + win <= received.length; p += win) {
    // Leave out windows where the reference is (nearly) silent: their correlation measures only noise.
    let refEnergy = 0;
    for (let i = 0; i < win; i++) {
      const v = reference[(((p - lag + i) % reference.length) + reference.length) % reference.length]!;
      refEnergy += v * v;
    }
    if (Math.sqrt(refEnergy / win) < refLevel * 0.1) {
      skipped++;
      continue;
    }
    let w = -1;
    let at = lag;
    for (let d = lag - search; d <= lag + search; d++) {
      const c = corrAt(received, p, reference, p - d, win);
      if (c > w) {
        w = c;
        at = d;
      }
    }
    windows.push(w);
    lags.push(at);
  }
  const mean = windows.length ? windows.reduce((a, b) => a + b, 0) / windows.length : 0;
  return { mean, windows, lag, skipped, lags };
}
