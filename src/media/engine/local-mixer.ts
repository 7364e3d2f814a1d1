/**
 * A three-way conference mixed on the phone: the speaker plays both calls, and each call is sent the
 * microphone plus the other call's audio (never its own, which would echo back). The mixer takes
 * the frame loop from both calls while it runs and gives it back at stop(). Allocation-free per frame.
 */
import type { AudioInput, AudioOutput } from '../../../hal/audio.js';
import { FRAME_SAMPLES } from '../../../hal/audio.js';
import type { Clock } from '../../../hal/clock.js';
import { mixConference } from '../conference.js';
import type { CallMediaEngine } from './call-media.js';
import { FrameDriver } from './frame-driver.js';

export interface LocalMixerOptions {
  clock: Clock;
  audioInput?: AudioInput;
  audioOutput?: AudioOutput;
}

export class LocalMixer {
  readonly #a: CallMediaEngine;
  readonly #b: CallMediaEngine;
  readonly #input: AudioInput | undefined;
  readonly #output: AudioOutput | undefined;
  readonly #driver: FrameDriver;
  readonly #mic = new Int16Array(FRAME_SAMPLES);
  readonly #fromA = new Int16Array(FRAME_SAMPLES);
  readonly #fromB = new Int16Array(FRAME_SAMPLES);
  readonly #toA = new Int16Array(FRAME_SAMPLES);
  readonly #toB = new Int16Array(FRAME_SAMPLES);
  readonly #speaker = new Int16Array(FRAME_SAMPLES);
  /** Mutes the microphone for both parties (they still hear each other). */
  muted = false;

  constructor(a: CallMediaEngine, b: CallMediaEngine, options: LocalMixerOptions) {
    this.#a = a;
    this.#b = b;
    this.#input = options.audioInput;
    this.#output = options.audioOutput;
    this.#driver = new FrameDriver(options.clock, (mic) => this.processFrame(mic, this.#speaker));
  }

  get running(): boolean {
    return this.#driver.running;
  }

  /** Takes both calls' frame loops and mixes from now on. */
  start(): void {
    if (this.#driver.running) return;
    this.#a.detachAudio();
    this.#b.detachAudio();
    this.#driver.start(this.#input);
  }

  /** Stops mixing; each call is left detached, for the caller to attachAudio() the one that stays. */
  stop(): void {
    this.#driver.stop();
  }

  /** One frame of the conference: both calls received, mixed, sent; out gets the speaker's mix. */
  processFrame(mic: Int16Array | null, out: Int16Array): void {
    const m = this.#mic;
    if (mic === null || this.muted) m.fill(0);
    else m.set(mic.length === FRAME_SAMPLES ? mic : mic.subarray(0, FRAME_SAMPLES));
    this.#a.receiveFrame(this.#fromA);
    this.#b.receiveFrame(this.#fromB);
    mixConference(m, this.#fromA, this.#fromB, this.#toA, this.#toB, out, FRAME_SAMPLES);
    this.#a.sendFrame(this.#toA);
    this.#b.sendFrame(this.#toB);
    if (out === this.#speaker && this.#output !== undefined) this.#output.play(out);
  }
}
