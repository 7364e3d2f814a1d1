/**
 * DTMF: RFC 4733 telephone-event packets (send and receive) and in-band dual tones (generate, and
 * detect with the Goertzel algorithm).
 */
import { DualTone, dbm0ToAmplitude, SAMPLE_RATE } from './oscillator.js';

/** Event codes 0–15 in RFC 4733 order: 0–9, *, #, A–D. */
export const DTMF_DIGITS = '0123456789*#ABCD';

/** Event code of a digit, or -1. */
export function dtmfEvent(digit: string): number {
  return digit.length === 1 ? DTMF_DIGITS.indexOf(digit.toUpperCase()) : -1;
}

/** Digit of an event code 0–15 ('' otherwise). */
export function dtmfDigit(event: number): string {
  return event >= 0 && event < 16 ? DTMF_DIGITS[event]! : '';
}

const ROWS = [697, 770, 852, 941] as const;
const COLS = [1209, 1336, 1477, 1633] as const;
/** [row Hz, column Hz] of an event code. */
export function dtmfFrequencies(event: number): readonly [number, number] {
  // Keypad layout: 1 2 3 A / 4 5 6 B / 7 8 9 C / * 0 # D
  const pos = DTMF_LAYOUT[event]!;
  return [ROWS[pos >> 2]!, COLS[pos & 3]!];
}
/** Keypad position (row * 4 + column) of each event code. */
const DTMF_LAYOUT = new Uint8Array([13, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 14, 3, 7, 11, 15]);

export const TELEPHONE_EVENT_SIZE = 4;

/** Writes a telephone-event payload (RFC 4733 §2.3). */
export function writeTelephoneEvent(buf: Uint8Array, offset: number, event: number, end: boolean, volume: number, duration: number): number {
  buf[offset] = event;
  buf[offset + 1] = (end ? 0x80 : 0) | (volume & 0x3f);
  buf[offset + 2] = (duration >> 8) & 0xff;
  buf[offset + 3] = duration & 0xff;
  return TELEPHONE_EVENT_SIZE;
}

export interface DtmfSenderOptions {
  /** Interval between updates of an event in progress; default 50 ms. */
  updateIntervalMs?: number;
  /** Power level in -dBm0 (0–63); default 10. */
  volume?: number;
}

/**
 * Produces the telephone-event packets of one event at a time: a first packet (marker bit), updates
 * with the growing duration every update interval, all with the event's start timestamp, then the
 * end packet three times. The caller sends each with the next sequence number.
 */
export class DtmfSender {
  readonly #interval: number;
  readonly #volume: number;
  #event = -1;
  #startMs = 0;
  #lengthMs = 0;
  #nextMs = 0;
  #endsLeft = 0;
  #first = false;
  /** RTP timestamp of the event in progress. */
  timestamp = 0;
  /** Whether the packet poll() just wrote needs the marker bit. */
  marker = false;

  constructor(options: DtmfSenderOptions = {}) {
    this.#interval = options.updateIntervalMs ?? 50;
    this.#volume = options.volume ?? 10;
  }

  /** True while packets remain to be sent. */
  get busy(): boolean {
    return this.#event >= 0;
  }

  /** True until the first end packet has gone: audio packets should pause meanwhile. */
  get toneActive(): boolean {
    return this.#event >= 0 && this.#endsLeft === 3;
  }

  /** Starts an event; false when the digit is invalid or an event is still being sent. */
  start(digit: string, timestamp: number, durationMs: number, nowMs: number): boolean {
    const event = dtmfEvent(digit);
    if (event < 0 || this.busy) return false;
    this.#event = event;
    this.timestamp = timestamp >>> 0;
    this.#startMs = nowMs;
    // the 16-bit duration field holds at most 8.19 s; keep well inside one segment
    this.#lengthMs = durationMs < 40 ? 40 : durationMs > 5000 ? 5000 : durationMs;
    this.#nextMs = nowMs;
    this.#endsLeft = 3;
    this.#first = true;
    return true;
  }

