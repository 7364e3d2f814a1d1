import type { Random } from '../../hal/random.js';
import {
  SdesError,
  decodeSdesKey,
  encodeSdesKey,
  generateSdesKey,
  srtpKeysOf,
  type CryptoLine,
  type SdesKey,
} from '../media/srtp/sdes.js';
import { SUITES, type SrtpKeys, type SrtpSuite } from '../media/srtp/suite.js';
import {
  SdpError,
  emptyMedia,
  mediaConnection,
  mediaDirection,
  type AddressType,
  type Direction,
  type MediaDescription,
  type SessionDescription,
} from './sdp.js';
import { parseSdp } from './parse.js';
import { serializeSdp } from './serialize.js';

/** RFC 3264 offer/answer for one call's audio stream: what we offer, how we answer, what was agreed. */

export type AudioCodec = 'PCMU' | 'PCMA';
/** off: plain RTP only. optional: offer RTP/AVP with SDES keys (best-effort SRTP), accept either. mandatory: RTP/SAVP only. */
export type SrtpPolicy = 'off' | 'optional' | 'mandatory';

const STATIC_CODECS: { readonly [pt: number]: AudioCodec } = { 0: 'PCMU', 8: 'PCMA' };
const CODEC_PT: { readonly [C in AudioCodec]: number } = { PCMU: 0, PCMA: 8 };
const TELEPHONE_EVENT_PT = 101;
const TELEPHONE_EVENTS = '0-16';

export interface MediaOptions {
  /** The address peers should send our RTP to (IPv4 or IPv6 literal). */
  address: string;
  port: number;
  /** Preference order. */
  codecs: readonly AudioCodec[];
  /** Offer/accept RFC 4733 telephone-event (default true). */
  telephoneEvent?: boolean;
  /** Packet time we send and ask for, 10..60 in steps of 10 (default 20). */
  ptime?: number;
  srtp?: SrtpPolicy;
  /** Suites to offer/accept, in preference order (default _80 then _32). */
  srtpSuites?: readonly SrtpSuite[];
  /** Whether the media engine demultiplexes RTCP on the RTP port (RFC 5761); default false. */
  rtcpMux?: boolean;
  /** The o= user name (default "xsphone"). */
  username?: string;
  random: Random;
}

export interface NegotiatedSrtp {
  suite: SrtpSuite;
  /** Our key: protect what we send with it. */
  send: SrtpKeys;
  /** The peer's key: unprotect what we receive with it. */
  receive: SrtpKeys;
}

export interface NegotiatedMedia {
  remoteAddress: string;
  remoteAddressType: AddressType;
  remotePort: number;
  remoteRtcpAddress: string;
  remoteRtcpPort: number;
  rtcpMux: boolean;
  /** What we send: the first common codec. */
  payloadType: number;
  codec: AudioCodec;
  clockRate: number;
  /** Every payload type the peer may send us, with its codec (it may switch between them). */
  receiveCodecs: Array<{ payloadType: number; codec: AudioCodec }>;
  /** RFC 4733 payload type, if both sides do telephone-event. */
  telephoneEvent?: number;
  ptime: number;
  /** What WE do: sendrecv = we send and receive. */
  direction: Direction;
  /** The peer has put us on hold (sendonly/inactive, or the old c=0.0.0.0). */
  remoteHold: boolean;
  localHold: boolean;
  srtp?: NegotiatedSrtp;
}

/** Offer/answer failure: `status` is what a UAS answers the offer with (488 Not Acceptable Here). */
export class NegotiationError extends Error {
  constructor(
    message: string,
    readonly status = 488,
  ) {
    super(message);
  }
  override get name(): string {
    return 'NegotiationError';
  }
}

/** A direction as two flags, and back. */
export function sends(d: Direction): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}
export function receives(d: Direction): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}
export function directionOf(send: boolean, receive: boolean): Direction {
  return send ? (receive ? 'sendrecv' : 'sendonly') : receive ? 'recvonly' : 'inactive';
}

/** RFC 3264 §6.1: the answer's direction for an offered one, given whether we hold the call. */
export function answerDirection(offered: Direction, localHold: boolean): Direction {
  return directionOf(receives(offered), sends(offered) && !localHold);
}

/** The pre-RFC 3264 hold: a connection address of all zeros. */
export function isNullAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || /^0+(:0+)*::?$/.test(address);
}

