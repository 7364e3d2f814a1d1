/**
 * The 20 ms frames of every call leg of the fleet, from one timer: each tick runs the frame of each leg whose frame
 * is due (its microphone frame sent; what it played would be pulled from its jitter buffer, but a fleet phone has no
 * speaker), the way a conference mixer drives its calls (CallMediaEngine.detachAudio, then sendFrame/receiveFrame).
 * Ticks stay on a fixed grid, every 20 ms by default: each wake-up of the process costs tens of µs here whatever it
 * does (cold caches after idling), so fewer, fuller wake-ups cost less than many small ones; every leg then sends at
 * the same instant of each tick, a constant offset from its own schedule. A leg's frames are paced against that
 * schedule (not the timer), so a late tick delays frames but does not drift them; after a stall the backlog beyond a
 * few frames is skipped, as the device's frame driver does.
 *
 * The microphone of every fleet phone is a generated tone: one 20 ms frame (a whole number of periods), the same
 * for every leg and frame, so it is encoded to G.711 once here and the legs send those codes (CallMediaEngine
 * sendCodedFrame; a leg that cannot send them as they are, muted or on another law, encodes the PCM itself). What the
 * legs play goes to one scratch buffer.
 */
import { performance } from 'node:perf_hooks';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../../hal/audio.js';
import type { CallMediaEngine } from '../../src/media/engine/call-media.js';
import { encodeUlaw } from '../../src/media/g711.js';

const FRAME_MS = (FRAME_SAMPLES * 1000) / SAMPLE_RATE;
const MAX_CATCH_UP = 5;
/** 400 Hz fits 8 periods in a 20 ms frame at 8 kHz, so the same frame repeats without a seam. */
const TONE_HZ = 400;
/** About -16 dBFS: speech level. */
const TONE_PEAK = 5000;

interface Leg {
  engine: CallMediaEngine;
  /** The tick its next frame is due at (a time on the tick grid, performance.now() ms; NaN until the first tick). */
  next: number;
}

/** One 20 ms frame of the microphone tone. */
export function toneFrame(hz = TONE_HZ, peak = TONE_PEAK): Int16Array {
  const f = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) f[i] = Math.round(peak * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE));
  return f;
}

export class MediaLoop {
  readonly tickMs: number;
  readonly #legs: Leg[] = [];
  readonly #index = new Map<CallMediaEngine, Leg>();
  readonly #mic: Int16Array;
  /** The microphone frame in µ-law, the law every fleet phone offers. */
  readonly #micCodes: Uint8Array;
  readonly #speaker = new Int16Array(FRAME_SAMPLES);
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the next tick is due: ticks stay on a fixed grid (setInterval would drift by its own lateness). */
  #tickDue = 0;
  /** Frames run, and frames skipped after stalls (for the report and tests). */
  frames = 0;
  skipped = 0;

  constructor(tickMs = 20, mic: Int16Array = toneFrame()) {
    this.tickMs = tickMs;
    this.#mic = mic;
    this.#micCodes = new Uint8Array(mic.length);
    encodeUlaw(mic, this.#micCodes);
  }

  get size(): number {
    return this.#legs.length;
  }

  /** Takes over the engine's frames (from now on only this loop runs them, while the engine runs). */
  add(engine: CallMediaEngine): void {
    if (this.#index.has(engine)) return;
    engine.detachAudio();
    const leg: Leg = { engine, next: NaN };
    this.#index.set(engine, leg);
    this.#legs.push(leg);
    if (this.#timer === undefined) {
      this.#tickDue = performance.now() + this.tickMs;
      this.#timer = setTimeout(this.#tick, this.tickMs);
    }
  }

  /** Forgets the engine (before or after it is closed). */
  remove(engine: CallMediaEngine): void {
    const leg = this.#index.get(engine);
    if (!leg) return;
    this.#index.delete(engine);
    const legs = this.#legs;
    const i = legs.indexOf(leg);
    const last = legs.pop()!;
    if (last !== leg) legs[i] = last;
    if (legs.length === 0) this.close();
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    // Frames are due at grid times, and this tick stands for its grid time however late it runs: a leg's packets
    // then leave at the same point of every tick (a leg paced by the clock instead would fall on either side of a
    // tick by the timer's lateness, and send two packets in one tick and none in the next).
    const at = this.#tickDue;
    this.#run(at);
    if (this.#timer === undefined) return; // closed meanwhile
    const now = performance.now();
    let due = at + this.tickMs;
    // Ticks missed in a stall are not run: the next one catches their frames up.
    if (due <= now) due += Math.ceil((now - due) / this.tickMs) * this.tickMs;
    this.#tickDue = due;
    this.#timer = setTimeout(this.#tick, due - now);
  };

  #run(at: number): void {
    const legs = this.#legs;
    const mic = this.#mic;
    const codes = this.#micCodes;
    const speaker = this.#speaker;
    for (let i = 0; i < legs.length; i++) {
      const leg = legs[i]!;
      const engine = leg.engine;
      if (!engine.running || leg.next !== leg.next) {
        // Not streaming (yet): its first frame comes 20 ms after it starts, on a tick.
        leg.next = at + FRAME_MS;
        continue;
      }
      // (a little slack for the rounding of adding 20 ms again and again)
      if (at + 0.01 < leg.next) continue;
      let due = Math.floor((at + 0.01 - leg.next) / FRAME_MS) + 1;
      if (due > MAX_CATCH_UP) {
        leg.next += (due - 1) * FRAME_MS;
        this.skipped += due - 1;
        due = 1;
      }
      for (let k = 0; k < due; k++) {
        engine.sendCodedFrame(mic, codes, 'pcmu');
        engine.receiveFrame(speaker);
      }
      leg.next += due * FRAME_MS;
      this.frames += due;
    }
  }
}
