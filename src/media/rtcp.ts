/**
 * RTCP (RFC 3550 §6): reception statistics for one remote source (A.1 sequence tracking, A.3 loss,
 * A.8 jitter), SR/RR + SDES CNAME (+ BYE) compound packets written into a reused buffer, parsing of
 * the peer's reports into a reused record, round-trip time from LSR/DLSR, and the report interval.
 */
import type { Random } from '../../hal/random.js';

const SEQ_MOD = 65536;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

/** Seconds between 1900 (NTP epoch) and 1970 (Unix epoch). */
const NTP_UNIX_OFFSET = 2208988800;

/** NTP seconds (unsigned 32-bit) for a Unix time in ms. */
export function ntpSeconds(unixMs: number): number {
  return (Math.floor(unixMs / 1000) + NTP_UNIX_OFFSET) >>> 0;
}

/** NTP fraction (unsigned 32-bit) for a Unix time in ms. */
export function ntpFraction(unixMs: number): number {
  const ms = unixMs - Math.floor(unixMs / 1000) * 1000;
  return Math.floor((ms / 1000) * 4294967296) >>> 0;
}

/** The middle 32 bits of the 64-bit NTP time (16.16 fixed point seconds), as LSR and RTT use. */
export function ntpMiddle(unixMs: number): number {
  return (((ntpSeconds(unixMs) & 0xffff) << 16) | (ntpFraction(unixMs) >>> 16)) >>> 0;
}

/**
 * Round trip in ms from a report block (RFC 3550 §6.4.1): arrival − LSR − DLSR, all in 1/65536 s.
 * Returns -1 when the peer has not yet received a sender report from us (LSR = 0).
 */
export function roundTripMs(arrivalMiddle: number, lsr: number, dlsr: number): number {
  if (lsr === 0) return -1;
  const units = (arrivalMiddle - lsr - dlsr) | 0;
  return units < 0 ? 0 : (units * 1000) / 65536;
}

/** Reception state for the source we receive from (RFC 3550 A.1, A.3, A.8). */
export class ReceptionStats {
  /** SSRC of the source; valid once started. */
  ssrc = 0;
  started = false;
  maxSeq = 0;
  /** Count of sequence-number wraps, times 65536. */
  cycles = 0;
  baseSeq = 0;
  badSeq = SEQ_MOD + 1;
  received = 0;
  expectedPrior = 0;
  receivedPrior = 0;
  /** Relative transit time of the previous packet, in timestamp units. */
  transit = 0;
  /** Interarrival jitter in timestamp units, times 16 (A.8). */
  jitterQ4 = 0;
  #haveTransit = false;

  reset(ssrc: number, seq: number): void {
    this.ssrc = ssrc;
    this.started = true;
    this.initSeq(seq);
    this.#haveTransit = false;
    this.jitterQ4 = 0;
    this.transit = 0;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /**
   * Accounts one packet; returns false when its sequence number is a jump the source has not
   * confirmed (A.1): the packet should be discarded. timing false leaves the jitter alone (RFC 4733
   * events repeat one timestamp, which says nothing about when they were sent).
   */
  update(seq: number, rtpTimestamp: number, arrivalUnits: number, timing = true): boolean {
    if (!this.started) this.reset(this.ssrc, seq);
    else {
      const udelta = (seq - this.maxSeq) & 0xffff;
      if (udelta < MAX_DROPOUT) {
        if (seq < this.maxSeq) this.cycles += SEQ_MOD;
        this.maxSeq = seq;
      } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
        if (seq === this.badSeq) {
          // Two sequential packets after a big jump: the source restarted; resynchronise.
          this.initSeq(seq);
          this.#haveTransit = false;
        } else {
          this.badSeq = (seq + 1) & 0xffff;
          return false;
        }
      }
      // else: duplicate or reordered packet, counted below.
    }
    this.received++;
    if (!timing) return true;
    const transit = (arrivalUnits - rtpTimestamp) | 0;
    if (this.#haveTransit) {
      let d = (transit - this.transit) | 0;
      if (d < 0) d = -d;
      this.jitterQ4 += d - ((this.jitterQ4 + 8) >> 4);
    }
    this.transit = transit;
    this.#haveTransit = true;
    return true;
  }

