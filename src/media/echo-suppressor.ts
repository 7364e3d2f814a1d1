/**
 * Echo suppression for a phone whose microphone hears its speaker (hands-free), as speakerphones without an adaptive
 * echo canceller do it (a filter over the room's echo tail is beyond XS on the ESP32): while the far end talks and
 * the microphone hears no more than the echo of it, the microphone is turned down by 30 dB; when the near end talks
 * over it (double talk), the microphone passes.
 *
 * Levels are frame energies; the far end's is held at its peak over the last 200 ms, which covers the echo's delay
 * (audio buffers plus the room). How loud the echo can be against what is played is a property of the device: its
 * acoustic coupling at full speaker volume, measured once per hardware design (`couplingDb`). It is not learned
 * in use: by level alone, a near-end voice rising over a syllable looks like echo growing, and would teach a
 * learning threshold to let no voice through. A microphone frame 3 dB above the echo the far end's level allows
 * is the near end talking. Gain changes are ramped over a frame (no clicks). Per frame: two sums of squares over
 * half the samples, and the gain applied while it is not 1; nothing is allocated after construction.
 */

const HOLD_FRAMES = 10; // 200 ms of far-end levels
/** Far-end frame energy (see energy()) below which it is not talking: about -55 dBFS. */
const FAR_ACTIVE = 80 * 60 * 60;
/** Microphone energy this many times the ceiling x far level is the near end talking (3 dB). */
const BREAK_IN = 2;
/** Gain on the microphone while it holds only echo: -30 dB. */
const SUPPRESSED = 0.03;
/** The lowest coupling taken: -40 dB. */
const FLOOR = 1e-4;

export interface EchoSuppressorOptions {
  /**
   * The device's acoustic coupling at full speaker volume: echo level at the microphone over the level played, dB
   * (e.g. -10; 0 when unknown: echo as loud as what is played).
   */
  couplingDb: number;
}

export class EchoSuppressor {
  readonly #far = new Float64Array(HOLD_FRAMES);
  #at = 0;
  /** Echo energy over played energy, at most. */
  readonly #coupling: number;
  #gain = 1;
  /** Microphone frames turned down, and frames let through as double talk (for tests and statistics). */
  suppressedFrames = 0;
  doubleTalkFrames = 0;

  constructor(options: EchoSuppressorOptions) {
    const c = 10 ** (options.couplingDb / 10);
    this.#coupling = c > FLOOR ? c : FLOOR;
  }

  /** Notes what the speaker plays now (the far end and any local tone). */
  far(frame: Int16Array): void {
    this.#far[this.#at] = energy(frame);
    this.#at = this.#at + 1 === HOLD_FRAMES ? 0 : this.#at + 1;
  }

  /** Turns the microphone frame down in place when it holds only the echo of what was played. */
  near(frame: Int16Array): void {
    const far = this.#far;
    let peak = 0;
    for (let i = 0; i < HOLD_FRAMES; i++) if (far[i]! > peak) peak = far[i]!;
    let target = 1;
    if (peak >= FAR_ACTIVE) {
      if (energy(frame) > BREAK_IN * this.#coupling * peak) this.doubleTalkFrames++;
      else {
        target = SUPPRESSED;
        this.suppressedFrames++;
      }
    }
    const from = this.#gain;
    this.#gain = target;
    if (from === 1 && target === 1) return;
    // (the Int16Array store truncates: no rounding call per sample)
    const n = frame.length;
    if (from === target) {
      for (let i = 0; i < n; i++) frame[i] = frame[i]! * target;
      return;
    }
    const step = (target - from) / n;
    let g = from;
    for (let i = 0; i < n; i++) {
      g += step;
      frame[i] = frame[i]! * g;
    }
  }
}

/** Sum of squares of every other sample: a frame's level, at half the cost in XS (only ratios of it are used). */
function energy(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i += 2) {
    const v = frame[i]!;
    sum += v * v;
  }
  return sum;
}
