/**
 * Adaptive jitter buffer for G.711. Packets are stored as codes in a ring indexed by RTP timestamp, so
 * reordering needs no sorting and any packet size works; a presence flag per sample tells what arrived.
 * Each pull plays 20 ms as two 10 ms halves: decoded when complete, concealed (plc.ts) when not.
 *
 * Playout delay: for every packet the transit D = arrival − timestamp (in samples) is compared with the
 * smallest recent transit (two rotating windows, so the minimum follows clock drift both ways); the
 * excess r is tracked by a 97th-percentile estimator. The target delay is that percentile plus a small
 * margin. At each pull the actual delay (now − playout timestamp − minimum transit) is steered toward
 * the target by inserting 10 ms (concealment) or dropping 10 ms (of quiet when there is some within
 * 0.5 s, else with a short cross-fade). Clock drift shows up as a moving minimum transit and is absorbed the same way.
 */
import { ALAW_DECODE, ULAW_DECODE, type G711Law } from './g711.js';
import { PLC_FRAME, Plc } from './plc.js';

const RING = 4096; // 512 ms of samples
const MASK = RING - 1;
const UNITS_PER_MS = 8;
const WINDOW_PACKETS = 100;
/** Percentile estimator steps, in samples: a 97th percentile settles where up·3 % = down·97 %. */
const Q_UP = 4.85;
const Q_DOWN = 0.15;
const MARGIN = 40; // 5 ms
const GROW_BELOW = -40; // 5 ms under target: insert 10 ms
const SHRINK_ABOVE = 120; // 15 ms over target: drop 10 ms of quiet
const FORCE_SHRINK_ABOVE = 480; // 60 ms over target: drop 10 ms even if not quiet
const PATIENCE = 25; // pulls (0.5 s) over target without a quiet moment before dropping anyway
const QUIET = 400; // peak level below which 10 ms may be dropped unnoticed
const XFADE = 16;
const LATE_RUN_RESYNC = 6;
/** Decoded samples after a gap that concealment may join to, and the longest gap it bridges (60 ms). */
const FUTURE = 160;
const MAX_GAP = 480;

export const JitterPut = { ok: 0, duplicate: 1, late: 2, resync: 3, invalid: 4 } as const;
export type JitterPutStatus = (typeof JitterPut)[keyof typeof JitterPut];

export interface JitterBufferOptions {
  law: G711Law;
  /** Delay before the first measurement has any weight. Default 40 ms. */
  initialDelayMs?: number;
  /** Lower and upper bounds of the target delay. Defaults 10 and 300 ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export class JitterBuffer {
  readonly #codes = new Uint8Array(RING);
  /** One bit per sample: it arrived and has not been played (a byte each would cost 3.5 KB more). */
  readonly #present = new Uint8Array(RING >> 3);
  /**
   * Recently accepted sequence numbers, by seq & 127, to spot duplicates even after playout. An empty slot s
   * holds s ^ 1, which no sequence number stored at s can equal (16 bits each, not 32 with a -1).
   */
  readonly #seen = new Uint16Array(128);
  readonly #xfade = new Int16Array(XFADE);
  readonly #plc = new Plc();
  readonly #future = new Int16Array(FUTURE);
  /** Timestamp where the gap being bridged began (-1: none), and its length. */
  #gapStart = -1;
  #gapTotal = 0;
  #decode: Int16Array;
  readonly #minDelay: number;
  readonly #maxDelay: number;
  readonly #initialDelay: number;

  /** A packet has arrived since the last reset. */
  #haveStream = false;
  /** The playout timestamp is set; before that, pulls play silence. */
  #playing = false;
  #firstTs = 0;
  #playTs = 0;
  #minNow = 0;
  #minPrev = 0;
  #windowCount = 0;
  /** Largest transit excess in the current and previous window. */
  #maxRNow = 0;
  #maxRPrev = 0;
  /** The estimate jumped for a late packet and has not come back down yet. */
  #spike = false;
  #spikeWindows = 0;
  /** Estimated 97th percentile of transit above the minimum, in samples. */
  #q = 0;
  #lateRun = 0;
  #xfadePending = false;
  #delay = 0;
  #overRun = 0;

  // Counters (since construction or reset).
  packets = 0;
  duplicates = 0;
  late = 0;
  resyncs = 0;
  /** 10 ms frames concealed because their packets were missing. */
  concealedFrames = 0;
  /** 10 ms frames inserted or dropped to adapt the delay. */
  insertedFrames = 0;
  droppedFrames = 0;