  /** Extended highest sequence number received (cycles + max). */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  get expected(): number {
    return this.started ? this.extendedMax - this.baseSeq + 1 : 0;
  }

  /** Cumulative packets lost, clamped to the 24-bit signed field (negative with duplicates). */
  get cumulativeLost(): number {
    const lost = this.expected - this.received;
    return lost > 0x7fffff ? 0x7fffff : lost < -0x800000 ? -0x800000 : lost;
  }

  /** Interarrival jitter in timestamp units, as reported. */
  get jitter(): number {
    return this.jitterQ4 >> 4;
  }

  /** Fraction lost since the previous call, in 1/256 (A.3); advances the interval. */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval === 0 || lostInterval <= 0) return 0;
    return Math.floor((lostInterval * 256) / expectedInterval);
  }
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}

function get32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

/** What a report about the remote source contains; filled by the caller before writing. */
export class ReportBlock {
  ssrc = 0;
  fractionLost = 0;
  cumulativeLost = 0;
  extendedMax = 0;
  jitter = 0;
  lsr = 0;
  dlsr = 0;
}

/** Sender information for an SR. */
export class SenderInfo {
  unixMs = 0;
  rtpTimestamp = 0;
  packets = 0;
  octets = 0;
}

/** Writes compound RTCP packets (SR or RR, then SDES CNAME, then optionally BYE) into one buffer. */
export class RtcpWriter {
  readonly buffer: Uint8Array;
  readonly #cname: Uint8Array;