interface FormatInfo {
  encoding: string;
  clockRate: number;
  channels?: number;
}

function formatInfo(m: MediaDescription, format: string): FormatInfo | undefined {
  const pt = Number(format);
  const map = m.rtpmaps.find((r) => r.payloadType === pt);
  if (map) return map;
  const codec = STATIC_CODECS[pt];
  return codec ? { encoding: codec, clockRate: 8000 } : undefined;
}

function asCodec(info: FormatInfo | undefined, allowed: readonly AudioCodec[]): AudioCodec | undefined {
  if (!info || info.clockRate !== 8000 || (info.channels !== undefined && info.channels !== 1)) return undefined;
  const name = info.encoding.toUpperCase();
  return allowed.find((c) => c === name);
}

function isTelephoneEvent(info: FormatInfo | undefined): boolean {
  return !!info && info.encoding.toLowerCase() === 'telephone-event' && info.clockRate === 8000;
}

function isSecure(protocol: string): boolean {
  return protocol === 'RTP/SAVP';
}

function choosePtime(m: MediaDescription, fallback: number): number {
  let ptime = m.ptime !== undefined && m.ptime >= 10 && m.ptime <= 60 && m.ptime % 10 === 0 ? m.ptime : fallback;
  if (m.maxptime !== undefined && ptime > m.maxptime) ptime = Math.max(10, Math.floor(m.maxptime / 10) * 10);
  return ptime;
}

/**
 * The media half of one call: keeps the o= line's session id and version, our SDES keys and the
 * hold state across offers and answers, and yields NegotiatedMedia for the media engine.
 */
/** Read only (module-level tables are in flash on the device). */
const DEFAULT_SUITES: readonly SrtpSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

export class MediaSession {
  private readonly options: Required<Omit<MediaOptions, 'srtpSuites' | 'codecs'>> & {
    srtpSuites: readonly SrtpSuite[];
    codecs: readonly AudioCodec[];
  };
  private readonly sessionId: string;
  private version: number;
  private sentAny = false;
  /**
   * The last SDP we sent, as its text: kept for the whole call (refreshes, the offer an answer answers), and the
   * text is ~8x lighter than the parsed form in XS; it is parsed again only when read (a few times per call).
   */
  private lastSent?: string;
  /** Our offer (the last SDP sent) awaits its answer: the SDES keys it offered. */
  private pendingKeys?: SdesKey[];
  /** Our SDES keys by suite, reused across re-offers and answers so the peer's ROC state stays valid. */
  private keys: Map<SrtpSuite, SdesKey> | undefined; // made with the first key (SRTP calls only)
  private holding = false;
  private remoteHolding = false;
  private negotiated?: NegotiatedMedia;

  constructor(options: MediaOptions) {
    if (options.codecs.length === 0) throw new RangeError('at least one codec is needed');
    this.options = {
      telephoneEvent: true,
      ptime: 20,
      srtp: 'off',
      rtcpMux: false,
      username: 'xsphone',
      ...options,
      srtpSuites: options.srtpSuites ?? DEFAULT_SUITES,
    };
    const r = options.random.fill(new Uint8Array(4));
    // Below 2^31 so that years of version bumps stay exact integers.
    const id = ((r[0] & 0x7f) << 24) | (r[1] << 16) | (r[2] << 8) | r[3];
    this.sessionId = String(id);
    this.version = id;
  }

  /** The media currently agreed, if an offer/answer exchange has completed. */
  get media(): NegotiatedMedia | undefined {
    return this.negotiated;
  }

  get localHold(): boolean {
    return this.holding;
  }

  /** Our next offer will put the call on hold (sendonly, or inactive if the peer is holding us). */
  hold(): void {
    this.holding = true;
  }

  /** Our next offer will resume (sendrecv). */
  resume(): void {
    this.holding = false;
  }

