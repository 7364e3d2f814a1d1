import { AesCm } from './aes-cm.js';
import { deriveSessionKeys } from './kdf.js';
import { softPrimitives, type Mac, type SrtpPrimitives } from './primitives.js';
import { ReplayWindow } from './replay.js';
import { SUITES, type SrtpKeys, type SuiteParams } from './suite.js';

/** unprotect results below zero: why a packet was dropped (no exceptions per packet). */
export const SrtpStatus = {
  /** Too short or not version 2. */
  malformed: -1,
  /** Authentication tag (or MKI) did not match. */
  authFailed: -2,
  /** Index already seen or older than the replay window. */
  replayed: -3,
} as const;
export type SrtpFailure = (typeof SrtpStatus)[keyof typeof SrtpStatus];

/** Per-SSRC receive/send state: rollover counter, highest sequence, replay window. */
class StreamState {
  roc = 0;
  highestSeq = 0;
  readonly replay = new ReplayWindow();
  constructor(public ssrc: number) {}
}

/** How many SSRCs one context tracks before forgetting the least recently created. */
const MAX_STREAMS = 4;

/**
 * One SRTP/SRTCP crypto context (RFC 3711 §3.2) for one direction: protect for what we send,
 * unprotect for what we receive. Works in place in the caller's buffer and allocates nothing per
 * packet once each SSRC has been seen.
 */
export class SrtpContext {
  readonly params: SuiteParams;
  private readonly rtpCipher: AesCm;
  private readonly rtcpCipher: AesCm;
  private readonly rtpMac: Mac;
  private readonly rtcpMac: Mac;
  private readonly mki: Uint8Array;
  private readonly streams: StreamState[] = [];
  private readonly rtcpReplay = new Map<number, ReplayWindow>();
  private rtcpIndex = 0;
  private readonly roc = new Uint8Array(4);
  private readonly tag = new Uint8Array(20);

  constructor(keys: SrtpKeys, primitives: SrtpPrimitives = softPrimitives) {
    const params = SUITES[keys.suite];
    if (keys.masterKey.length !== params.keyLength || keys.masterSalt.length !== params.saltLength) {
      throw new RangeError(`${keys.suite} needs a ${params.keyLength}-byte key and ${params.saltLength}-byte salt`);
    }
    this.params = params;
    const cipher = primitives.blockCipher;
    const s = deriveSessionKeys(cipher, keys.masterKey, keys.masterSalt, params.keyLength, params.saltLength);
    this.rtpCipher = new AesCm(cipher(s.rtpKey), s.rtpSalt);
    this.rtcpCipher = new AesCm(cipher(s.rtcpKey), s.rtcpSalt);
    this.rtpMac = primitives.hmacSha1(s.rtpAuth);
    this.rtcpMac = primitives.hmacSha1(s.rtcpAuth);
    this.mki = keys.mki ?? new Uint8Array(0);
  }

  /** Bytes protect adds to an RTP packet. */
  get rtpOverhead(): number {
    return this.mki.length + this.params.rtpTagLength;
  }

  /** Bytes protectRtcp adds to an RTCP packet. */
  get rtcpOverhead(): number {
    return 4 + this.mki.length + this.params.rtcpTagLength;
  }

  /**
   * Encrypts and authenticates the RTP packet in buf[0..length) in place; returns the new length.
   * buf must have rtpOverhead spare bytes. Throws on a malformed packet (our own code built it).
   */
  protectRtp(buf: Uint8Array, length: number): number {
    const headerLength = rtpHeaderLength(buf, length);
    if (headerLength < 0) throw new RangeError('not an RTP packet');
    const tagLength = this.params.rtpTagLength;
    const total = length + this.mki.length + tagLength;
    if (buf.length < total) throw new RangeError('no room for the SRTP trailer');
    const ssrc = readU32(buf, 8);
    const seq = (buf[2] << 8) | buf[3];
    const stream = this.stream(ssrc, seq, true)!;
    const roc = guessRoc(stream, seq);
    if (roc < 0) throw new RangeError('sequence number went backwards before the first rollover');
    updateRoc(stream, roc, seq);
    this.rtpCipher.xor(buf, headerLength, length - headerLength, ssrc, roc, seq);
    buf.set(this.mki, length);
    this.rtpTag(buf, length, roc);
    for (let i = 0; i < tagLength; i++) buf[length + this.mki.length + i] = this.tag[i];
    return total;
  }

  /** Checks and decrypts the SRTP packet in buf[0..length) in place; returns the RTP length or an SrtpStatus. */
  unprotectRtp(buf: Uint8Array, length: number): number | SrtpFailure {
    const tagLength = this.params.rtpTagLength;
    const mkiLength = this.mki.length;
    const rtpLength = length - tagLength - mkiLength;
    const headerLength = rtpHeaderLength(buf, rtpLength);
    if (headerLength < 0) return SrtpStatus.malformed;
    for (let i = 0; i < mkiLength; i++) if (buf[rtpLength + i] !== this.mki[i]) return SrtpStatus.authFailed;
    const ssrc = readU32(buf, 8);
    const seq = (buf[2] << 8) | buf[3];
    const known = this.stream(ssrc, seq, false);
    // An unknown SSRC is judged against a fresh state (ROC 0, this packet's SEQ), kept only if authentic.
    const roc = known ? guessRoc(known, seq) : 0;
    if (roc < 0) return SrtpStatus.replayed;
    const index = roc * 65536 + seq;
    if (known && !known.replay.check(index)) return SrtpStatus.replayed;
    this.rtpTag(buf, rtpLength, roc);
    if (!sameTag(this.tag, buf, rtpLength + mkiLength, tagLength)) return SrtpStatus.authFailed;
    const stream = known ?? this.stream(ssrc, seq, true)!;
    updateRoc(stream, roc, seq);
    stream.replay.accept(index);
    this.rtpCipher.xor(buf, headerLength, rtpLength - headerLength, ssrc, roc, seq);
    return rtpLength;
  }

