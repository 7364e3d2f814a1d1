/**
 * One call: an INVITE session (RFC 3261 §13–15) from our side, outgoing (UAC) or incoming (UAS). It owns the
 * dialogs the INVITE creates (several early ones when a proxy forks), the offer/answer exchanges (initial,
 * early media, re-INVITE, UPDATE per RFC 3311, offers in 2xx answered in ACK), reliable provisional responses
 * (RFC 3262), session timers (RFC 4028), redirects, glare (§14.1) and the ways a call ends.
 */
import type { Logger } from '../../log.js';
import type { CredentialsCache } from '../auth/credentials-cache.js';
import { buildRequest, buildResponse, type BuiltRequest, type HeaderInit } from '../build.js';
import { formatNameAddr } from '../headers/name-addr.js';
import type { NameAddr, SipRequest, SipResponse } from '../message.js';
import { TimerSlots, type TransactionFailure } from '../transaction/context.js';
import type { InviteServerTransaction } from '../transaction/invite-server.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { Outbound, Protocol, Source, Target } from '../transport/types.js';
import { Dialog } from '../ua/dialog.js';
import type { DialogUser, OutgoingRequest, OutgoingUser, UserAgent } from '../ua/user-agent.js';
import { formatUri, isSipUri, type SipUri, type Uri } from '../uri.js';
import { MediaError, type Body, type CallMedia } from './media.js';
import {
  answerSessionTimer, expiryDelayMs, refreshDelayMs, sessionTimerOfAnswer,
  type SessionInterval, type SessionTimerConfig,
} from './session-timer.js';
import { ReliableProvisional } from './reliable-provisional.js';
import { glareBackoffMs, randomMs } from './rules.js';
import { ackAndBye, lateInviteUser, routeAck, sendAck, sendBye, sendCancel, sendInDialog, type SentAck } from './late-answers.js';
import { hasTag, typed } from './typed.js';

/** calling: INVITE sent; proceeding: a 1xx came; ringing: an incoming call waits for the user; active: answered. */
export type CallState = 'calling' | 'proceeding' | 'ringing' | 'active' | 'ended';

export type EndCause =
  | 'hangup' // we ended it (BYE, CANCEL)
  | 'remote-hangup' // BYE from the peer
  | 'cancelled' // the caller cancelled before we answered (a missed call)
  | 'rejected' // a final error response: ours to an incoming call, or the peer's to ours
  | 'redirected' // we answered an incoming call with 302
  | 'failed' // time-out, transport error, unusable media
  | 'no-ack' // our 2xx was never acknowledged (§13.3.1.4)
  | 'session-expired'; // RFC 4028: no refresh came in time

export type CallEvent =
  | { type: 'progress'; status: number; reason: string; earlyMedia: boolean }
  | { type: 'answered' }
  | { type: 'redirected'; target: string; status: number }
  | { type: 'held' }
  | { type: 'resumed' }
  /** Our re-INVITE (hold, resume) was refused; the call goes on as it was. */
  | { type: 'modify-failed'; status: number; reason: string }
  | { type: 'remote-hold'; held: boolean }
  | { type: 'info'; contentType: string | undefined; body: Uint8Array }
  | { type: 'ended'; cause: EndCause; byRemote: boolean; status?: number; reason?: string };

export type CallListener = (event: CallEvent, call: Call) => void;

/** Handles an in-dialog request of one method (REFER, NOTIFY, INFO... for the services); must respond through tx. */
export type InDialogHandler = (request: SipRequest, tx: ServerTransaction, call: Call) => void;

/** What every call of a line shares (the CallManager builds it). */
export interface CallContext {
  ua: UserAgent;
  /** User part of our Contact. */
  contactUser: string;
  credentials?: CredentialsCache;
  outboundProxy?: SipUri;
  /** Allow header value. */
  allow: string;
  /** Supported header value. */
  supported: string;
  timer: SessionTimerConfig;
  /** 3xx hops followed before giving up. */
  maxRedirects: number;
  /** RFC 3261 T1 (ms), for reliable provisional retransmissions; the transaction layer's value. */
  t1: number;
  /** An outgoing call nobody answers is cancelled after this long (ms); 0 waits forever. */
  noAnswerMs: number;
  log: Logger;
}

export interface OutgoingCallInit {
  from: NameAddr;
  to: NameAddr;
  /** Request-URI (usually To's URI). */
  uri: Uri;
  /** Preloaded routes (Service-Route), in order. */
  routes?: string[];
  headers?: HeaderInit;
}

/** §13.2.2.4: each To tag of a response is its own (early or confirmed) dialog. */
interface Leg {
  dialog: Dialog;
  /** RSeq of the last reliable provisional response PRACKed (RFC 3262 §4). */
  rseq?: number;
  /** The ACK for this leg's 2xx as sent (its bytes), resent for each retransmission (unset while its next hop resolves). */
  ack?: SentAck;
}

const MAX_422_RETRIES = 2;

export class Call {
  readonly direction: 'outgoing' | 'incoming';
  readonly callId: string;
  state: CallState;
  /** Our hold is in force (the peer accepted sendonly/inactive). */
  held = false;
  /** The peer holds us. */
  remoteHeld = false;
  /** The confirmed dialog (or, for an incoming call, the early one until answered). */
  dialog: Dialog | undefined;
  /** The other party: To of our INVITE, or From of theirs. */
  readonly remote: NameAddr;
  readonly local: NameAddr;
  /** The INVITE that created an incoming call (Replaces, Alert-Info... for the phone and services). */
  readonly invite: SipRequest | undefined;
  /** The agreed session timer, if any. */
  session: SessionInterval | undefined;
  /** When ended: why. */
  endedWith: Extract<CallEvent, { type: 'ended' }> | undefined;
  /** Clock times (ms): created, answered, ended (call history, durations). */
  readonly startedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  readonly media: CallMedia;