  /**
   * Creates an offer (initial or re-offer). `refresh` re-sends the previous SDP unchanged, version
   * included, as RFC 3264 §8 asks for a session refresh that changes nothing.
   */
  createOffer(opts: { refresh?: boolean } = {}): SessionDescription {
    if (opts.refresh && this.lastSent) {
      const last = parseSdp(this.lastSent);
      // The last SDP may have been an answer: its own crypto lines are the keys it offers.
      const audio = last.media.find((m) => m.type === 'audio' && m.port !== 0);
      this.pendingKeys = (audio?.crypto ?? []).map(decodeSdesKey);
      return last;
    }
    const o = this.options;
    const formats = o.codecs.map((c) => String(CODEC_PT[c]));
    if (o.telephoneEvent) formats.push(String(TELEPHONE_EVENT_PT));
    const secure = o.srtp === 'mandatory';
    const m = emptyMedia('audio', o.port, secure ? 'RTP/SAVP' : 'RTP/AVP', formats);
    for (const c of o.codecs) m.rtpmaps.push({ payloadType: CODEC_PT[c], encoding: c, clockRate: 8000 });
    if (o.telephoneEvent) {
      m.rtpmaps.push({ payloadType: TELEPHONE_EVENT_PT, encoding: 'telephone-event', clockRate: 8000 });
      m.fmtps.push({ format: String(TELEPHONE_EVENT_PT), params: TELEPHONE_EVENTS });
    }
    const keys: SdesKey[] = [];
    if (o.srtp !== 'off') {
      o.srtpSuites.forEach((suite, i) => {
        const key = this.keyFor(suite, i + 1);
        keys.push(key);
        m.crypto.push(encodeSdesKey(key));
      });
    }
    if (o.rtcpMux) m.rtcpMux = true;
    m.ptime = o.ptime;
    m.direction = this.holding ? (this.remoteHolding ? 'inactive' : 'sendonly') : 'sendrecv';
    const sdp = this.describe([m]);
    this.pendingKeys = keys;
    return sdp;
  }

  /** Forgets an offer that was not answered (failed or glared re-INVITE); the agreed media stay. */
  rollback(): void {
    this.pendingKeys = undefined;
  }

  /**
   * Applies an answer to our last offer. The offer stays answerable until the next offer or
   * incoming offer: a 183 and the 200 OK, or several forked early dialogs, may each carry one.
   */
  receiveAnswer(answer: SessionDescription): NegotiatedMedia {
    const keys = this.pendingKeys;
    if (!keys || this.lastSent === undefined) throw new Error('no offer outstanding');
    const offer = parseSdp(this.lastSent);
    if (answer.media.length !== offer.media.length) {
      throw new SdpError(`answer has ${answer.media.length} m-lines for an offer with ${offer.media.length}`);
    }
    // Our offers carry one live audio stream; a refreshed answer of ours may also carry rejected ones.
    const index = offer.media.findIndex((x) => x.type === 'audio' && x.port !== 0);
    if (index < 0) throw new NegotiationError('our offer has no audio stream');
    const offered = offer.media[index];
    const m = answer.media[index];
    if (m.type !== 'audio' || m.port === 0) throw new NegotiationError('the peer rejected the audio stream');
    if (m.protocol !== offered.protocol) throw new NegotiationError(`answer changed the transport to ${m.protocol}`);
    const offeredFormats = new Set(offered.formats);
    let send: { payloadType: number; codec: AudioCodec } | undefined;
    const receiveCodecs: Array<{ payloadType: number; codec: AudioCodec }> = [];
    let telephoneEvent: number | undefined;
    for (const f of m.formats) {
      if (!offeredFormats.has(f)) continue; // Not a subset: ignore what we never offered.
      const info = formatInfo(m, f) ?? formatInfo(offered, f);
      const codec = asCodec(info, this.options.codecs);
      if (codec) {
        const entry = { payloadType: Number(f), codec };
        send ??= entry;
        receiveCodecs.push(entry);
      } else if (isTelephoneEvent(info) && this.options.telephoneEvent) {
        telephoneEvent = Number(f);
      }
    }
    if (!send) throw new NegotiationError('the answer has no codec we offered');

    let srtp: NegotiatedSrtp | undefined;
    if (keys.length > 0 && m.crypto.length > 0) {
      const line = m.crypto[0];
      const ours = keys.find((k) => k.tag === line.tag && k.suite === line.suite);
      if (!ours) throw new NegotiationError(`the answer's crypto tag ${line.tag} ${line.suite} was not offered`);
      srtp = { suite: ours.suite, send: srtpKeysOf(ours), receive: srtpKeysOf(decodeAnswerKey(line)) };
    } else if (isSecure(offered.protocol)) {
      throw new NegotiationError('the answer to an RTP/SAVP offer has no usable crypto line');
    }

    const ourDirection = offered.direction ?? 'sendrecv';
    const theirDirection = mediaDirection(answer, m);
    const connection = mediaConnection(answer, m);
    if (!connection) throw new SdpError('the answer has no c= for its audio stream');
    const nullAddress = isNullAddress(connection.address);
    if (sends(ourDirection)) this.remoteHolding = !receives(theirDirection) || nullAddress;
    const direction = directionOf(
      sends(ourDirection) && receives(theirDirection) && !nullAddress,
      receives(ourDirection) && sends(theirDirection),
    );
    this.negotiated = this.result(answer, m, send, receiveCodecs, telephoneEvent, choosePtime(m, offered.ptime ?? this.options.ptime), direction, srtp);
    return this.negotiated;
  }

