/**
 * The 20 ms frames of every call leg of the fleet, from one interval timer: each tick runs the frame of each leg
 * whose frame is due (its microphone frame encoded and sent, the peer's audio pulled from the jitter buffer), the
 * way a conference mixer drives its calls (CallMediaEngine.detachAudio + processFrame). One wake-up serves every leg
 * whose frame falls in the tick, with no timer record per leg and frame. A leg's frames keep the phase it started
 * with, paced against its own schedule (not the timer), so a late tick delays frames but does not drift them; after a
 * stall the backlog beyond a few frames is skipped, as the device's frame driver does.
 *
 * The microphone of every fleet phone is a generated tone: one 20 ms frame (a whole number of periods) that each
 * leg sends as its microphone frame, encoded to G.711 by the leg like any other audio. What the legs play goes to
 * one scratch buffer: a fleet phone has no speaker.
 */
import { performance } from 'node:perf_hooks';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../../hal/audio.js';
import type { CallMediaEngine } from '../../src/media/engine/call-media.js';

const FRAME_MS = (FRAME_SAMPLES * 1000) / SAMPLE_RATE;
const MAX_CATCH_UP = 5;
/** 400 Hz fits 8 periods in a 20 ms frame at 8 kHz, so the same frame repeats without a seam. */
const TONE_HZ = 400;
/** About -16 dBFS: speech level. */
const TONE_PEAK = 5000;

interface Leg {
  engine: CallMediaEngine;
  /** When its next frame is due (performance.now() ms). */
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
  readonly #speaker = new Int16Array(FRAME_SAMPLES);
  #interval: ReturnType<typeof setInterval> | undefined;
  /** Frames run, and frames skipped after stalls (for the report and tests). */
  frames = 0;
  skipped = 0;

  constructor(tickMs = 5, mic: Int16Array = toneFrame()) {
    this.tickMs = tickMs;
    this.#mic = mic;
  }

  get size(): number {
    return this.#legs.length;
  }

  /** Takes over the engine's frames (from now on only this loop runs them, while the engine runs). */
  add(engine: CallMediaEngine): void {
    if (this.#index.has(engine)) return;
    engine.detachAudio();
    const leg: Leg = { engine, next: performance.now() + FRAME_MS };
    this.#index.set(engine, leg);
    this.#legs.push(leg);
    this.#interval ??= setInterval(this.#run, this.tickMs);
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
    if (this.#interval !== undefined) clearInterval(this.#interval);
    this.#interval = undefined;
  }

  readonly #run = (): void => {
    const now = performance.now();
    const legs = this.#legs;
    const mic = this.#mic;
    const speaker = this.#speaker;
    for (let i = 0; i < legs.length; i++) {
      const leg = legs[i]!;
      const engine = leg.engine;
      if (!engine.running) {
        // Not streaming (yet): its first frame comes 20 ms after it starts.
        leg.next = now + FRAME_MS;
        continue;
      }
      if (now < leg.next) continue;
      let due = Math.floor((now - leg.next) / FRAME_MS) + 1;
      if (due > MAX_CATCH_UP) {
        leg.next += (due - 1) * FRAME_MS;
        this.skipped += due - 1;
        due = 1;
      }
      for (let k = 0; k < due; k++) engine.processFrame(mic, speaker);
      leg.next += due * FRAME_MS;
      this.frames += due;
    }
  };
}
