/**
 * Browser audio for a simulated phone: its microphone and speaker can be a remote client (the web page, or a
 * script) that sends and receives 20 ms frames of 8 kHz 16-bit mono PCM over a socket.
 *
 * The phone's HAL gets one fixed AudioInput and AudioOutput from the bridge for its whole life; attaching a client
 * switches what is behind them. The microphone side is paced by the HAL clock, not by the network: every 20 ms
 * one frame leaves a small bounded queue, or silence when the queue is empty (under-run); samples that arrive
 * while the queue is full push out the oldest (over-run), so latency stays bounded whatever the client does.
 * The speaker side sends each played frame to the client unless the client's send buffer is already full.
 */
import { FRAME_SAMPLES, SAMPLE_RATE } from '../hal/audio.js';
import type { AudioInput, AudioOutput } from '../hal/audio.js';
import type { Clock, TimerHandle } from '../hal/clock.js';

/** Bytes in one 20 ms frame on the wire: 160 little-endian 16-bit samples. */
export const FRAME_BYTES = FRAME_SAMPLES * 2;
const FRAME_MS = (FRAME_SAMPLES * 1000) / SAMPLE_RATE;
/** The microphone queue holds at most this many frames (120 ms): more arriving pushes out the oldest. */
export const MIC_QUEUE_FRAMES = 6;
/** After a stall longer than this many frames, the backlog of ticks is skipped instead of burst out. */
const MAX_CATCH_UP = 5;

export interface MicStats {
  /** Frames delivered to the phone that carried client samples. */
  frames: number;
  /** Frames of silence inserted because the queue was empty or held less than a frame. */
  underruns: number;
  /** Samples thrown away because the queue was full. */
  droppedSamples: number;
}

/**
 * An AudioInput fed by push(): little-endian 16-bit samples in chunks of any size, delivered as 20 ms frames on
 * the HAL clock's cadence. Nothing is allocated per frame.
 */
export class SocketAudioInput implements AudioInput {
  readonly #clock: Clock;
  readonly #ring: Int16Array;
  readonly #frame = new Int16Array(FRAME_SAMPLES);
  readonly #tick = () => this.#deliver();
  #read = 0;
  #count = 0;
  #onFrame: ((frame: Int16Array) => void) | undefined;
  #timer: TimerHandle | undefined;
  #t0 = 0;
  #sent = 0;
  readonly stats: MicStats = { frames: 0, underruns: 0, droppedSamples: 0 };

  constructor(clock: Clock, queueFrames = MIC_QUEUE_FRAMES) {
    if (!Number.isInteger(queueFrames) || queueFrames < 1) throw new Error('audio bridge: the queue must hold at least one frame');
    this.#clock = clock;
    this.#ring = new Int16Array(queueFrames * FRAME_SAMPLES);
  }

  /** Samples waiting to be delivered. */
  get queued(): number {
    return this.#count;
  }

