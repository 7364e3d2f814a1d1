import { closeSync, openSync, writeSync } from 'node:fs';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio.js';
import type { AudioInput, AudioOutput } from '../audio.js';
import type { Clock, TimerHandle } from '../clock.js';
import { loadPhoneAudio, writeWavHeader } from './wav.js';

const FRAME_MS = (FRAME_SAMPLES * 1000) / SAMPLE_RATE;
/** After a stall longer than this many frames, drop the backlog instead of bursting it out. */
const MAX_CATCH_UP = 5;

/** What an input does when its samples run out: start again, go silent (frames of zeros), or stop. */
export type AtEnd = 'loop' | 'silence' | 'stop';

export interface WavInputOptions {
  /** Default 'loop'. */
  atEnd?: AtEnd;
  /** Called once when the samples run out with atEnd 'silence' or 'stop'. */
  onEnd?: () => void;
}

/** Samples of a sum of sine tones at 8 kHz (e.g. [440, 480] for US ringback), at level 0..1 of full scale. */
export function toneSamples(frequencies: readonly number[], ms: number, level = 0.3): Int16Array {
  const n = Math.round((ms * SAMPLE_RATE) / 1000);
  const out = new Int16Array(n);
  const amp = (32767 * level) / Math.max(1, frequencies.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const f of frequencies) s += Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
    out[i] = Math.round(amp * s);
  }
  return out;
}

/**
 * An AudioInput that plays 8 kHz samples (a WAV file or a generated tone) as 20 ms frames paced by the
 * HAL clock, as a microphone would deliver them. One frame buffer is reused for every call.
 */
export class WavAudioInput implements AudioInput {
  readonly #clock: Clock;
  readonly #samples: Int16Array;
  readonly #atEnd: AtEnd;
  readonly #onEnd: (() => void) | undefined;
  readonly #frame = new Int16Array(FRAME_SAMPLES);
  readonly #tick = () => this.#deliver();
  #onFrame: ((frame: Int16Array) => void) | undefined;
  #timer: TimerHandle | undefined;
  #pos = 0;
  #ended = false;
  #endReported = false;
  #t0 = 0;
  #sent = 0;
  /** What was done to the file to make it phone audio (for the log), or a description of the tone. */
  readonly message: string;

  constructor(clock: Clock, samples: Int16Array, options: WavInputOptions & { message?: string } = {}) {
    if (samples.length === 0) throw new Error('audio input: no samples to play');
    this.#clock = clock;
    this.#samples = samples;
    this.#atEnd = options.atEnd ?? 'loop';
    this.#onEnd = options.onEnd;
    this.message = options.message ?? `${samples.length} samples`;
  }

  /** Plays a WAV file of any supported format, converted to 8 kHz 16-bit mono. Throws WavError if unusable. */
  static fromFile(clock: Clock, file: string, options: WavInputOptions = {}): WavAudioInput {
    const audio = loadPhoneAudio(file);
    return new WavAudioInput(clock, audio.samples, { ...options, message: audio.message });
  }

  /** Plays a steady tone: one second of it, looped by default (seamless for whole-hertz frequencies). */
  static tone(clock: Clock, frequencies: readonly number[], level = 0.3, options: WavInputOptions = {}): WavAudioInput {
    return new WavAudioInput(clock, toneSamples(frequencies, 1000, level), { ...options, message: `tone ${frequencies.join('+')} Hz` });
  }

  start(onFrame: (frame: Int16Array) => void): void {
    if (this.#onFrame) return;
    this.#onFrame = onFrame;
    this.#t0 = this.#clock.now();
    this.#sent = 0;
    this.#timer = this.#clock.setTimer(FRAME_MS, this.#tick);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#onFrame = undefined;
  }

  /** Rewinds to the first sample (takes effect on the next frame). */
  rewind(): void {
    this.#pos = 0;
    this.#ended = false;
    this.#endReported = false;
  }

  #deliver(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    let due = Math.floor((now - this.#t0) / FRAME_MS) - this.#sent;
    if (due > MAX_CATCH_UP) {
      // Stalled (debugger, suspended laptop): skip the backlog and keep the cadence from here.
      this.#sent += due - 1;
      due = 1;
    }
    for (let i = 0; i < due && this.#onFrame; i++) {
      if (!this.#fill()) {
        const onEnd = this.#onEnd;
        this.stop();
        onEnd?.();
        return;
      }
      this.#sent++;
      this.#onFrame(this.#frame);
      if (this.#ended && !this.#endReported && this.#atEnd === 'silence') {
        this.#endReported = true;
        this.#onEnd?.();
      }
    }
    if (!this.#onFrame) return; // stopped from inside onFrame
    const next = this.#t0 + (this.#sent + 1) * FRAME_MS;
    this.#timer = this.#clock.setTimer(next - this.#clock.now(), this.#tick);
  }

  /** Fills the frame buffer; false when there is nothing more to play (atEnd 'stop'). */
  #fill(): boolean {
    const frame = this.#frame;
    const src = this.#samples;
    if (this.#ended) {
      if (this.#atEnd === 'stop') return false;
      frame.fill(0);
      return true;
    }
    let i = 0;
    while (i < FRAME_SAMPLES) {
      const take = Math.min(FRAME_SAMPLES - i, src.length - this.#pos);
      frame.set(src.subarray(this.#pos, this.#pos + take), i);
      i += take;
      this.#pos += take;
      if (this.#pos === src.length) {
        if (this.#atEnd === 'loop') {
          this.#pos = 0;
        } else {
          // The last frame goes out zero-padded; 'stop' ends on the next tick, 'silence' continues with zeros.
          frame.fill(0, i);
          this.#ended = true;
          break;
        }
      }
    }
    return true;
  }
}

/** An AudioOutput that records every frame played into a 16-bit 8 kHz mono WAV file; stop() finalizes the header. */
export class WavAudioOutput implements AudioOutput {
  readonly file: string;
  #fd: number | undefined;
  #bytes = 0;
  readonly #buf = Buffer.alloc(FRAME_SAMPLES * 2);
  readonly #header = new DataView(new ArrayBuffer(44));

  constructor(file: string) {
    this.file = file;
    this.#fd = openSync(file, 'w');
    writeWavHeader(this.#header, SAMPLE_RATE, 1, 0);
    writeSync(this.#fd, new Uint8Array(this.#header.buffer), 0, 44, 0);
  }

  /** Samples recorded so far. */
  get samples(): number {
    return this.#bytes / 2;
  }

  play(frame: Int16Array): void {
    if (this.#fd === undefined) return;
    const buf = frame.length * 2 <= this.#buf.length ? this.#buf : Buffer.alloc(frame.length * 2);
    for (let i = 0; i < frame.length; i++) buf.writeInt16LE(frame[i]!, i * 2);
    writeSync(this.#fd, buf, 0, frame.length * 2, 44 + this.#bytes);
    this.#bytes += frame.length * 2;
  }

  stop(): void {
    if (this.#fd === undefined) return;
    writeWavHeader(this.#header, SAMPLE_RATE, 1, this.#bytes);
    writeSync(this.#fd, new Uint8Array(this.#header.buffer), 0, 44, 0);
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