  constructor(options: JitterBufferOptions) {
    this.#decode = options.law === 'pcmu' ? ULAW_DECODE : ALAW_DECODE;
    this.#initialDelay = (options.initialDelayMs ?? 40) * UNITS_PER_MS;
    this.#minDelay = (options.minDelayMs ?? 10) * UNITS_PER_MS;
    this.#maxDelay = (options.maxDelayMs ?? 300) * UNITS_PER_MS;
    this.#q = this.#initialDelay - MARGIN;
    this.forgetSeen();
  }

  /** Switches the codec (a re-INVITE may change it); the buffered audio is kept. */
  setLaw(law: G711Law): void {
    this.#decode = law === 'pcmu' ? ULAW_DECODE : ALAW_DECODE;
  }

  /** Forgets the stream (new SSRC, new call); counters are kept. */
  reset(): void {
    this.#present.fill(0);
    this.forgetSeen();
    this.#plc.reset();
    this.#haveStream = false;
    this.#playing = false;
    this.#q = this.#initialDelay - MARGIN;
    this.#lateRun = 0;
    this.#xfadePending = false;
  }

  private forgetSeen(): void {
    const seen = this.#seen;
    for (let s = 0; s < seen.length; s++) seen[s] = s ^ 1;
  }

  /** Target playout delay in ms (above the fastest packet's transit). */
  get targetDelayMs(): number {
    return this.target() / UNITS_PER_MS;
  }

  /**
   * Playout delay in ms above the fastest packet's transit, as measured at the last pull (the target
   * before playout starts).
   */
  get delayMs(): number {
    return this.#playing ? this.#delay / UNITS_PER_MS : this.targetDelayMs;
  }

  private target(): number {
    const t = this.#q + MARGIN;
    return t < this.#minDelay ? this.#minDelay : t > this.#maxDelay ? this.#maxDelay : t;
  }