  /** Encrypts and authenticates a (compound) RTCP packet in place; returns the new length. */
  protectRtcp(buf: Uint8Array, length: number): number {
    if (length < 8 || buf[0] >> 6 !== 2) throw new RangeError('not an RTCP packet');
    const total = length + this.rtcpOverhead;
    if (buf.length < total) throw new RangeError('no room for the SRTCP trailer');
    const index = this.rtcpIndex;
    this.rtcpIndex = (index + 1) & 0x7fffffff;
    const ssrc = readU32(buf, 4);
    this.rtcpCipher.xor(buf, 8, length - 8, ssrc, index >>> 16, index & 0xffff);
    writeU32(buf, length, (0x80000000 | index) >>> 0);
    const authLength = length + 4;
    this.rtcpMac.start().update(buf, 0, authLength).finish(this.tag, 0);
    buf.set(this.mki, authLength);
    const at = authLength + this.mki.length;
    for (let i = 0; i < this.params.rtcpTagLength; i++) buf[at + i] = this.tag[i];
    return total;
  }

  /** Checks and (if the E flag says so) decrypts an SRTCP packet in place; returns the RTCP length or an SrtpStatus. */
  unprotectRtcp(buf: Uint8Array, length: number): number | SrtpFailure {
    const tagLength = this.params.rtcpTagLength;
    const mkiLength = this.mki.length;
    const authLength = length - tagLength - mkiLength;
    const rtcpLength = authLength - 4;
    if (rtcpLength < 8 || buf[0] >> 6 !== 2) return SrtpStatus.malformed;
    for (let i = 0; i < mkiLength; i++) if (buf[authLength + i] !== this.mki[i]) return SrtpStatus.authFailed;
    const word = readU32(buf, rtcpLength);
    const encrypted = word >= 0x80000000;
    const index = word & 0x7fffffff;
    const ssrc = readU32(buf, 4);
    const replay = this.rtcpReplay.get(ssrc);
    if (replay && !replay.check(index)) return SrtpStatus.replayed;
    this.rtcpMac.start().update(buf, 0, authLength).finish(this.tag, 0);
    if (!sameTag(this.tag, buf, authLength + mkiLength, tagLength)) return SrtpStatus.authFailed;
    let window = replay;
    if (!window) {
      if (this.rtcpReplay.size >= MAX_STREAMS) this.rtcpReplay.delete(this.rtcpReplay.keys().next().value!);
      window = new ReplayWindow();
      this.rtcpReplay.set(ssrc, window);
    }
    window.accept(index);
    if (encrypted) this.rtcpCipher.xor(buf, 8, rtcpLength - 8, ssrc, index >>> 16, index & 0xffff);
    return rtcpLength;
  }

  /** The rollover counter currently assumed for an SSRC (for tests and diagnostics). */
  rolloverCounter(ssrc: number): number | undefined {
    for (const s of this.streams) if (s.ssrc === ssrc) return s.roc;
    return undefined;
  }

  private rtpTag(buf: Uint8Array, authLength: number, roc: number): void {
    writeU32(this.roc, 0, roc);
    this.rtpMac.start().update(buf, 0, authLength).update(this.roc, 0, 4).finish(this.tag, 0);
  }

  private stream(ssrc: number, seq: number, create: boolean): StreamState | undefined {
    const streams = this.streams;
    for (let i = 0; i < streams.length; i++) if (streams[i].ssrc === ssrc) return streams[i];
    if (!create) return undefined;
    const s = new StreamState(ssrc);
    s.highestSeq = seq;
    if (streams.length >= MAX_STREAMS) streams.shift();
    streams.push(s);
    return s;
  }
}

/** RFC 3711 Appendix A: the ROC value v that puts seq closest to the highest sequence seen. */
function guessRoc(s: StreamState, seq: number): number {
  const last = s.highestSeq;
  if (last < 32768) return seq - last > 32768 ? s.roc - 1 : s.roc;
  return last - 32768 > seq ? s.roc + 1 : s.roc;
}

/** §3.3.1: after a packet is accepted, move ROC/s_l forward (never back). */
function updateRoc(s: StreamState, roc: number, seq: number): void {
  if (roc > s.roc) {
    s.roc = roc;
    s.highestSeq = seq;
  } else if (roc === s.roc && seq > s.highestSeq) {
    s.highestSeq = seq;
  }
}

/** Length of the RTP header (fixed part, CSRCs, extension), or -1 if it does not fit in `length`. */
function rtpHeaderLength(buf: Uint8Array, length: number): number {
  if (length < 12 || buf[0] >> 6 !== 2) return -1;
  let n = 12 + 4 * (buf[0] & 0x0f);
  if (buf[0] & 0x10) {
    if (n + 4 > length) return -1;
    n += 4 + 4 * ((buf[n + 2] << 8) | buf[n + 3]);
  }
  return n <= length ? n : -1;
}

function sameTag(tag: Uint8Array, buf: Uint8Array, at: number, length: number): boolean {
  let diff = 0;
  for (let i = 0; i < length; i++) diff |= tag[i] ^ buf[at + i];
  return diff === 0;
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}

function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}