  readonly #ctx: CallContext;
  readonly #ua: UserAgent;
  readonly #timers: TimerSlots;
  readonly #listeners: CallListener[] = [];
  readonly #handlers = new Map<string, InDialogHandler>();
  #contactProtocol: Protocol = 'UDP';
  #peerAllowsUpdate = false;

  // UAC state
  #init: OutgoingCallInit | undefined;
  #offer: Body | undefined;
  #cseq = 1;
  #sessionExpires: number;
  #retries422 = 0;
  #redirects = 0;
  #out: OutgoingRequest | undefined;
  readonly #legs = new Map<string, Leg>();
  #chosen: Leg | undefined;
  #gotProvisional = false;
  #cancelWanted = false;
  #cancelSent = false;

  // UAS state
  #tx: InviteServerTransaction | undefined;
  #answerBody: Body | undefined;
  #reliable1xx: ReliableProvisional | undefined;
  #finalSent = false;
  #acked = true;
  #byeAfterAck = false;
  #sessionAnswer: ReturnType<typeof answerSessionTimer>;

  // session modification state
  #wantHold = false;
  /** Our re-INVITE or UPDATE waiting for its final response. */
  #modifying: 'reinvite' | 'update' | undefined;
  /** An offer we sent in a 2xx, to be answered in the ACK; or an incoming re-INVITE's 2xx not yet acknowledged. */
  #awaitingAck = false;
  #offerInAckPending = false;
  #refreshDue = false;
  #glare = false;
  #pending2xx: Array<{ stop(): void }> = [];

