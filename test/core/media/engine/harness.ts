// Two phones' media over the in-memory network, negotiated by the real offer/answer code (the SDP
// text goes through the serializer and the parser), driven by a VirtualClock.
import type { AudioInput, AudioOutput } from '../../../../hal/audio.js';
import type { Clock, TimerHandle } from '../../../../hal/clock.js';
import type { Random } from '../../../../hal/random.js';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { CallMediaEngine, type CallMediaEngineOptions } from '../../../../src/media/engine/call-media.js';
import { MediaSession, type MediaOptions, type NegotiatedMedia } from '../../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../../src/sdp/parse.js';
import { serializeSdp } from '../../../../src/sdp/serialize.js';
import type { SessionDescription } from '../../../../src/sdp/sdp.js';
import { MemoryNet, type HostOptions } from './memory-network.js';

export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return {
    fill(d) {
      for (let i = 0; i < d.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        d[i] = s >>> 24;
      }
      return d;
    },
  };
}

/** A microphone playing samples (then silence) in 20 ms frames paced by the clock. */
export class ArrayInput implements AudioInput {
  readonly frame = new Int16Array(160);
  #pos = 0;
  #timer: TimerHandle | undefined;
  frames = 0;
  constructor(readonly clock: Clock, public samples: Int16Array) {}
  start(onFrame: (frame: Int16Array) => void): void {
    const tick = () => {
      for (let i = 0; i < 160; i++) this.frame[i] = this.#pos + i < this.samples.length ? this.samples[this.#pos + i]! : 0;
      this.#pos += 160;
      this.frames++;
      onFrame(this.frame);
      if (this.#timer !== undefined) this.#timer = this.clock.setTimer(20, tick);
    };
    this.#timer = this.clock.setTimer(20, tick);
  }
  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}

/** A speaker that records everything played. */
export class RecordingOutput implements AudioOutput {
  readonly chunks: Int16Array[] = [];
  play(frame: Int16Array): void {
    this.chunks.push(frame.slice());
  }
  stop(): void {}
  get samples(): Int16Array {
    const all = new Int16Array(this.chunks.length * 160);
    this.chunks.forEach((c, i) => all.set(c, i * 160));
    return all;
  }
}

export function sine(n: number, hz: number, amplitude: number): Int16Array {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
  return x;
}

export interface Phone {
  media: CallMediaEngine;
  sdp: MediaSession;
  input: ArrayInput | undefined;
  output: RecordingOutput;
  dtmf: Array<{ digit: string; durationMs: number }>;
  stopped: number;
}

export interface PhoneSetup {
  address: string;
  host?: HostOptions;
  sdp?: Partial<Omit<MediaOptions, 'address' | 'port' | 'random'>>;
  media?: Partial<CallMediaEngineOptions>;
  /** Samples for the microphone; without, no input device (timer-driven, silence). */
  mic?: Int16Array;
}

export async function phone(net: MemoryNet, clock: VirtualClock, seed: number, setup: PhoneSetup): Promise<Phone> {
  const random = seededRandom(seed);
  const input = setup.mic ? new ArrayInput(clock, setup.mic) : undefined;
  const output = new RecordingOutput();
  const dtmf: Phone['dtmf'] = [];
  const p: Partial<Phone> = { input, output, dtmf, stopped: 0 };
  const media = await CallMediaEngine.open({
    network: net.host(setup.address, setup.host), clock, random, audioOutput: output,
    ...(input ? { audioInput: input } : {}),
    onDtmf: (digit, durationMs) => dtmf.push({ digit, durationMs }),
    onStop: () => p.stopped!++,
    ...setup.media,
  });
  const sdp = new MediaSession({ address: setup.address, port: media.localPort, codecs: ['PCMU', 'PCMA'], random, ...setup.sdp });
  return Object.assign(p, { media, sdp }) as Phone;
}

function wire(sdp: SessionDescription): SessionDescription {
  return parseSdp(serializeSdp(sdp));
}

/** a offers, b answers: both sides' NegotiatedMedia. */
export function negotiate(a: Phone, b: Phone): { a: NegotiatedMedia; b: NegotiatedMedia } {
  const offer = wire(a.sdp.createOffer());
  const { answer, media } = b.sdp.receiveOffer(offer);
  return { a: a.sdp.receiveAnswer(wire(answer)), b: media };
}

/** Negotiates and starts both. */
export function connect(a: Phone, b: Phone): { a: NegotiatedMedia; b: NegotiatedMedia } {
  const n = negotiate(a, b);
  a.media.start(n.a);
  b.media.start(n.b);
  return n;
}

export function ulawRoundTrip(x: Int16Array, encode: (s: number) => number, table: Int16Array): Int16Array {
  const y = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = table[encode(x[i]!)]!;
  return y;
}

/** The offset at which `expected` appears exactly (for at least `length` samples) in `heard`, or -1. */
export function findExact(heard: Int16Array, expected: Int16Array, from: number, length: number, maxLag: number): number {
  for (let lag = 0; lag <= maxLag; lag++) {
    let ok = true;
    for (let i = 0; i < length && ok; i++) if (heard[lag + from + i] !== expected[from + i]) ok = false;
    if (ok) return lag;
  }
  return -1;
}

/** Power of one frequency in a signal (Goertzel), normalised per sample. */
export function tonePower(x: Int16Array, from: number, n: number, hz: number): number {
  const c = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s = x[from + i]! + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (n * n);
}

/** A linear sweep from f0 to f1 Hz: no two stretches alike, so an alignment is unambiguous. */
export function chirp(n: number, f0: number, f1: number, amplitude: number): Int16Array {
  const x = new Int16Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    x[i] = Math.round(amplitude * Math.sin(phase));
    phase += (2 * Math.PI * (f0 + ((f1 - f0) * i) / n)) / 8000;
  }
  return x;
}
