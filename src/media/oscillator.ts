/**
 * Tone synthesis at 8 kHz: 32-bit phase accumulators indexing a 1024-entry sine table (built once
 * at load; read-only). No allocation per sample or frame.
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

/** Peak amplitude of a tone at level dBm0 (G.711: 0 dBm0 sine ≈ 3.14 dBov; full scale 32767). */
export function dbm0ToAmplitude(dbm0: number): number {
  return 32767 * Math.pow(10, (dbm0 - 3.14) / 20);
}

const RAMP_STEP = 1 / 16; // 2 ms from silence to full level

/**
 * Two summed sines with a level ramp (no clicks when a tone starts or stops), rendered a block at a
 * time with the state in locals: the per-sample cost is a few table reads, not method calls.
 */
export class DualTone {
  #phaseA = 0;
  #phaseB = 0;
  #stepA = 0;
  #stepB = 0;
  #ampA = 0;
  #ampB = 0;
  #gain = 0;
  #target = 0;

  /** Sounds f1 + f2 (Hz; 0 for none) at amplitude each; the phase continues. */
  set(f1: number, f2: number, amplitude: number): void {
    this.#stepA = Math.round((f1 / SAMPLE_RATE) * 4294967296) >>> 0;
    this.#stepB = Math.round((f2 / SAMPLE_RATE) * 4294967296) >>> 0;
    this.#ampA = f1 > 0 ? amplitude : 0;
    this.#ampB = f2 > 0 ? amplitude : 0;
    this.#target = 1;
  }

  /** Sets the two amplitudes separately (DTMF twist). */
  setLevels(ampA: number, ampB: number): void {
    this.#ampA = ampA;
    this.#ampB = ampB;
  }

  /** Ramps down to silence, keeping the frequencies. */
  silence(): void {
    this.#target = 0;
  }

  /** Silence at once, phases back to 0. */
  reset(): void {
    this.#phaseA = 0;
    this.#phaseB = 0;
    this.#gain = 0;
    this.#target = 0;
  }

  /** Writes count samples at out[offset]. */
  render(out: Int16Array, offset: number, count: number): void {
    let pa = this.#phaseA;
    let pb = this.#phaseB;
    let g = this.#gain;
    const target = this.#target;
    const sa = this.#stepA;
    const sb = this.#stepB;
    const aa = this.#ampA;
    const ab = this.#ampB;
    const end = offset + count;
    for (let i = offset; i < end; i++) {
      if (g !== target) g = g < target ? (g + RAMP_STEP > 1 ? 1 : g + RAMP_STEP) : g - RAMP_STEP < 0 ? 0 : g - RAMP_STEP;
      if (g === 0) out[i] = 0;
      else {
        const v = g * (SINE[pa >>> SHIFT]! * aa + SINE[pb >>> SHIFT]! * ab);
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
      pa = (pa + sa) >>> 0;
      pb = (pb + sb) >>> 0;
    }
    this.#phaseA = pa;
    this.#phaseB = pb;
    this.#gain = g;
  }
}