  /** Queues little-endian 16-bit samples (an odd trailing byte is ignored). */
  push(bytes: Uint8Array): void {
    const n = bytes.length >> 1;
    const ring = this.#ring;
    const cap = ring.length;
    for (let i = 0; i < n; i++) {
      if (this.#count === cap) {
        this.#read = (this.#read + 1) % cap;
        this.#count--;
        this.stats.droppedSamples++;
      }
      const v = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
      ring[(this.#read + this.#count) % cap] = v > 32767 ? v - 65536 : v;
      this.#count++;
    }
  }

  /** Forgets everything queued (a new client starts from silence, not from the last one's leftovers). */
  clear(): void {
    this.#read = 0;
    this.#count = 0;
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

  #deliver(): void {
    this.#timer = undefined;
    let due = Math.floor((this.#clock.now() - this.#t0) / FRAME_MS) - this.#sent;
    if (due > MAX_CATCH_UP) {
      this.#sent += due - 1;
      due = 1;
    }
    for (let i = 0; i < due && this.#onFrame; i++) {
      this.#fill();
      this.#sent++;
      this.#onFrame(this.#frame);
    }
    if (!this.#onFrame) return; // stopped from inside onFrame
    const next = this.#t0 + (this.#sent + 1) * FRAME_MS - this.#clock.now();
    this.#timer = this.#clock.setTimer(next > 0 ? next : 0, this.#tick);
  }

  #fill(): void {
    const frame = this.#frame;
    if (this.#count < FRAME_SAMPLES) {
      frame.fill(0);
      this.stats.underruns++;
      return;
    }
    const ring = this.#ring;
    const cap = ring.length;
    const first = Math.min(FRAME_SAMPLES, cap - this.#read);
    frame.set(ring.subarray(this.#read, this.#read + first), 0);
    if (first < FRAME_SAMPLES) frame.set(ring.subarray(0, FRAME_SAMPLES - first), first);
    this.#read = (this.#read + FRAME_SAMPLES) % cap;
    this.#count -= FRAME_SAMPLES;
    this.stats.frames++;
  }
}

/** An AudioInput that forwards to one of several inputs and can change which while running. */
export class SwitchableAudioInput implements AudioInput {
  #current: AudioInput;
  #onFrame: ((frame: Int16Array) => void) | undefined;

  constructor(initial: AudioInput) {
    this.#current = initial;
  }

  get current(): AudioInput {
    return this.#current;
  }

  use(input: AudioInput): void {
    if (input === this.#current) return;
    const onFrame = this.#onFrame;
    if (onFrame) this.#current.stop();
    this.#current = input;
    if (onFrame) input.start(onFrame);
  }

  start(onFrame: (frame: Int16Array) => void): void {
    if (this.#onFrame) return;
    this.#onFrame = onFrame;
    this.#current.start(onFrame);
  }

  stop(): void {
    if (!this.#onFrame) return;
    this.#onFrame = undefined;
    this.#current.stop();
  }
}

/** Where speaker frames go (copy the bytes to keep them): returns false when dropped (the client is not keeping up). */
export type FrameSink = (bytes: Uint8Array) => boolean;

export interface SpeakerStats {
  /** Frames handed to the client. */
  frames: number;
  /** Frames dropped because the client's buffer was full. */
  dropped: number;
}

/** The phone's speaker: records into an optional output (a WAV file) and sends each frame to the client, if any. */
export class BridgeAudioOutput implements AudioOutput {
  readonly #record: AudioOutput | undefined;
  readonly #bytes = new Uint8Array(FRAME_BYTES);
  #sink: FrameSink | undefined;
  readonly stats: SpeakerStats = { frames: 0, dropped: 0 };

  constructor(record?: AudioOutput) {
    this.#record = record;
  }

  connect(sink: FrameSink | undefined): void {
    this.#sink = sink;
  }

  play(frame: Int16Array): void {
    this.#record?.play(frame);
    const sink = this.#sink;
    if (!sink) return;
    const n = Math.min(frame.length, FRAME_SAMPLES);
    const bytes = this.#bytes;
    for (let i = 0; i < n; i++) {
      const v = frame[i]!;
      bytes[2 * i] = v & 0xff;
      bytes[2 * i + 1] = (v >> 8) & 0xff;
    }
    // One buffer serves every frame: a sink must copy what it keeps past the call.
    if (sink(n === FRAME_SAMPLES ? bytes : bytes.subarray(0, 2 * n))) this.stats.frames++;
    else this.stats.dropped++;
  }

  stop(): void {
    this.#record?.stop();
  }
}

/** What a client attached to a phone's audio does: push microphone bytes, detach when it goes away. */
export interface AudioLink {
  push(bytes: Uint8Array): void;
  detach(): void;
}

export type AudioSource = 'default' | 'client';

/**
 * One phone's audio: the HAL input and output it was started with, and at most one client at a time. Attaching a
 * client replaces the previous one (its onReplaced is called); detaching the last goes back to the default input.
 */
export class AudioBridge {
  readonly input: SwitchableAudioInput;
  readonly output: BridgeAudioOutput;
  readonly mic: SocketAudioInput;
  readonly #fallback: AudioInput;
  #client: { onReplaced: () => void } | undefined;
  readonly #listeners = new Set<(source: AudioSource) => void>();

  constructor(clock: Clock, fallback: AudioInput, record?: AudioOutput, queueFrames = MIC_QUEUE_FRAMES) {
    this.#fallback = fallback;
    this.mic = new SocketAudioInput(clock, queueFrames);
    this.input = new SwitchableAudioInput(fallback);
    this.output = new BridgeAudioOutput(record);
  }

  get source(): AudioSource {
    return this.#client ? 'client' : 'default';
  }

  /** Calls listener whenever the source changes; returns a function that removes it. */
  onChange(listener: (source: AudioSource) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  attach(send: FrameSink, onReplaced: () => void): AudioLink {
    const previous = this.#client;
    const me = { onReplaced };
    this.#client = me;
    this.mic.clear();
    this.output.connect(send);
    this.input.use(this.mic);
    previous?.onReplaced();
    if (!previous) this.#emit();
    return {
      push: (bytes) => {
        if (this.#client === me) this.mic.push(bytes);
      },
      detach: () => {
        if (this.#client !== me) return;
        this.#client = undefined;
        this.output.connect(undefined);
        this.input.use(this.#fallback);
        this.#emit();
      },
    };
  }

  #emit(): void {
    const s = this.source;
    for (const l of this.#listeners) l(s);
  }
}