  /** Writes the payload of the packet due at nowMs to buf[offset]; returns its size, or 0 when none is due. */
  poll(nowMs: number, buf: Uint8Array, offset: number): number {
    if (this.#event < 0 || nowMs < this.#nextMs) return 0;
    this.marker = this.#first;
    this.#first = false;
    const elapsed = nowMs - this.#startMs;
    let end = false;
    let samples: number;
    if (elapsed >= this.#lengthMs) {
      end = true;
      samples = this.#lengthMs * (SAMPLE_RATE / 1000);
      this.#endsLeft--;
    } else {
      // the first packet says one packet's worth rather than 0, which some receivers ignore
      samples = elapsed < 20 ? 160 : Math.floor(elapsed * (SAMPLE_RATE / 1000));
    }
    writeTelephoneEvent(buf, offset, this.#event, end, this.#volume, samples);
    if (end && this.#endsLeft === 0) this.#event = -1;
    else {
      this.#nextMs += this.#interval;
      // the end arrives on time even when it falls between updates
      if (!end && this.#nextMs > this.#startMs + this.#lengthMs) this.#nextMs = this.#startMs + this.#lengthMs;
    }
    return TELEPHONE_EVENT_SIZE;
  }

  /** Abandons the event in progress (hang-up). */
  cancel(): void {
    this.#event = -1;
  }
}

/**
 * Turns received telephone-event packets into one report per event, at its end: packets of the same
 * event share a timestamp, so repeats and updates are recognised; an event whose end packets were all
 * lost is reported when the next event starts or by expire().
 */
export class DtmfReceiver {
  #timestamp = -1;
  #event = -1;
  #durationSamples = 0;
  #ended = false;
  #lastMs = 0;
  /** Event code of the last report. */
  event = -1;
  /** Duration in ms of the last report. */
  durationMs = 0;

  /** Digit of the last report. */
  get digit(): string {
    return dtmfDigit(this.event);
  }

  /** The digit being received now ('' when none): for immediate feedback. */
  get current(): string {
    return this.#ended ? '' : dtmfDigit(this.#event);
  }

  /**
   * Feeds one payload with its RTP timestamp; returns the event code when an event is complete and not
   * yet reported (then event, digit and durationMs describe it), else -1.
   */
  receive(data: Uint8Array, offset: number, length: number, timestamp: number, nowMs: number): number {
    if (length < TELEPHONE_EVENT_SIZE) return -1;
    const event = data[offset]!;
    if (event > 15) return -1; // not a DTMF event
    const end = (data[offset + 1]! & 0x80) !== 0;
    const duration = (data[offset + 2]! << 8) | data[offset + 3]!;
    const ts = timestamp >>> 0;
    let reported = -1;
    if (ts !== this.#timestamp) {
      // A new event; report the previous one if its end never came.
      if (this.#event >= 0 && !this.#ended) reported = this.report();
      this.#timestamp = ts;
      this.#event = event;
      this.#durationSamples = 0;
      this.#ended = false;
    }
    this.#lastMs = nowMs;
    if (this.#ended) return reported; // a repeated end packet
    if (duration > this.#durationSamples) this.#durationSamples = duration;
    if (end) {
      this.#ended = true;
      // a lost-end report of the previous event and this end cannot both be returned: keep the newer
      return this.report();
    }
    return reported;
  }

  /** Ends an event whose end packets were lost, once nothing was heard for timeoutMs; returns as receive(). */
  expire(nowMs: number, timeoutMs = 250): number {
    if (this.#event >= 0 && !this.#ended && nowMs - this.#lastMs >= timeoutMs) {
      this.#ended = true;
      return this.report();
    }
    return -1;
  }

  private report(): number {
    this.event = this.#event;
    this.durationMs = (this.#durationSamples * 1000) / SAMPLE_RATE;
    return this.#event;
  }
}

/** In-band DTMF: writes the dual tone of a digit over the audio for its duration. */
export class DtmfToneGenerator {
  readonly #tone = new DualTone();
  #remaining = 0;
  readonly #lowAmp: number;
  readonly #highAmp: number;

  /** Levels per tone in dBm0; the high group 2 dB above the low one (the usual pre-emphasis). */
  constructor(lowDbm0 = -9, highDbm0 = -7) {
    this.#lowAmp = dbm0ToAmplitude(lowDbm0);
    this.#highAmp = dbm0ToAmplitude(highDbm0);
  }

  get active(): boolean {
    return this.#remaining > 0;
  }

  /** Starts a digit for durationMs; false when the digit is invalid. */
  start(digit: string, durationMs = 100): boolean {
    const event = dtmfEvent(digit);
    if (event < 0) return false;
    const f = dtmfFrequencies(event);
    this.#tone.reset();
    this.#tone.set(f[0], f[1], this.#lowAmp);
    this.#tone.setLevels(this.#lowAmp, this.#highAmp);
    this.#remaining = Math.round(durationMs * (SAMPLE_RATE / 1000));
    return true;
  }

  /**
   * Overwrites count samples at pcm[offset] with the tone while one is playing (silence for the rest of
   * the last frame); returns false, leaving pcm alone, when idle.
   */
  write(pcm: Int16Array, offset: number, count: number): boolean {
    if (this.#remaining <= 0) return false;
    const n = this.#remaining < count ? this.#remaining : count;
    this.#tone.render(pcm, offset, n);
    if (n < count) pcm.fill(0, offset + n, offset + count);
    this.#remaining -= n;
    if (this.#remaining <= 0) this.#tone.reset();
    return true;
  }
}

const GOERTZEL_FREQS = [...ROWS, ...COLS];
function goertzelCoefficients(): Float64Array {
  const c = new Float64Array(8);
  for (let i = 0; i < 8; i++) c[i] = 2 * Math.cos((2 * Math.PI * GOERTZEL_FREQS[i]!) / SAMPLE_RATE);
  return c;
}
/** 2·cos(2πf/fs) for the 4 row then 4 column frequencies. Read-only. */
const COEFF = goertzelCoefficients();

/** Power of frequency coefficient coeff in count samples of pcm at offset (Goertzel). */
export function goertzelPower(pcm: Int16Array, offset: number, count: number, coeff: number): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < count; i++) {
    const s0 = pcm[offset + i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** Goertzel coefficient for any frequency, for tests and tone checks. */
export function goertzelCoefficient(frequency: number): number {
  return 2 * Math.cos((2 * Math.PI * frequency) / SAMPLE_RATE);
}

/**
 * In-band DTMF detector over 20 ms blocks: the strongest row and column tone must together carry 80 %
 * of the block's energy, dominate the other tones of their group, and be within 8 dB of each
 * other (twist); a digit is reported once, after two consecutive blocks agree.
 */
export class DtmfDetector {
  readonly #power = new Float64Array(8);
  #candidate = -1;
  #reported = -1;

  /** Analyses count samples (about 20 ms); returns the event code of a newly detected digit, or -1. */
  process(pcm: Int16Array, offset: number, count: number): number {
    let energy = 0;
    for (let i = 0; i < count; i++) energy += pcm[offset + i]! * pcm[offset + i]!;
    const p = this.#power;
    for (let i = 0; i < 8; i++) p[i] = goertzelPower(pcm, offset, count, COEFF[i]!);
    let row = 0;
    let col = 4;
    for (let i = 1; i < 4; i++) if (p[i]! > p[row]!) row = i;
    for (let i = 5; i < 8; i++) if (p[i]! > p[col]!) col = i;
    let found = -1;
    // Goertzel power of a sine of amplitude A over N samples is about (A·N/2)²; its energy is A²·N/2.
    const scale = count / 2;
    const pr = p[row]! / scale;
    const pc = p[col]! / scale;
    if (energy > count * 100 * 100 && pr + pc > 0.8 * energy && pr < 6.3 * pc && pc < 6.3 * pr) {
      let dominant = true;
      for (let i = 0; i < 4; i++) if (i !== row && p[i]! * 6.3 > p[row]!) dominant = false;
      for (let i = 4; i < 8; i++) if (i !== col && p[i]! * 6.3 > p[col]!) dominant = false;
      if (dominant) found = DTMF_LAYOUT.indexOf(row * 4 + (col - 4));
    }
    let result = -1;
    if (found >= 0 && found === this.#candidate && found !== this.#reported) {
      this.#reported = found;
      result = found;
    }
    if (found < 0) this.#reported = -1;
    this.#candidate = found;
    return result;
  }
}
