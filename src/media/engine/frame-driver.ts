/**
 * Calls a frame handler every 20 ms: from the microphone's callback when there is an audio input
 * (its pace is the audio clock's), else from HAL clock timers scheduled against the start time, so
 * timer lateness does not accumulate. The callbacks are made once; nothing is allocated per frame
 * here (a HAL timer may allocate its own record).
 */
import type { AudioInput } from '../../../hal/audio.js';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../../../hal/audio.js';
import type { Clock, TimerHandle } from '../../../hal/clock.js';

export const FRAME_MS = (FRAME_SAMPLES * 1000) / SAMPLE_RATE;
/** After a stall longer than this many frames the backlog is skipped rather than burst out. */
const MAX_CATCH_UP = 5;

/** Receives the microphone frame (reused by its owner: copy what you keep), or null when timer-driven. */
export type FrameHandler = (mic: Int16Array | null) => void;

export class FrameDriver {
  readonly #clock: Clock;
  readonly #handler: FrameHandler;
  readonly #tick = (): void => this.timerFrame();
  #input: AudioInput | null = null;
  #timer: TimerHandle | null = null;
  #running = false;
  #t0 = 0;
  #frames = 0;

  constructor(clock: Clock, handler: FrameHandler) {
    this.#clock = clock;
    this.#handler = handler;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts calling the handler: from input's frames when given, else every 20 ms of the clock. */
  start(input?: AudioInput): void {
    if (this.#running) return;
    this.#running = true;
    if (input) {
      this.#input = input;
      input.start(this.#handler);
      return;
    }
    this.#t0 = this.#clock.now();
    this.#frames = 0;
    this.#timer = this.#clock.setTimer(FRAME_MS, this.#tick);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.#input) {
      this.#input.stop();
      this.#input = null;
    }
    if (this.#timer !== null) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = null;
    }
  }

  private timerFrame(): void {
    this.#timer = null;
    const now = this.#clock.now();
    let due = Math.floor((now - this.#t0) / FRAME_MS) - this.#frames;
    if (due > MAX_CATCH_UP) {
      this.#frames += due - 1;
      due = 1;
    }
    for (let i = 0; i < due && this.#running; i++) {
      this.#frames++;
      this.#handler(null);
    }
    if (!this.#running) return; // stopped from inside the handler
    const next = this.#t0 + (this.#frames + 1) * FRAME_MS - this.#clock.now();
    this.#timer = this.#clock.setTimer(next > 0 ? next : 0, this.#tick);
  }
}