  /** spare: room left after the longest packet, for an SRTCP trailer added in place. */
  constructor(cname: string, spare = 0) {
    const c = new TextEncoder().encode(cname);
    this.#cname = c.length > 255 ? c.slice(0, 255) : c;
    // SR with one block (52) + SDES (8 + 2 + cname, padded) + BYE (8)
    this.buffer = new Uint8Array(52 + 12 + this.#cname.length + 4 + 8 + spare);
  }

  /**
   * Writes SR (when sender is given) or RR, with block when given, then SDES CNAME and, when bye, BYE.
   * Returns the length.
   */
  write(ssrc: number, sender: SenderInfo | null, block: ReportBlock | null, bye: boolean): number {
    const b = this.buffer;
    const rc = block ? 1 : 0;
    let p = 0;
    b[p] = 0x80 | rc;
    b[p + 1] = sender ? RTCP_SR : RTCP_RR;
    const words = (sender ? 6 : 1) + rc * 6;
    b[p + 2] = 0;
    b[p + 3] = words;
    put32(b, p + 4, ssrc);
    p += 8;
    if (sender) {
      put32(b, p, ntpSeconds(sender.unixMs));
      put32(b, p + 4, ntpFraction(sender.unixMs));
      put32(b, p + 8, sender.rtpTimestamp);
      put32(b, p + 12, sender.packets);
      put32(b, p + 16, sender.octets);
      p += 20;
    }
    if (block) {
      put32(b, p, block.ssrc);
      b[p + 4] = block.fractionLost;
      const lost = block.cumulativeLost & 0xffffff;
      b[p + 5] = lost >> 16;
      b[p + 6] = lost >> 8;
      b[p + 7] = lost;
      put32(b, p + 8, block.extendedMax);
      put32(b, p + 12, block.jitter);
      put32(b, p + 16, block.lsr);
      put32(b, p + 20, block.dlsr);
      p += 24;
    }
    // SDES: one chunk with CNAME, terminated by at least one zero octet, padded to 32 bits.
    const n = this.#cname.length;
    const chunk = 4 + 2 + n;
    const padded = (chunk + 4) & ~3;
    b[p] = 0x81;
    b[p + 1] = RTCP_SDES;
    b[p + 2] = 0;
    b[p + 3] = padded / 4;
    put32(b, p + 4, ssrc);
    b[p + 8] = 1;
    b[p + 9] = n;
    b.set(this.#cname, p + 10);
    for (let i = p + 10 + n; i < p + 4 + padded; i++) b[i] = 0;
    p += 4 + padded;
    if (bye) {
      b[p] = 0x81;
      b[p + 1] = RTCP_BYE;
      b[p + 2] = 0;
      b[p + 3] = 1;
      put32(b, p + 4, ssrc);
      p += 8;
    }
    return p;
  }
}

/** What parseRtcp found in a compound packet; one instance reused. */
export class RtcpInfo {
  senderSsrc = 0;
  hasSenderReport = false;
  /** Middle 32 bits of the SR's NTP time: our next LSR. */
  srNtpMiddle = 0;
  srRtpTimestamp = 0;
  srPackets = 0;
  srOctets = 0;
  /** A report block about our own SSRC was present. */
  hasBlock = false;
  readonly block = new ReportBlock();
  bye = false;
}

export const RtcpParse = { ok: 0, tooShort: 1, badVersion: 2, badLength: 3, notReport: 4 } as const;
export type RtcpParseStatus = (typeof RtcpParse)[keyof typeof RtcpParse];

/**
 * Parses a compound RTCP packet (A.2 validity: version 2, first packet SR or RR, lengths add up),
 * picking the report block about ourSsrc.
 */
export function parseRtcp(data: Uint8Array, offset: number, length: number, ourSsrc: number, out: RtcpInfo): RtcpParseStatus {
  out.hasSenderReport = false;
  out.hasBlock = false;
  out.bye = false;
  if (length < 8) return RtcpParse.tooShort;
  const first = data[offset + 1]!;
  if (first !== RTCP_SR && first !== RTCP_RR) return RtcpParse.notReport;
  const end = offset + length;
  let p = offset;
  while (p < end) {
    if (p + 4 > end) return RtcpParse.badLength;
    const b0 = data[p]!;
    if (b0 >> 6 !== 2) return RtcpParse.badVersion;
    const pt = data[p + 1]!;
    const count = b0 & 0x1f;
    const size = (((data[p + 2]! << 8) | data[p + 3]!) + 1) * 4;
    if (p + size > end) return RtcpParse.badLength;
    if (pt === RTCP_SR || pt === RTCP_RR) {
      let q = p + 8;
      if (q > p + size) return RtcpParse.badLength;
      out.senderSsrc = get32(data, p + 4);
      if (pt === RTCP_SR) {
        if (q + 20 > p + size) return RtcpParse.badLength;
        out.hasSenderReport = true;
        out.srNtpMiddle = ((get32(data, q) << 16) | (get32(data, q + 4) >>> 16)) >>> 0;
        out.srRtpTimestamp = get32(data, q + 8);
        out.srPackets = get32(data, q + 12);
        out.srOctets = get32(data, q + 16);
        q += 20;
      }
      for (let i = 0; i < count && q + 24 <= p + size; i++, q += 24) {
        if (get32(data, q) !== ourSsrc) continue;
        const blk = out.block;
        out.hasBlock = true;
        blk.ssrc = ourSsrc;
        blk.fractionLost = data[q + 4]!;
        blk.cumulativeLost = (((data[q + 5]! << 16) | (data[q + 6]! << 8) | data[q + 7]!) << 8) >> 8;
        blk.extendedMax = get32(data, q + 8);
        blk.jitter = get32(data, q + 12);
        blk.lsr = get32(data, q + 16);
        blk.dlsr = get32(data, q + 20);
      }
    } else if (pt === RTCP_BYE) {
      out.bye = true;
    }
    p += size;
  }
  return RtcpParse.ok;
}

/** Nominal interval between reports; RFC 3550 §6.2 minimum for a two-party call. */
export const RTCP_INTERVAL_MS = 5000;

/**
 * The delay until the next report: the nominal interval (half of it before the first report, §6.2)
 * times a uniform factor in [0.5, 1.5) so that participants do not synchronise (§6.3.1).
 * scratch is a caller-owned 4-byte buffer, so drawing allocates nothing.
 */
export function rtcpIntervalMs(random: Random, scratch: Uint8Array, first: boolean): number {
  random.fill(scratch);
  const u = ((scratch[0]! << 24) | (scratch[1]! << 16) | (scratch[2]! << 8) | scratch[3]!) >>> 0;
  const base = first ? RTCP_INTERVAL_MS / 2 : RTCP_INTERVAL_MS;
  return base * (0.5 + u / 4294967296);
}