  private minTransit(): number {
    return ((this.#minNow - this.#minPrev) | 0) < 0 ? this.#minNow : this.#minPrev;
  }

  /**
   * Stores the length G.711 codes at data[offset] with RTP sequence and timestamp, arrived at arrivalMs
   * (Clock time). Returns what became of the packet.
   */
  put(data: Uint8Array, offset: number, length: number, sequence: number, timestamp: number, arrivalMs: number): JitterPutStatus {
    if (length <= 0 || length > RING / 4) return JitterPut.invalid;
    const slot = sequence & 127;
    if (this.#seen[slot] === sequence && this.#haveStream) {
      this.duplicates++;
      return JitterPut.duplicate;
    }
    const ts = timestamp >>> 0;
    const transit = (Math.floor(arrivalMs * UNITS_PER_MS) - ts) | 0;
    let status: JitterPutStatus = JitterPut.ok;
    if (!this.#haveStream) this.startStream(ts, transit);
    else if (!this.#playing) {
      const d = (ts - this.#firstTs) | 0;
      if (d <= -RING / 4 || d + length >= RING / 4) {
        this.resync(ts, transit);
        status = JitterPut.resync;
      }
    } else {
      const d = (ts - this.#playTs) | 0;
      // far ahead: the timestamps jumped (a new talkspurt or source); far behind counts as late, and a
      // run of late packets resynchronises (so one stray packet cannot)
      if (d + length > RING - PLC_FRAME) {
        this.resync(ts, transit);
        status = JitterPut.resync;
      } else if (d + length <= 0) {
        this.observe(transit, true);
        this.late++;
        if (++this.#lateRun >= LATE_RUN_RESYNC) {
          this.resync(ts, transit);
          status = JitterPut.resync;
        } else return JitterPut.late;
      }
    }
    this.#seen[slot] = sequence;
    if (status === JitterPut.ok) {
      this.#lateRun = 0;
      this.observe(transit, false);
    }
    this.packets++;
    // Store, skipping any part that is already behind the playout point.
    let skip = 0;
    if (this.#playing) {
      const d = (ts - this.#playTs) | 0;
      if (d < 0) skip = -d;
    }
    const codes = this.#codes;
    for (let i = skip; i < length; i++) codes[(ts + i) & MASK] = data[offset + i]!;
    this.mark(ts + skip, length - skip, 1);
    return status;
  }

  private startStream(ts: number, transit: number): void {
    this.#haveStream = true;
    this.#playing = false;
    this.#firstTs = ts;
    this.#minNow = transit;
    this.#minPrev = transit;
    this.#maxRNow = 0;
    this.#maxRPrev = 0;
    this.#spike = false;
    this.#windowCount = 0;
  }

  private resync(ts: number, transit: number): void {
    this.resyncs++;
    this.#present.fill(0);
    this.#lateRun = 0;
    this.startStream(ts, transit);
  }

  /** Feeds the delay estimator with one packet's transit. */
  private observe(transit: number, late: boolean): void {
    if (((transit - this.#minNow) | 0) < 0) this.#minNow = transit;
    if (++this.#windowCount >= WINDOW_PACKETS) {
      this.#minPrev = this.#minNow;
      this.#minNow = transit;
      this.#maxRPrev = this.#maxRNow;
      this.#maxRNow = 0;
      this.#windowCount = 0;
      this.#spikeWindows++;
    }
    const r = (transit - this.minTransit()) | 0;
    if (r > this.#maxRNow) this.#maxRNow = r;
    if (late && r > this.#q) {
      this.#q = r; // a late packet: jump straight to what it needed
      this.#spike = true;
      this.#spikeWindows = 0;
    } else if (r > this.#q) this.#q += Q_UP;
    else if (this.#q > 0) this.#q -= Q_DOWN;
    if (this.#spike) {
      // Once the spike has left both windows, come down to the largest recent excess within seconds.
      const recent = this.#maxRNow > this.#maxRPrev ? this.#maxRNow : this.#maxRPrev;
      if (this.#q > recent + 8) this.#q -= (this.#q - recent) * 0.02;
      else if (this.#spikeWindows >= 2) this.#spike = false;
    }
  }

  /** Writes 20 ms (2 × PLC_FRAME samples) of audio to out[offset] for playback at nowMs. */
  pull(out: Int16Array, nowMs: number, offset = 0): void {
    if (!this.#haveStream) {
      out.fill(0, offset, offset + 2 * PLC_FRAME);
      return;
    }
    const nowUnits = Math.floor(nowMs * UNITS_PER_MS);
    if (!this.#playing) this.startPlayout(nowUnits);
    this.#delay = (nowUnits - this.#playTs - this.minTransit()) | 0;
    const error = this.#delay - this.target();
    let first = offset;
    if (error < GROW_BELOW) {
      // Too little delay: play 10 ms of concealment without advancing.
      this.#plc.conceal(out, first);
      this.insertedFrames++;
      first += PLC_FRAME;
      this.#overRun = 0;
    } else if (error > SHRINK_ABOVE) {
      if (error > FORCE_SHRINK_ABOVE || ++this.#overRun >= PATIENCE || this.quiet()) {
        this.drop();
        this.#overRun = 0;
      }
    } else this.#overRun = 0;
    for (let o = first; o < offset + 2 * PLC_FRAME; o += PLC_FRAME) this.playFrame(out, o);
  }

  private startPlayout(nowUnits: number): void {
    // Align to the packet grid so a lost packet costs whole 10 ms frames.
    let start = (nowUnits - this.minTransit() - this.target()) >>> 0;
    const rel = (start - this.#firstTs) | 0;
    start = (start - (((rel % PLC_FRAME) + PLC_FRAME) % PLC_FRAME)) >>> 0;
    // Anything behind the start is stale: keep only [start, start + RING/2).
    this.mark(start + RING / 2, RING / 2, 0);
    this.#playTs = start;
    this.#playing = true;
    this.#plc.reset();
  }

  /** True when the next 10 ms is missing or quiet. */
  private quiet(): boolean {
    const present = this.#present;
    const codes = this.#codes;
    const dec = this.#decode;
    for (let i = 0; i < PLC_FRAME; i++) {
      const k = (this.#playTs + i) & MASK;
      if (!(present[k >> 3]! & (1 << (k & 7)))) continue;
      const v = dec[codes[k]!]!;
      if (v > QUIET || v < -QUIET) return false;
    }
    return true;
  }

  private drop(): void {
    const present = this.#present;
    const codes = this.#codes;
    const dec = this.#decode;
    for (let i = 0; i < PLC_FRAME; i++) {
      const k = (this.#playTs + i) & MASK;
      if (i < XFADE) this.#xfade[i] = present[k >> 3]! & (1 << (k & 7)) ? dec[codes[k]!]! : 0;
    }
    this.mark(this.#playTs, PLC_FRAME, 0);
    this.#playTs = (this.#playTs + PLC_FRAME) >>> 0;
    this.#xfadePending = true;
    this.droppedFrames++;
  }

  /**
   * Samples from base to the first of FUTURE present samples in a row, when that is within MAX_GAP;
   * else 0 (nothing known after the gap).
   */
  private gapLength(base: number): number {
    const present = this.#present;
    let run = 0;
    for (let i = 0; i < MAX_GAP + FUTURE; i++) {
      const k = (base + i) & MASK;
      if (present[k >> 3]! & (1 << (k & 7))) {
        if (++run === FUTURE) return i + 1 - FUTURE;
      } else {
        run = 0;
        if (i >= MAX_GAP) return 0;
      }
    }
    return 0;
  }

  /** Sets the presence flags of count samples from timestamp ts (native fills, split at the ring's end). */
  private mark(ts: number, count: number, value: number): void {
    const k = ts & MASK;
    if (k + count <= RING) this.markRange(k, k + count, value);
    else {
      this.markRange(k, RING, value);
      this.markRange(0, k + count - RING, value);
    }
  }

  /** Sets or clears the presence bits [from, to) of the ring: whole bytes by a native fill, the ends bit by bit. */
  private markRange(from: number, to: number, value: number): void {
    const present = this.#present;
    let k = from;
    for (; k < to && (k & 7) !== 0; k++) {
      if (value) present[k >> 3]! |= 1 << (k & 7);
      else present[k >> 3]! &= ~(1 << (k & 7));
    }
    const whole = to & ~7;
    if (k < whole) {
      present.fill(value ? 255 : 0, k >> 3, whole >> 3);
      k = whole;
    }
    for (; k < to; k++) {
      if (value) present[k >> 3]! |= 1 << (k & 7);
      else present[k >> 3]! &= ~(1 << (k & 7));
    }
  }

  private playFrame(out: Int16Array, o: number): void {
    const present = this.#present;
    const base = this.#playTs;
    // Decode while checking that every sample is there (one pass in the usual case).
    let complete = true;
    const codes = this.#codes;
    const dec = this.#decode;
    for (let i = 0; i < PLC_FRAME; i++) {
      const k = (base + i) & MASK;
      if (!(present[k >> 3]! & (1 << (k & 7)))) {
        complete = false;
        break;
      }
      out[o + i] = dec[codes[k]!]!;
    }
    if (complete) {
      this.mark(base, PLC_FRAME, 0);
      if (this.#xfadePending) {
        // Continue from where the dropped 10 ms began, fading into what follows it.
        for (let i = 0; i < XFADE; i++) {
          const a = (i + 1) / (XFADE + 1);
          out[o + i] = (1 - a) * this.#xfade[i]! + a * out[o + i]!;
        }
      }
      this.#plc.good(out, o);
    } else if (((base + PLC_FRAME - this.#firstTs) | 0) <= 0) {
      // The lead-in before the first packet is silence, not a loss.
      out.fill(0, o, o + PLC_FRAME);
      this.#plc.good(out, o);
    } else {
      // A gap is bridged when the audio after it is already here as it begins (a loss that begins
      // without a known end is concealed forwards to its end, then faded in, as in Appendix I).
      const into = (base - this.#gapStart) | 0;
      const bridging = this.#gapStart >= 0 && into >= 0 && into < this.#gapTotal;
      const gap = bridging || this.#plc.erasedFrames === 0 ? this.gapLength(base) : 0;
      if (gap > 0) {
        const future = this.#future;
        const start = base + gap;
        for (let i = 0; i < FUTURE; i++) future[i] = dec[codes[(start + i) & MASK]!]!;
        if (!bridging) {
          this.#gapStart = base;
          this.#gapTotal = gap;
        }
        this.#plc.concealBetween(out, o, gap, this.#gapTotal, future, 0);
      } else {
        this.#gapStart = -1;
        this.#plc.conceal(out, o);
      }
      this.mark(base, PLC_FRAME, 0);
      this.concealedFrames++;
    }
    this.#xfadePending = false;
    this.#playTs = (base + PLC_FRAME) >>> 0;
  }
}