  /** Answers an offer (initial or re-offer); throws NegotiationError (488) when nothing is acceptable. */
  receiveOffer(offer: SessionDescription): { answer: SessionDescription; media: NegotiatedMedia } {
    if (offer.media.length === 0) throw new NegotiationError('the offer has no media');
    const answers: MediaDescription[] = [];
    let accepted: NegotiatedMedia | undefined;
    let reason = 'no audio stream in the offer';
    for (const m of offer.media) {
      const rejected = emptyMedia(m.type, 0, m.protocol, m.formats);
      if (accepted || m.type !== 'audio' || m.port === 0) {
        answers.push(rejected);
        continue;
      }
      const attempt = this.answerAudio(offer, m);
      if (typeof attempt === 'string') {
        reason = attempt;
        answers.push(rejected);
        continue;
      }
      answers.push(attempt.answer);
      accepted = attempt.media;
    }
    if (!accepted) throw new NegotiationError(reason);
    this.pendingKeys = undefined;
    this.negotiated = accepted;
    return { answer: this.describe(answers, true), media: accepted };
  }

  /** One audio m-line of an offer: our answer m-line and the media agreed, or why we cannot. */
  private answerAudio(offer: SessionDescription, m: MediaDescription): { answer: MediaDescription; media: NegotiatedMedia } | string {
    const o = this.options;
    const secure = isSecure(m.protocol);
    if (m.protocol !== 'RTP/AVP' && !secure) return `unsupported transport ${m.protocol}`;
    if (secure && o.srtp === 'off') return 'SRTP is disabled';

    let chosenLine: CryptoLine | undefined;
    let theirKey: SdesKey | undefined;
    if (o.srtp !== 'off') {
      for (const line of m.crypto) {
        if (!o.srtpSuites.includes(line.suite as SrtpSuite)) continue;
        try {
          theirKey = decodeSdesKey(line);
          chosenLine = line;
          break;
        } catch (e) {
          if (!(e instanceof SdesError)) throw e;
        }
      }
      if (!theirKey && (secure || o.srtp === 'mandatory')) return 'no acceptable crypto line for SRTP';
    }

    const connection = mediaConnection(offer, m);
    if (!connection) throw new SdpError('the offer has no c= for its audio stream');

    const answerFormats: string[] = [];
    const receiveCodecs: Array<{ payloadType: number; codec: AudioCodec }> = [];
    const a = emptyMedia('audio', o.port, m.protocol, answerFormats);
    let telephoneEvent: number | undefined;
    for (const f of m.formats) {
      const info = formatInfo(m, f);
      const codec = asCodec(info, o.codecs);
      if (codec) {
        answerFormats.push(f);
        receiveCodecs.push({ payloadType: Number(f), codec });
        a.rtpmaps.push({ payloadType: Number(f), encoding: codec, clockRate: 8000 });
      } else if (o.telephoneEvent && telephoneEvent === undefined && isTelephoneEvent(info)) {
        telephoneEvent = Number(f);
      }
    }
    if (receiveCodecs.length === 0) return 'no common codec';
    if (telephoneEvent !== undefined) {
      answerFormats.push(String(telephoneEvent));
      a.rtpmaps.push({ payloadType: telephoneEvent, encoding: 'telephone-event', clockRate: 8000 });
      a.fmtps.push({ format: String(telephoneEvent), params: TELEPHONE_EVENTS });
    }

    let srtp: NegotiatedSrtp | undefined;
    if (theirKey && chosenLine) {
      const ours = { ...this.keyFor(theirKey.suite, chosenLine.tag), tag: chosenLine.tag };
      a.crypto.push(encodeSdesKey(ours));
      srtp = { suite: theirKey.suite, send: srtpKeysOf(ours), receive: srtpKeysOf(theirKey) };
    }
    const rtcpMux = m.rtcpMux && o.rtcpMux;
    a.rtcpMux = rtcpMux;
    const ptime = choosePtime(m, o.ptime);
    a.ptime = ptime;

    const theirDirection = mediaDirection(offer, m);
    const nullAddress = isNullAddress(connection.address);
    // The old hold (c=0.0.0.0) means "do not send to me", whatever the attribute says.
    const offered = nullAddress ? directionOf(sends(theirDirection), false) : theirDirection;
    this.remoteHolding = !receives(offered);
    a.direction = answerDirection(offered, this.holding);
    const media = this.result(offer, m, receiveCodecs[0], receiveCodecs, telephoneEvent, ptime, a.direction, srtp, rtcpMux);
    return { answer: a, media };
  }

