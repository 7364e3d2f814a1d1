/**
 * Sine oscillator for tones at 8 kHz: a 32-bit phase accumulator indexing a 1024-entry sine table
 * (built once at load; read-only). No allocation per sample or frame.
 */

const TABLE_BITS = 10;
const TABLE_SIZE = 1 << TABLE_BITS;
const SHIFT = 32 - TABLE_BITS;

function sineTable(): Float32Array {
  const t = new Float32Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) t[i] = Math.sin((2 * Math.PI * i) / TABLE_SIZE);
  return t;
}

/** One period of sin(x), TABLE_SIZE entries. Read-only. */
export const SINE: Float32Array = sineTable();

export const SAMPLE_RATE = 8000;

export class Oscillator {
  #phase = 0;
  #step = 0;
  #amplitude = 0;

  /** Sets frequency (Hz) and peak amplitude (16-bit units); the phase continues, so changes do not click. */
  set(frequency: number, amplitude: number): void {
    this.#step = Math.round((frequency / SAMPLE_RATE) * 4294967296) >>> 0;
    this.#amplitude = amplitude;
  }

  /** Restarts at phase 0. */
  reset(): void {
    this.#phase = 0;
  }

  /** The next sample (not rounded). */
  next(): number {
    const v = SINE[this.#phase >>> SHIFT]! * this.#amplitude;
    this.#phase = (this.#phase + this.#step) >>> 0;
    return v;
  }
}

/** Clamps to 16 bits, for sums of oscillators. */
export function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** Peak amplitude of a tone at level dBm0 (G.711: 0 dBm0 sine ≈ 3.14 dBov; full scale 32767). */
export function dbm0ToAmplitude(dbm0: number): number {
  return 32767 * Math.pow(10, (dbm0 - 3.14) / 20);
}