  // The INVITE's responses and the dialog's requests reach the call through small objects whose methods are on their
  // class: closures would cost more heap, for as long as the call (and its INVITE transaction) lasts.
  static readonly #InviteResponses = class implements OutgoingUser {
    constructor(readonly call: Call) {}
    onResponse(r: SipResponse, o: OutgoingRequest): void {
      const call = this.call;
      if (o === call.#out) call.inviteResponse(r, o);
      else if (r.status >= 200 && r.status < 300) ackAndBye(call.#ctx, r, o);
    }
    onFailure(f: TransactionFailure, o: OutgoingRequest): void {
      if (o === this.call.#out) this.call.inviteFailure(f.status, f.reason === 'transport' ? f.error.message : undefined);
    }
  };

  static readonly #DialogRequests = class implements DialogUser {
    /** leg.dialog is read at each request: an early dialog is replaced by the confirmed one. */
    constructor(readonly call: Call, readonly leg: { dialog: Dialog }) {}
    onRequest(request: SipRequest, tx: ServerTransaction | undefined): void {
      this.call.onRequest(this.leg.dialog, request, tx);
    }
  };

  private constructor(ctx: CallContext, media: CallMedia, direction: 'outgoing' | 'incoming', callId: string, local: NameAddr, remote: NameAddr, invite?: SipRequest) {
    this.#ctx = ctx;
    this.#ua = ctx.ua;
    this.media = media;
    this.direction = direction;
    this.callId = callId;
    this.local = local;
    this.remote = remote;
    this.invite = invite;
    this.state = direction === 'outgoing' ? 'calling' : 'ringing';
    this.#timers = new TimerSlots(ctx.ua.clock);
    this.#sessionExpires = ctx.timer.sessionExpires;
    this.startedAt = ctx.ua.clock.now();
  }

  /** Talk time in ms (0 if never answered); up to now while the call lasts. */
  get duration(): number {
    if (this.answeredAt === undefined) return 0;
    return (this.endedAt ?? this.#ua.clock.now()) - this.answeredAt;
  }

  // ---- creation ----------------------------------------------------------------------------------------

  /** Places a call: builds the INVITE with our offer and sends it. Events follow. */
  static outgoing(ctx: CallContext, media: CallMedia, init: OutgoingCallInit): Call {
    const call = new Call(ctx, media, 'outgoing', ctx.ua.newCallId(), { ...init.from, params: { tag: ctx.ua.newTag() } }, init.to);
    call.#init = init;
    call.#offer = media.createOffer(false);
    // Defer the send so the caller can attach listeners before the first event.
    call.#timers.set('start', 0, () => call.sendInvite(init.uri));
    if (ctx.noAnswerMs > 0) {
      call.#timers.set('no-answer', ctx.noAnswerMs, () => {
        if (!call.#chosen) call.abandon({ type: 'ended', cause: 'failed', byRemote: false, status: 408, reason: 'No Answer' });
      });
    }
    return call;
  }

  /**
   * Takes an incoming INVITE (out of dialog). Answers it at once with an error when it cannot be taken (422 for
   * a too short session interval, 488/415 for an offer we cannot answer): the call is then already 'ended'.
   */
  static incoming(ctx: CallContext, media: CallMedia, request: SipRequest, tx: InviteServerTransaction, source: Source): Call {
    const localTag = ctx.ua.newTag();
    const call = new Call(ctx, media, 'incoming', request.callId, { ...request.to, params: { tag: localTag } }, request.from, request);
    call.#tx = tx;
    call.#contactProtocol = source.protocol;
    call.#peerAllowsUpdate = (typed(request).allow ?? []).some((m) => m.toUpperCase() === 'UPDATE');
    const timer = answerSessionTimer(request, ctx.timer);
    if (timer === 'too-small') {
      call.finalResponse(422, undefined, { 'Min-SE': String(ctx.timer.minSE) });
      call.end({ type: 'ended', cause: 'rejected', byRemote: false, status: 422, reason: 'Session Interval Too Small' });
      return call;
    }
    call.#sessionAnswer = timer;
    if (request.body.length > 0) {
      try {
        call.#answerBody = media.answerOffer(request.body, request.contentType, false);
      } catch (e) {
        if (!(e instanceof MediaError)) throw e;
        ctx.log.info(`incoming call refused: ${e.message}`);
        call.finalResponse(e.status, undefined, e.status === 415 ? { Accept: 'application/sdp' } : undefined);
        call.end({ type: 'ended', cause: 'rejected', byRemote: false, status: e.status, reason: e.message });
        return call;
      }
    }
    const dialog = Dialog.asUas(request, localTag, true);
    call.dialog = dialog;
    call.#acked = false;
    ctx.ua.addDialog(dialog.key, new Call.#DialogRequests(call, { dialog }));
    ctx.ua.onCancel(tx, () => call.cancelledByCaller());
    return call;
  }

  // ---- events ------------------------------------------------------------------------------------------

  /** Adds a listener; returns a function that removes it. */
  on(listener: CallListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Claims in-dialog requests of a method (REFER, NOTIFY, INFO) for a service. */
  handleMethod(method: string, handler: InDialogHandler): void {
    this.#handlers.set(method.toUpperCase(), handler);
  }

  private emit(event: CallEvent): void {
    for (const l of this.#listeners.slice()) {
      try {
        l(event, this);
      } catch (e) {
        this.#ctx.log.error(`call listener failed on ${event.type}: ${(e as Error).message}`);
      }
    }
  }

  // ---- commands ----------------------------------------------------------------------------------------

  /** Sends 180 Ringing (reliably when the INVITE requires 100rel). The CallManager does this for each incoming call. */
  ring(): void {
    if (this.direction !== 'incoming' || this.state !== 'ringing' || this.#finalSent || !this.#tx) return;
    const request = this.invite!;
    const headers: Record<string, string> = { Contact: this.contact(), Allow: this.#ctx.allow, Supported: this.#ctx.supported };
    const reliable = hasTag(typed(request).require, '100rel');
    if (reliable) {
      const b = this.#ua.random.fill(new Uint8Array(2));
      const rseq = 1 + ((b[0]! << 8) | b[1]!);
      headers['Require'] = '100rel';
      headers['RSeq'] = String(rseq);
      const response = buildResponse(request, 180, undefined, { toTag: this.local.params['tag']!, headers });
      const tx = this.#tx;
      // RFC 3262 §3: without a PRACK after 64*T1 the INVITE is rejected with a 5xx.
      this.#reliable1xx = new ReliableProvisional(this.#ua.clock, response, rseq, request.cseq.seq, (r) => tx.respond(r), this.#ctx.t1, () => {
        if (this.state !== 'ringing' || this.#finalSent) return;
        this.finalResponse(500, 'No PRACK');
        this.end({ type: 'ended', cause: 'failed', byRemote: false, status: 500, reason: 'No PRACK' });
      });
      return;
    }
    this.#tx.respond(buildResponse(request, 180, undefined, { toTag: this.local.params['tag']!, headers }));
  }

  /** Answers an incoming call: 200 OK with our answer (or our offer, when the INVITE had none). */
  answer(): void {
    if (this.direction !== 'incoming' || this.state !== 'ringing' || this.#finalSent || !this.#tx) return;
    const request = this.invite!;
    const tx = this.#tx;
    this.stop1xx();
    let body = this.#answerBody;
    if (!body) {
      body = this.media.createOffer(false);
      this.#offerInAckPending = true;
    }
    const headers: Record<string, string> = { Contact: this.contact(), Allow: this.#ctx.allow, Supported: this.#ctx.supported };
    const timer = this.#sessionAnswer;
    if (timer && timer !== 'too-small') Object.assign(headers, timer.headers);
    const response = buildResponse(request, 200, undefined, {
      toTag: this.local.params['tag']!, headers, body: body.body, contentType: body.type,
    });
    response.addHeader('Server', this.#ua.product);
    this.#finalSent = true;
    this.#ua.forgetCancel(tx);
    this.#awaitingAck = true;
    this.#pending2xx.push(this.#ua.transactions.send2xx(tx, response, () => this.noAck(), (ack) => this.ackReceived(ack)));
    this.dialog!.confirm();
    this.state = 'active';
    this.answeredAt = this.#ua.clock.now();
    if (timer && timer !== 'too-small') this.setSessionTimer(timer.interval);
    if (!this.#offerInAckPending) this.media.start();
    this.emit({ type: 'answered' });
  }

  /** Refuses an incoming call (486 Busy Here, 603 Decline, 480 Temporarily Unavailable...). */
  reject(status = 486, reason?: string): void {
    if (this.direction !== 'incoming' || this.state !== 'ringing' || this.#finalSent) return;
    this.finalResponse(status, reason);
    this.end({ type: 'ended', cause: 'rejected', byRemote: false, status, ...(reason !== undefined ? { reason } : {}) });
  }

  /** Answers an incoming call with 302 Moved Temporarily to another target (call forwarding). */
  redirect(target: string | Uri): void {
    if (this.direction !== 'incoming' || this.state !== 'ringing' || this.#finalSent) return;
    const uri = typeof target === 'string' ? target : formatUri(target);
    this.finalResponse(302, undefined, { Contact: `<${uri}>` });
    this.end({ type: 'ended', cause: 'redirected', byRemote: false, status: 302 });
  }

  /** Ends the call in any state: CANCEL before a final response (once a 1xx came, §9.1), BYE after, 486 when ringing. */
  hangup(): void {
    if (this.state === 'ended') return;
    if (this.direction === 'incoming') {
      if (this.state === 'ringing') return this.reject(486);
      if (!this.#acked) {
        // §15: the callee sends no BYE before the ACK (or its time-out).
        this.#byeAfterAck = true;
        this.end({ type: 'ended', cause: 'hangup', byRemote: false });
        return;
      }
      this.sendBye(this.dialog!);
      this.end({ type: 'ended', cause: 'hangup', byRemote: false });
      return;
    }
    if (!this.#chosen) return this.abandon({ type: 'ended', cause: 'hangup', byRemote: false });
    this.sendBye(this.#chosen.dialog);
    this.end({ type: 'ended', cause: 'hangup', byRemote: false });
  }

  /** Puts the call on hold (re-INVITE with sendonly, or inactive when the peer holds us too). */
  hold(): void {
    this.#wantHold = true;
    this.kick();
  }

  /** Takes the call off hold (re-INVITE with sendrecv). */
  resume(): void {
    this.#wantHold = false;
    this.kick();
  }

  /** Sends INFO (e.g. application/dtmf-relay) in the dialog; onDone hears the final status. */
  sendInfo(body: string, contentType: string, onDone?: (status: number) => void): void {
    this.request('INFO', { body, contentType }, (r) => onDone?.(r.status), (status) => onDone?.(status));
  }

  /**
   * Sends any request inside the confirmed dialog (INFO, REFER, NOTIFY for the services). Returns false when there
   * is no confirmed dialog to send it in.
   */
  request(method: string, options: { headers?: HeaderInit; body?: string | Uint8Array; contentType?: string },
    onResponse?: (response: SipResponse) => void, onFailure?: (status: number) => void): boolean {
    const dialog = this.confirmedDialog();
    if (!dialog || this.state === 'ended') return false;
    const req = dialog.createRequest(method, options);
    this.sendInDialog(dialog, req, (r) => {
      if (r.status >= 200) onResponse?.(r);
      if (r.status === 481 || r.status === 408) this.dialogGone(dialog, r.status);
    }, (status) => onFailure?.(status));
    return true;
  }

  // ---- UAC: the INVITE -----------------------------------------------------------------------------------

  private sendInvite(uri: Uri): void {
    if (this.state === 'ended') return;
    const init = this.#init!;
    const offer = this.#offer!;
    const headers: Array<[string, string]> = [
      ['Allow', this.#ctx.allow],
      ['Supported', this.#ctx.supported],
      ['Session-Expires', String(this.#sessionExpires)],
      // RFC 4028 §7.4: after a 422 the Min-SE it named goes in the retry.
      ['Min-SE', String(this.#retries422 > 0 ? this.#sessionExpires : this.#ctx.timer.minSE)],
    ];
    const request = buildRequest({
      method: 'INVITE',
      uri,
      from: formatNameAddr(this.local),
      to: formatNameAddr(init.to),
      callId: this.callId,
      cseq: this.#cseq,
      ...(init.routes?.length ? { route: init.routes } : {}),
      headers,
      body: offer.body,
      contentType: offer.type,
    });
    if (init.headers) request.addHeaders(init.headers);
    this.#gotProvisional = false;
    const out = this.#ua.send(request, new Call.#InviteResponses(this), {
      ...(this.#ctx.credentials ? { credentials: this.#ctx.credentials } : {}),
      ...(this.#ctx.outboundProxy ? { outboundProxy: this.#ctx.outboundProxy } : {}),
      prepare: (r, target) => {
        this.#contactProtocol = target.protocol;
        r.setHeader('Contact', this.contact());
      },
    });
    this.#out = out;
  }

  /** Gives up an unanswered outgoing call: CANCEL once a 1xx came (§9.1), and a late 2xx gets ACK and BYE. */
  private abandon(event: Extract<CallEvent, { type: 'ended' }>): void {
    this.#cancelWanted = true;
    this.#out?.stop();
    if (this.#gotProvisional) this.sendCancel();
    this.end(event);
  }

  private inviteResponse(r: SipResponse, out: OutgoingRequest): void {
    // Authentication retries bump the CSeq: keep ours in step for redirects and in-dialog requests.
    this.#cseq = out.request.cseq.seq;
    const s = r.status;
    if (s < 200) return this.provisional(r, out);
    if (s < 300) return this.success(r, out);
    this.failureResponse(r);
  }

  private leg(r: SipResponse, out: OutgoingRequest): Leg {
    const tag = r.to.params['tag'] ?? '';
    let leg = this.#legs.get(tag);
    if (!leg) {
      const dialog = Dialog.asUac(out.request, r);
      leg = { dialog };
      this.#legs.set(tag, leg);
      this.#ua.addDialog(dialog.key, new Call.#DialogRequests(this, leg));
    }
    return leg;
  }

  private provisional(r: SipResponse, out: OutgoingRequest): void {
    this.#gotProvisional = true;
    if (this.#cancelWanted) {
      this.sendCancel();
      return;
    }
    if (this.state === 'ended' || this.#chosen || r.status === 100) return;
    const tagged = r.to.params['tag'] !== undefined && r.to.params['tag'] !== null;
    const leg = tagged ? this.leg(r, out) : undefined;
    if (leg && leg.dialog.state === 'early') leg.dialog.refreshFrom(r);
    const rseq = typed(r).rseq;
    if (leg && rseq !== undefined && hasTag(typed(r).require, '100rel')) {
      // RFC 3262 §4: PRACK each reliable 1xx once, in order; retransmissions and gaps are not processed.
      if (leg.rseq !== undefined && rseq !== leg.rseq + 1) return;
      leg.rseq = rseq;
      const prack = leg.dialog.createRequest('PRACK', { headers: { RAck: `${rseq} ${r.cseq.seq} ${r.cseq.method}` } });
      this.sendInDialog(leg.dialog, prack, () => {}, () => {});
    }
    let earlyMedia = false;
    if (r.body.length > 0) {
      try {
        this.media.takeAnswer(r.body, r.contentType);
        this.media.start();
        earlyMedia = true;
      } catch (e) {
        if (!(e instanceof MediaError)) throw e;
        this.#ctx.log.info(`ignoring early media: ${e.message}`);
      }
    }
    this.state = 'proceeding';
    this.emit({ type: 'progress', status: r.status, reason: r.reason, earlyMedia });
  }

  private success(r: SipResponse, out: OutgoingRequest): void {
    const leg = this.leg(r, out);
    if (leg.ack) {
      // A retransmitted 2xx: our ACK was lost (§13.2.2.4).
      if (leg.ack.sent) this.#ua.transactions.resendAck(leg.ack.sent);
      return;
    }
    if (leg.dialog.state !== 'confirmed') {
      // §13.2.2.4: the early dialog is confirmed and its route set recomputed from the 2xx.
      const d = Dialog.asUac(out.request, r);
      d.localSeq = Math.max(d.localSeq, leg.dialog.localSeq);
      d.remoteSeq = leg.dialog.remoteSeq;
      leg.dialog = d;
    }
    this.sendAck(leg, out.request.cseq.seq);
    if (this.#chosen || this.#cancelWanted || this.state === 'ended') {
      // §13.2.2.4: another fork answered too, or we hung up meanwhile: end that dialog.
      this.sendBye(leg.dialog);
      this.dropLeg(leg);
      return;
    }
    this.#chosen = leg;
    this.dialog = leg.dialog;
    // No INVITE is rebuilt once one is answered (redirects, 422 and auth retries come before).
    this.#offer = undefined;
    this.#init = undefined;
    out.settle();
    this.#timers.clear('no-answer');
    this.#peerAllowsUpdate = (typed(r).allow ?? []).some((m) => m.toUpperCase() === 'UPDATE');
    for (const other of [...this.#legs.values()]) if (other !== leg && other.dialog.state === 'early') this.dropLeg(other);
    try {
      if (r.body.length > 0) this.media.takeAnswer(r.body, r.contentType);
      else if (!this.media.current) throw new MediaError('the 2xx carries no answer');
    } catch (e) {
      if (!(e instanceof MediaError)) throw e;
      this.sendBye(leg.dialog);
      this.end({ type: 'ended', cause: 'failed', byRemote: false, status: 488, reason: e.message });
      return;
    }
    this.state = 'active';
    this.answeredAt = this.#ua.clock.now();
    this.media.start();
    const timer = sessionTimerOfAnswer(r);
    if (timer) this.setSessionTimer(timer);
    this.emit({ type: 'answered' });
    this.kick();
  }

  private failureResponse(r: SipResponse): void {
    if (this.#chosen) return;
    for (const leg of this.#legs.values()) this.dropLeg(leg);
    this.#legs.clear(); // a redirected or retried INVITE starts afresh
    if (this.state === 'ended') return;
    const s = r.status;
    if (s >= 300 && s < 400) {
      const contacts = r.contact === '*' ? [] : r.contact.slice().sort((a, b) => q(b) - q(a));
      const next = contacts.find((c) => isSipUri(c.uri) || c.uri.scheme === 'tel');
      if (next && this.#redirects < this.#ctx.maxRedirects) {
        this.#redirects++;
        this.#cseq++;
        const target = formatUri(next.uri);
        this.emit({ type: 'redirected', target, status: s });
        this.state = 'calling';
        this.sendInvite(next.uri);
        return;
      }
    }
    if (s === 422 && this.#retries422 < MAX_422_RETRIES) {
      const min = typed(r).minSE;
      if (min !== undefined && min > this.#sessionExpires) {
        this.#retries422++;
        this.#sessionExpires = min;
        this.#cseq++;
        this.sendInvite(this.#out!.request.uri);
        return;
      }
    }
    this.end({ type: 'ended', cause: 'rejected', byRemote: true, status: s, reason: r.reason });
  }

  /** transportError: why no connection could carry the INVITE (e.g. a TLS certificate problem), for the user. */
  private inviteFailure(status: number, transportError?: string): void {
    if (this.#chosen || this.state === 'ended') return;
    for (const leg of this.#legs.values()) this.dropLeg(leg);
    const reason = status === 408 ? 'Request Timeout' : transportError ? `Service Unavailable (${transportError})` : 'Service Unavailable';
    this.end({ type: 'ended', cause: 'failed', byRemote: false, status, reason });
  }

  /** §9.1: CANCEL only once a provisional response came, for an INVITE still without a final one. */
  private sendCancel(): void {
    const out = this.#out;
    if (this.#cancelSent || !out) return;
    this.#cancelSent = sendCancel(this.#ctx, out);
  }

  /** Ends a leg's dialog; the leg stays known so that retransmissions of its 2xx only get the same ACK again. */
  private dropLeg(leg: Leg): void {
    this.#ua.removeDialog(leg.dialog.key);
    leg.dialog.state = 'terminated';
  }

  // ---- UAS: the INVITE -----------------------------------------------------------------------------------

  /** A final error response to the INVITE (4xx-6xx, 3xx). */
  private finalResponse(status: number, reason?: string, headers?: Record<string, string>): void {
    if (this.#finalSent || !this.#tx) return;
    this.#finalSent = true;
    this.stop1xx();
    this.#ua.forgetCancel(this.#tx);
    this.#ua.respond(this.#tx, this.invite!, status, reason, {
      toTag: this.local.params['tag']!, ...(headers ? { headers } : {}),
    });
  }

  private stop1xx(): void {
    this.#reliable1xx?.stop();
  }

  private cancelledByCaller(): void {
    if (this.#finalSent) return;
    this.finalResponse(487);
    this.end({ type: 'ended', cause: 'cancelled', byRemote: true, status: 487, reason: 'Request Terminated' });
  }

  private ackReceived(ack: SipRequest): void {
    this.#acked = true;
    this.#awaitingAck = false;
    if (this.#offerInAckPending) {
      this.#offerInAckPending = false;
      try {
        if (ack.body.length === 0) throw new MediaError('the ACK carries no answer');
        this.media.takeAnswer(ack.body, ack.contentType);
        if (this.state !== 'ended') {
          this.media.start();
          this.checkRemoteHold();
        }
      } catch (e) {
        if (!(e instanceof MediaError)) throw e;
        this.media.rollback();
        if (this.state !== 'ended' && !this.media.current) {
          this.sendBye(this.dialog!);
          this.end({ type: 'ended', cause: 'failed', byRemote: false, status: 488, reason: e.message });
          return;
        }
      }
    }
    if (this.#byeAfterAck) return this.byeNow();
    this.kick();
  }

  private noAck(): void {
    this.#awaitingAck = false;
    this.#acked = true;
    if (this.#byeAfterAck) return this.byeNow();
    if (this.state === 'ended') return;
    this.sendBye(this.dialog!);
    this.end({ type: 'ended', cause: 'no-ack', byRemote: false, status: 408, reason: 'No ACK' });
  }

  /** The BYE a hang-up before the ACK deferred (§15). */
  private byeNow(): void {
    this.#byeAfterAck = false;
    this.sendBye(this.dialog!);
    this.#ua.removeDialog(this.dialog!.key);
  }

  // ---- in-dialog requests ----------------------------------------------------------------------------------

  private onRequest(dialog: Dialog, request: SipRequest, tx: ServerTransaction | undefined): void {
    if (!tx) return; // the ACK of a 2xx: the retransmitter already gave it to us
    const method = request.method;
    if (method === 'CANCEL') {
      const invite = this.#ua.transactions.answerCancel(request, tx);
      if (invite && invite.request !== this.invite) this.#ua.respond(invite, invite.request, 487);
      return;
    }
    const bad = dialog.receive(request);
    if (bad !== undefined) return void this.#ua.respond(tx, request, bad); // §12.2.2: CSeq out of order
    const handler = this.#handlers.get(method);
    if (handler) return handler(request, tx, this);
    switch (method) {
      case 'BYE':
        return this.byeReceived(dialog, request, tx);
      case 'INVITE':
        return this.reinviteReceived(dialog, request, tx as InviteServerTransaction);
      case 'UPDATE':
        return this.updateReceived(request, tx);
      case 'PRACK':
        return this.prackReceived(request, tx);
      case 'INFO':
        this.#ua.respond(tx, request, 200);
        this.emit({ type: 'info', contentType: request.header('Content-Type'), body: request.body });
        return;
      case 'OPTIONS':
        return void this.#ua.respond(tx, request, 200, undefined, {
          headers: { Allow: this.#ctx.allow, Accept: 'application/sdp', Supported: this.#ctx.supported },
        });
      default:
        this.#ua.respond(tx, request, 405, undefined, { headers: { Allow: this.#ctx.allow } });
    }
  }

  private byeReceived(dialog: Dialog, request: SipRequest, tx: ServerTransaction): void {
    this.#ua.respond(tx, request, 200);
    if (this.#byeAfterAck) {
      // We hung up first and were waiting for the ACK to say so: the peer said it instead.
      this.#byeAfterAck = false;
      this.#ua.removeDialog(dialog.key);
      for (const p of this.#pending2xx) p.stop();
    }
    if (this.direction === 'outgoing' && this.#chosen?.dialog !== dialog) {
      // A BYE on an early dialog of another fork: only that leg ends.
      const leg = this.#legs.get(dialog.remoteTag);
      if (leg) this.dropLeg(leg);
      return;
    }
    if (this.direction === 'incoming' && !this.#finalSent) this.finalResponse(487);
    if (this.state !== 'ended') this.end({ type: 'ended', cause: 'remote-hangup', byRemote: true });
  }

  private reinviteReceived(dialog: Dialog, request: SipRequest, tx: InviteServerTransaction): void {
    if (this.state !== 'active') {
      return void this.#ua.respond(tx, request, 500, undefined, { headers: { 'Retry-After': String(Math.floor(randomMs(this.#ua.random, 0, 10_000) / 1000)) } });
    }
    // §14.2: our own re-INVITE is in progress → 491; their previous re-INVITE not yet done → 500 with Retry-After.
    if (this.#modifying === 'reinvite') return void this.#ua.respond(tx, request, 491);
    if (this.#awaitingAck) return void this.#ua.respond(tx, request, 500, undefined, { headers: { 'Retry-After': '1' } });
    const timer = answerSessionTimer(request, this.#ctx.timer);
    if (timer === 'too-small') return void this.#ua.respond(tx, request, 422, undefined, { headers: { 'Min-SE': String(this.#ctx.timer.minSE) } });
    let body: Body;
    let offered = false;
    if (request.body.length > 0) {
      try {
        body = this.media.answerOffer(request.body, request.contentType, this.held);
      } catch (e) {
        if (!(e instanceof MediaError)) throw e;
        return void this.#ua.respond(tx, request, e.status);
      }
    } else {
      body = this.media.createOffer(this.held);
      offered = true;
    }
    const headers: Record<string, string> = { Contact: this.contact(), Allow: this.#ctx.allow, Supported: this.#ctx.supported };
    if (timer) Object.assign(headers, timer.headers);
    const response = buildResponse(request, 200, undefined, { headers, body: body.body, contentType: body.type });
    response.addHeader('Server', this.#ua.product);
    this.#awaitingAck = true;
    this.#offerInAckPending = offered;
    this.#pending2xx.push(this.#ua.transactions.send2xx(tx, response, () => {
      this.#awaitingAck = false;
      if (this.state === 'ended') return;
      this.sendBye(dialog);
      this.end({ type: 'ended', cause: 'no-ack', byRemote: false, status: 408, reason: 'No ACK' });
    }, (ack) => this.ackReceived(ack)));
    if (timer) this.setSessionTimer(timer.interval);
    else if (this.session) this.setSessionTimer(this.session);
    if (!offered) {
      this.media.start();
      this.checkRemoteHold();
    }
  }

  private updateReceived(request: SipRequest, tx: ServerTransaction): void {
    const timer = answerSessionTimer(request, this.#ctx.timer);
    if (timer === 'too-small') return void this.#ua.respond(tx, request, 422, undefined, { headers: { 'Min-SE': String(this.#ctx.timer.minSE) } });
    const headers: Record<string, string> = { Contact: this.contact(), Supported: this.#ctx.supported };
    if (timer) Object.assign(headers, timer.headers);
    if (request.body.length > 0) {
      // RFC 3311 §5.2: an offer while ours is outstanding is glare (491); one while theirs awaits our answer is 500.
      const oursOutstanding = this.#modifying === 'reinvite' || this.#offerInAckPending
        || (this.direction === 'outgoing' && !this.#chosen && !this.media.current);
      if (oursOutstanding) return void this.#ua.respond(tx, request, 491);
      if (this.direction === 'incoming' && !this.#finalSent) {
        return void this.#ua.respond(tx, request, 500, undefined, { headers: { 'Retry-After': '1' } });
      }
      let answer: Body;
      try {
        answer = this.media.answerOffer(request.body, request.contentType, this.held);
      } catch (e) {
        if (!(e instanceof MediaError)) throw e;
        return void this.#ua.respond(tx, request, e.status);
      }
      this.#ua.respond(tx, request, 200, undefined, { headers, body: answer.body, contentType: answer.type });
      this.media.start();
      this.checkRemoteHold();
    } else {
      this.#ua.respond(tx, request, 200, undefined, { headers });
    }
    if (this.state === 'active') {
      if (timer) this.setSessionTimer(timer.interval);
      else if (this.session) this.setSessionTimer(this.session);
    }
  }

  private prackReceived(request: SipRequest, tx: ServerTransaction): void {
    if (!this.#reliable1xx?.prack(typed(request).rack)) return void this.#ua.respond(tx, request, 481);
    this.#ua.respond(tx, request, 200);
  }

  private checkRemoteHold(): void {
    const m = this.media.current;
    if (!m || m.remoteHold === this.remoteHeld) return;
    this.remoteHeld = m.remoteHold;
    this.emit({ type: 'remote-hold', held: m.remoteHold });
  }

  // ---- our session modifications (re-INVITE, UPDATE) -------------------------------------------------------

  /** Starts whatever modification is wanted, when none is in progress (hold/resume, then a due refresh). */
  private kick(): void {
    if (this.state !== 'active' || this.#modifying || this.#glare || this.#awaitingAck || this.#offerInAckPending) return;
    const dialog = this.confirmedDialog();
    if (!dialog) return;
    if (this.#wantHold !== this.held) return this.reinvite(dialog, 'hold');
    if (this.#refreshDue) {
      this.#refreshDue = false;
      if (this.#peerAllowsUpdate) this.update(dialog);
      else this.reinvite(dialog, 'refresh');
    }
  }

  private sessionHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.session) {
      headers['Session-Expires'] = `${this.session.seconds};refresher=uac`;
      headers['Min-SE'] = String(this.#ctx.timer.minSE);
    }
    return headers;
  }

  private reinvite(dialog: Dialog, why: 'hold' | 'refresh'): void {
    const hold = this.#wantHold;
    const offer = why === 'refresh' ? this.media.refreshOffer(this.held) : this.media.createOffer(hold);
    const req = dialog.createRequest('INVITE', {
      headers: { Contact: this.contact(), Allow: this.#ctx.allow, Supported: this.#ctx.supported, ...this.sessionHeaders() },
      body: offer.body,
      contentType: offer.type,
    });
    this.#modifying = 'reinvite';
    let ack: Outbound | undefined;
    this.sendInDialog(dialog, req, (r, out) => {
      if (r.status < 200) return;
      if (r.status < 300) {
        if (ack) return void this.#ua.transactions.resendAck(ack);
        const a = dialog.createRequest('ACK', { cseq: out.request.cseq.seq });
        this.route(a, (target) => {
          ack = this.#ua.transactions.sendAck(a, target);
        });
        if (this.#modifying !== 'reinvite') return;
        this.#modifying = undefined;
        if (this.state === 'ended') return;
        dialog.refreshFrom(r);
        try {
          this.media.takeAnswer(r.body, r.contentType);
        } catch (e) {
          if (!(e instanceof MediaError)) throw e;
          // §14.1 leaves the old session in force when the answer is unusable; tell the peer by ending.
          this.sendBye(dialog);
          this.end({ type: 'ended', cause: 'failed', byRemote: false, status: 488, reason: e.message });
          return;
        }
        this.media.start();
        this.checkRemoteHold();
        this.refreshedBy(r);
        if (why === 'hold' && this.held !== hold) {
          this.held = hold;
          this.emit(hold ? { type: 'held' } : { type: 'resumed' });
        }
        return this.kick();
      }
      this.modificationFailed(dialog, r, why);
    }, (status) => {
      this.#modifying = undefined;
      this.media.rollback();
      this.dialogGone(dialog, status);
    });
  }

  private update(dialog: Dialog): void {
    const req = dialog.createRequest('UPDATE', {
      headers: { Contact: this.contact(), Supported: this.#ctx.supported, ...this.sessionHeaders() },
    });
    this.#modifying = 'update';
    this.sendInDialog(dialog, req, (r) => {
      if (r.status < 200) return;
      this.#modifying = undefined;
      if (this.state === 'ended') return;
      if (r.status < 300) {
        dialog.refreshFrom(r);
        this.refreshedBy(r);
        return this.kick();
      }
      this.modificationFailed(dialog, r, 'refresh');
    }, (status) => {
      this.#modifying = undefined;
      this.dialogGone(dialog, status);
    });
  }

  /** A 2xx to our refresh or re-INVITE restarts the session timer with what it says. */
  private refreshedBy(r: SipResponse): void {
    if (!this.session) return;
    const timer = sessionTimerOfAnswer(r);
    if (timer) this.setSessionTimer(timer);
    else this.setSessionTimer(this.session);
  }

  private modificationFailed(dialog: Dialog, r: SipResponse, why: 'hold' | 'refresh'): void {
    this.#modifying = undefined;
    this.media.rollback();
    if (this.state === 'ended') return;
    const s = r.status;
    if (s === 481 || s === 408) return this.dialogGone(dialog, s);
    if (s === 491) {
      // §14.1: back off 2.1–4 s when we chose the Call-ID, else 0–2 s, then try again.
      const delay = glareBackoffMs(this.#ua.random, this.direction === 'outgoing');
      this.#glare = true;
      if (why === 'refresh') this.#refreshDue = true;
      this.#timers.set('glare', delay, () => {
        this.#glare = false;
        this.kick();
      });
      return;
    }
    if (s === 422 && this.session) {
      const min = typed(r).minSE;
      if (min !== undefined && min > this.session.seconds) {
        this.session = { ...this.session, seconds: min };
        this.#refreshDue = why === 'refresh' || this.#refreshDue;
        return this.kick();
      }
    }
    if (why === 'hold') {
      // Not retried: the user asked once, the peer refused; the wish follows the state again.
      this.#wantHold = this.held;
      this.emit({ type: 'modify-failed', status: s, reason: r.reason });
    }
  }

  /** §12.2.1.2: 481 or 408 to an in-dialog request ends the dialog. */
  private dialogGone(dialog: Dialog, status: number): void {
    if (this.state === 'ended') return;
    if (status !== 481) this.sendBye(dialog);
    this.end({ type: 'ended', cause: 'failed', byRemote: status === 481, status, reason: status === 481 ? 'Call Does Not Exist' : 'Request Timeout' });
  }

  private setSessionTimer(interval: SessionInterval): void {
    this.session = interval;
    this.#timers.clear('refresh');
    this.#timers.clear('expire');
    if (!interval.weRefresh) return this.setExpiry(expiryDelayMs(interval));
    // One timer at a time (each costs heap): the refresh, which arms the expiry for the rest of the interval.
    const refresh = refreshDelayMs(interval);
    this.#timers.set('refresh', refresh, () => {
      this.setExpiry(expiryDelayMs(interval) - refresh);
      this.#refreshDue = true;
      this.kick();
    });
  }

  private setExpiry(ms: number): void {
    this.#timers.set('expire', ms, () => {
      if (this.state === 'ended') return;
      const dialog = this.confirmedDialog();
      if (dialog) this.sendBye(dialog);
      this.end({ type: 'ended', cause: 'session-expired', byRemote: false, status: 408, reason: 'Session Expired' });
    });
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private confirmedDialog(): Dialog | undefined {
    const d = this.direction === 'outgoing' ? this.#chosen?.dialog : this.dialog;
    return d && d.state === 'confirmed' ? d : undefined;
  }

  private contact(): string {
    return `<${formatUri(this.#ua.contactUri(this.#ctx.contactUser, this.#contactProtocol))}>`;
  }

  private sendInDialog(dialog: Dialog, request: BuiltRequest, onResponse: (r: SipResponse, out: OutgoingRequest) => void, onFailure: (status: number) => void): void {
    sendInDialog(this.#ctx, dialog, request, onResponse, onFailure);
  }

  private sendBye(dialog: Dialog): void {
    sendBye(this.#ctx, dialog);
  }

  private route(request: BuiltRequest, send: (target: Target) => void): void {
    routeAck(this.#ctx, request, send);
  }

  private sendAck(leg: Leg, cseq: number): void {
    leg.ack = sendAck(this.#ctx, leg.dialog, cseq);
  }

  private end(event: Extract<CallEvent, { type: 'ended' }>): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endedWith = event;
    this.endedAt = this.#ua.clock.now();
    this.#timers.clearAll();
    this.#reliable1xx?.stop();
    this.media.stop();
    // A pending 2xx keeps retransmitting until its ACK (or time-out), so the BYE-after-ACK rule still holds.
    if (!this.#byeAfterAck) for (const p of this.#pending2xx) p.stop();
    if (this.dialog && this.direction === 'incoming' && !this.#byeAfterAck) this.#ua.removeDialog(this.dialog.key);
    for (const leg of [...this.#legs.values()]) this.#ua.removeDialog(leg.dialog.key);
    if (this.#tx && !this.#finalSent) this.#ua.forgetCancel(this.#tx);
    this.emit(event);
    // Nothing follows 'ended': let the listeners (and what they hold) go, and leave the INVITE's late answers to a
    // user that does not hold this Call, so the call and its media go now, not when the transaction does (32 s).
    this.#listeners.length = 0;
    if (this.#out) {
      const acks = new Map<string, SentAck>();
      for (const [tag, leg] of this.#legs) if (leg.ack) acks.set(tag, leg.ack);
      this.#out.handOver(lateInviteUser(this.#ctx, this.#cancelWanted && !this.#cancelSent, acks));
    }
  }
}

function q(c: NameAddr): number {
  const v = c.params['q'];
  const n = v ? Number(v) : 1;
  return Number.isFinite(n) ? n : 1;
}