  private result(
    remote: SessionDescription,
    m: MediaDescription,
    send: { payloadType: number; codec: AudioCodec },
    receiveCodecs: Array<{ payloadType: number; codec: AudioCodec }>,
    telephoneEvent: number | undefined,
    ptime: number,
    direction: Direction,
    srtp: NegotiatedSrtp | undefined,
    rtcpMux = m.rtcpMux && this.options.rtcpMux,
  ): NegotiatedMedia {
    const c = mediaConnection(remote, m)!;
    const rtcpAddress = m.rtcp?.connection?.address ?? c.address;
    const result: NegotiatedMedia = {
      remoteAddress: c.address,
      remoteAddressType: c.addressType,
      remotePort: m.port,
      remoteRtcpAddress: rtcpMux ? c.address : rtcpAddress,
      remoteRtcpPort: rtcpMux ? m.port : (m.rtcp?.port ?? m.port + 1),
      rtcpMux,
      payloadType: send.payloadType,
      codec: send.codec,
      clockRate: 8000,
      receiveCodecs,
      ptime,
      direction,
      remoteHold: this.remoteHolding,
      localHold: this.holding,
    };
    if (telephoneEvent !== undefined) result.telephoneEvent = telephoneEvent;
    if (srtp) result.srtp = srtp;
    return result;
  }

  /** Our key for a suite, created on first use; `tag` is the crypto line tag it is sent under. */
  private keyFor(suite: SrtpSuite, tag: number): SdesKey {
    const keys = (this.keys ??= new Map());
    let key = keys.get(suite);
    if (!key) {
      key = generateSdesKey(tag, suite, this.options.random);
      keys.set(suite, key);
    }
    return { ...key, tag };
  }

  /**
   * Wraps m-lines in a session description with our o= line, bumping the version after the first
   * SDP; an answer identical to the previous SDP we sent keeps its version (RFC 3264 §8).
   */
  private describe(media: MediaDescription[], isAnswer = false): SessionDescription {
    const same = isAnswer && this.lastSent !== undefined && sameMedia(parseSdp(this.lastSent).media, media);
    if (this.sentAny && !same) this.version++;
    this.sentAny = true;
    const o = this.options;
    const addressType: AddressType = o.address.includes(':') ? 'IP6' : 'IP4';
    const sdp: SessionDescription = {
      origin: { username: o.username, sessionId: this.sessionId, sessionVersion: String(this.version), addressType, address: o.address },
      sessionName: '-',
      emails: [],
      phones: [],
      connection: { addressType, address: o.address },
      bandwidths: [],
      timing: [{ start: '0', stop: '0', repeats: [] }],
      attributes: [],
      media,
    };
    this.lastSent = serializeSdp(sdp);
    return sdp;
  }
}

function sameMedia(a: MediaDescription[], b: MediaDescription[]): boolean {
  if (a.length !== b.length) return false;
  const origin = { username: '-', sessionId: '0', sessionVersion: '0', addressType: 'IP4' as const, address: '0.0.0.0' };
  const wrap = (media: MediaDescription[]): SessionDescription => ({
    origin, sessionName: '-', emails: [], phones: [], bandwidths: [], timing: [], attributes: [], media,
  });
  return serializeSdp(wrap(a)) === serializeSdp(wrap(b));
}

function decodeAnswerKey(line: CryptoLine): SdesKey {
  try {
    const key = decodeSdesKey(line);
    if (SUITES[key.suite] === undefined) throw new NegotiationError(`unsupported suite ${key.suite}`);
    return key;
  } catch (e) {
    if (e instanceof SdesError) throw new NegotiationError(`the answer's crypto line is unusable: ${e.message}`);
    throw e;
  }
}
