/**
 * What a call asks of the media side: offers, answers, hold, and when the agreed media start and stop.
 * The call owns the SIP offer/answer rules (RFC 3261 §13.2.1, RFC 3262, RFC 3311); the media side only
 * writes and reads session descriptions. DefaultCallMedia does this over src/sdp's MediaSession and tells
 * the RTP engine what to do through one callback.
 */
import { MediaSession, NegotiationError, type MediaOptions, type NegotiatedMedia } from '../../sdp/offer-answer.js';
import { parseSdp } from '../../sdp/parse.js';
import { SdpError } from '../../sdp/sdp.js';
import { serializeSdp } from '../../sdp/serialize.js';
import type { MediaType } from '../message.js';
import { splitMultipart, type BodyPart } from '../multipart.js';
import { utf8Decoder } from '../../utf8.js';

/** A message body with its Content-Type. */
export interface Body {
  type: string;
  body: string;
}

/** Refusal of an offer or answer; `status` is what a UAS answers with (488, or 415 for a body type we cannot read). */
export class MediaError extends Error {
  constructor(message: string, readonly status = 488) {
    super(message);
  }
  override get name(): string {
    return 'MediaError';
  }
}

export interface CallMedia {
  /** An offer (initial, re-INVITE, UPDATE); `hold` puts the call on hold (sendonly/inactive). */
  createOffer(hold: boolean): Body;
  /** Re-sends the last agreed description unchanged (RFC 3264 §8 session refresh); `hold` is the call's hold state. */
  refreshOffer(hold: boolean): Body;
  /** Answers a remote offer; throws MediaError when nothing in it is acceptable. */
  answerOffer(offer: Uint8Array, type: MediaType | undefined, hold: boolean): Body;
  /** Takes the answer to our outstanding offer (it may come more than once: 183 then 200, forks). */
  takeAnswer(answer: Uint8Array, type: MediaType | undefined): void;
  /** Forgets an offer that got no answer (rejected or glared re-INVITE). */
  rollback(): void;
  /** The media agreed so far. */
  readonly current: NegotiatedMedia | undefined;
  /** The agreed media are in force now (early media, answer, re-INVITE): (re)start streaming. */
  start(): void;
  /** The call is over: stop streaming. */
  stop(): void;
}

const isSdp = (t: MediaType): boolean => t.type === 'application' && t.subtype === 'sdp';

function sdpText(body: Uint8Array, type: MediaType | undefined): string {
  if (type?.type === 'multipart') {
    // SIP-T/ISUP gateways and some PBXs send multipart/mixed: the SDP is one of its parts.
    const boundary = type.params['boundary'];
    let parts: BodyPart[] = [];
    try {
      parts = boundary ? splitMultipart(body, boundary) : [];
    } catch {
      parts = [];
    }
    const sdp = parts.find((p) => isSdp(p.contentType));
    if (!sdp) throw new MediaError('no application/sdp part in the multipart body', 415);
    return utf8Decoder().decode(sdp.body);
  }
  if (type && !isSdp(type)) {
    throw new MediaError(`cannot read a ${type.type}/${type.subtype} session description`, 415);
  }
  return utf8Decoder().decode(body);
}

function refusal(e: unknown): MediaError {
  if (e instanceof MediaError) return e;
  if (e instanceof NegotiationError) return new MediaError(e.message, e.status);
  if (e instanceof SdpError) return new MediaError(e.message, 488);
  // Anything else an SDP body made us throw (no offer outstanding, odd input) is still the peer's SDP at fault.
  if (e instanceof Error) return new MediaError(e.message, 488);
  throw e;
}

/** SDP over MediaSession; `onMedia` hears the media to stream (undefined: stop). */
export class DefaultCallMedia implements CallMedia {
  readonly session: MediaSession;
  #onMedia: (media: NegotiatedMedia | undefined) => void;
  #started = false;
  /** The last SDP we sent was an offer that got rolled back: a refresh must not repeat it. */
  #stale = false;
  #offering = false;

  constructor(options: MediaOptions | MediaSession, onMedia: (media: NegotiatedMedia | undefined) => void = () => {}) {
    this.session = options instanceof MediaSession ? options : new MediaSession(options);
    this.#onMedia = onMedia;
  }

  get current(): NegotiatedMedia | undefined {
    return this.session.media;
  }

  createOffer(hold: boolean): Body {
    if (hold) this.session.hold();
    else this.session.resume();
    this.#offering = true;
    return { type: 'application/sdp', body: serializeSdp(this.session.createOffer()) };
  }

  refreshOffer(hold: boolean): Body {
    if (this.#stale) return this.createOffer(hold);
    this.#offering = true;
    return { type: 'application/sdp', body: serializeSdp(this.session.createOffer({ refresh: true })) };
  }

  answerOffer(offer: Uint8Array, type: MediaType | undefined, hold: boolean): Body {
    try {
      if (hold) this.session.hold();
      else this.session.resume();
      const { answer } = this.session.receiveOffer(parseSdp(sdpText(offer, type)));
      this.#stale = false;
      this.#offering = false;
      return { type: 'application/sdp', body: serializeSdp(answer) };
    } catch (e) {
      throw refusal(e);
    }
  }

  takeAnswer(answer: Uint8Array, type: MediaType | undefined): void {
    try {
      this.session.receiveAnswer(parseSdp(sdpText(answer, type)));
      this.#stale = false;
      this.#offering = false;
    } catch (e) {
      throw refusal(e);
    }
  }

  rollback(): void {
    if (this.#offering) this.#stale = true;
    this.#offering = false;
    this.session.rollback();
  }

  start(): void {
    const media = this.session.media;
    if (!media) return;
    this.#started = true;
    this.#onMedia(media);
  }

  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    this.#onMedia(undefined);
  }
}
