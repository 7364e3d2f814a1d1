/**
 * SIP-specific event notification (RFC 6665), subscriber side: one Subscription is one SUBSCRIBE intent that may
 * become several dialogs (forks), each created by the 2xx or by a NOTIFY that overtakes it. Each dialog refreshes
 * before it expires; Subscription-State decides what follows a termination. A minimal notifier side (Notifier,
 * acceptSubscription) serves REFER's implicit subscription and tests.
 */
import type { TimerHandle } from '../../../hal/clock.js';
import type { BuiltRequest, HeaderInit } from '../build.js';
import { eventMatches, formatEvent, formatSubscriptionState, parseEvent, type EventValue, type SubscriptionState } from '../headers/event.js';
import type { SipRequest, SipResponse } from '../message.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import { Dialog } from '../ua/dialog.js';
import { refreshDelayMs } from '../ua/registration.js';
import type { DialogUser, OutgoingRequest, SendOptions, UserAgent } from '../ua/user-agent.js';
import { formatUri, type Uri } from '../uri.js';
import { bodyText, outOfDialogRequest, resolveTarget, sendOptions, typed, type ServiceAccount } from './account.js';

/** What a NOTIFY told us. */
export interface Notification {
  event: EventValue;
  state: SubscriptionState;
  /** "type/subtype", lower-case; undefined without a body. */
  contentType: string | undefined;
  body: string;
  request: SipRequest;
  /** The dialog (notifier) it came from: forked NOTIFYs have different keys. */
  dialogKey: string;
}

export type SubscriptionEnd =
  | { reason: 'unsubscribed' }
  /** The SUBSCRIBE was refused (403, 404, 489...). */
  | { reason: 'refused'; status: number; text: string }
  /** The notifier ended it for good (Subscription-State: terminated;reason=rejected / noresource / invariant). */
  | { reason: 'terminated'; by: string };

export type SubscriberState = 'idle' | 'subscribing' | 'pending' | 'active' | 'waiting' | 'ended';

export interface SubscriptionOptions {
  event: string;
  id?: string;
  /** Accept header values (the package's body types). */
  accept: readonly string[];
  /** The resource: a URI, user@host, or a user at the account's domain (a BLF key's extension). */
  target: Uri | string;
  /** Seconds asked for. */
  expires: number;
  onNotify: (n: Notification, sub: Subscription) => void;
  /** The subscription is over and will not be renewed. */
  onEnd?: (end: SubscriptionEnd, sub: Subscription) => void;
  /** Delay before subscribing again after a transient failure (408, 5xx, a lost dialog). Default 30 s. */
  retryMs?: number;
  body?: string;
  contentType?: string;
}

/** RFC 6665 §4.1.2.4: forked NOTIFYs may arrive up to 64*T1 after the 2xx. */
const FORK_WINDOW_MS = 32_000;
const NO_RETRY = new Set(['rejected', 'noresource', 'invariant']);

interface SubDialog {
  dialog: Dialog;
  state: 'init' | 'pending' | 'active';
  expires: number;
  timer: TimerHandle | undefined;
  ending: boolean;
}

export class Subscription {
  readonly ua: UserAgent;
  readonly account: ServiceAccount;
  readonly event: EventValue;
  readonly #o: SubscriptionOptions;
  readonly #dialogs = new Map<string, SubDialog>();
  readonly #user: DialogUser = { onRequest: (r, tx) => this.onRequest(r, tx) };
  #expires: number;
  #callId = '';
  #fromTag = '';
  #out: OutgoingRequest | undefined;
  #inFlight = false;
  #wanted = false;
  #ended = false;
  #retryTimer: TimerHandle | undefined;
  #forkTimer: TimerHandle | undefined;
  /** Remote tags whose subscription ended (a late 2xx or NOTIFY from them must not revive it). */
  #gone = new Set<string>();
  #lastTermination: SubscriptionState | undefined;

  constructor(ua: UserAgent, account: ServiceAccount, options: SubscriptionOptions) {
    this.ua = ua;
    this.account = account;
    this.#o = options;
    this.#expires = options.expires;
    this.event = options.id !== undefined ? { type: options.event, id: options.id, params: {} } : { type: options.event, params: {} };
  }

  get state(): SubscriberState {
    if (this.#ended) return 'ended';
    const states = [...this.#dialogs.values()].map((d) => d.state);
    if (states.includes('active')) return 'active';
    if (states.includes('pending')) return 'pending';
    if (this.#inFlight || states.length) return 'subscribing';
    return this.#retryTimer !== undefined ? 'waiting' : 'idle';
  }

  /** Dialog keys of the notifiers we hold subscriptions with. */
  get dialogs(): string[] {
    return [...this.#dialogs.values()].map((d) => d.dialog.key);
  }

  /** Starts subscribing (nothing happens while a subscription is already under way). */
  subscribe(): void {
    if (this.#wanted && !this.#ended && (this.#inFlight || this.#dialogs.size > 0 || this.#retryTimer !== undefined)) return;
    this.#wanted = true;
    this.#ended = false;
    this.start();
  }

  /** Ends every dialog with Expires: 0; onEnd({reason: 'unsubscribed'}) once the notifiers confirmed or gave up. */
  unsubscribe(): void {
    this.#wanted = false;
    this.clearRetry();
    if (this.#dialogs.size === 0) {
      if (!this.#inFlight) this.end({ reason: 'unsubscribed' });
      return;
    }
    for (const d of [...this.#dialogs.values()]) this.unsubscribeDialog(d);
  }

  // ---- the initial SUBSCRIBE ----

  private start(): void {
    this.clearRetry();
    this.stopExpecting();
    this.#callId = this.ua.newCallId();
    this.#fromTag = this.ua.newTag();
    this.#gone.clear();
    this.#lastTermination = undefined;
    this.ua.expectDialogs(this.#callId, this.#fromTag, this.#user);
    let target: Uri;
    try {
      target = resolveTarget(this.account, this.#o.target);
    } catch {
      this.stopExpecting();
      return this.end({ reason: 'refused', status: 400, text: 'Bad Address' });
    }
    const req = outOfDialogRequest(this.ua, this.account, {
      method: 'SUBSCRIBE', target, callId: this.#callId, fromTag: this.#fromTag, cseq: 1,
      headers: this.headers(this.#expires),
      ...(this.#o.body !== undefined ? { body: this.#o.body } : {}),
      ...(this.#o.contentType !== undefined ? { contentType: this.#o.contentType } : {}),
    });
    this.#inFlight = true;
    this.#out = this.ua.send(req, {
      onResponse: (r, out) => this.initialResponse(out.request, r),
      onFailure: (f) => this.initialFailed(f.status, f.reason, undefined),
    }, sendOptions(this.ua, this.account, true));
  }

  private headers(expires: number): HeaderInit {
    return [['Event', formatEvent(this.event)], ['Expires', String(expires)], ['Accept', this.#o.accept.join(', ')]];
  }

  private initialResponse(req: BuiltRequest, r: SipResponse): void {
    if (r.status < 200) return;
    this.#inFlight = false;
    if (r.status >= 300) {
      const min = typed(r).minExpires;
      if (r.status === 423 && min !== undefined && min > this.#expires && this.#wanted) {
        this.#expires = min;
        return this.start();
      }
      return this.initialFailed(r.status, r.reason, r);
    }
    const tag = r.to.params['tag'];
    if (tag !== undefined && tag !== null && this.#gone.has(tag)) {
      // The NOTIFY that overtook this 2xx already ended the subscription: act on it now.
      if (this.#dialogs.size === 0 && this.#lastTermination) this.terminated(this.#lastTermination);
    } else if (tag !== undefined && tag !== null) {
      let d = this.#dialogs.get(tag);
      if (!d) d = this.addDialog(Dialog.asUac(req, r));
      d.expires = r.expires ?? this.#expires;
      if (!this.#wanted) this.unsubscribeDialog(d);
      else this.schedule(d);
    }
    this.#forkTimer = this.ua.clock.setTimer(FORK_WINDOW_MS, () => {
      this.#forkTimer = undefined;
      this.stopExpecting();
      // §4.1.2.4: a 2xx with no NOTIFY within 64*T1 is a subscription that failed.
      const silent = [...this.#dialogs.values()].filter((d) => d.state === 'init' && !d.ending);
      for (const d of silent) {
        this.inDialog(d, 0, () => {}); // tell the notifier, should it be there after all
        this.dropDialog(d);
      }
      if (silent.length) this.lost();
    });
  }

  private initialFailed(status: number, text: string, r: SipResponse | undefined): void {
    this.#inFlight = false;
    if (this.#dialogs.size > 0) return; // a NOTIFY already made the subscription
    this.stopExpecting();
    if (!this.#wanted) return this.end({ reason: 'unsubscribed' });
    const transient = status === 408 || status === 480 || status >= 500;
    if (transient) {
      const after = r ? typed(r).retryAfter?.delta : undefined;
      return this.retryIn(after !== undefined ? after * 1000 : this.#o.retryMs ?? 30_000);
    }
    this.end({ reason: 'refused', status, text });
  }

  // ---- dialogs ----

  private addDialog(dialog: Dialog): SubDialog {
    const d: SubDialog = { dialog, state: 'init', expires: this.#expires, timer: undefined, ending: false };
    this.#dialogs.set(dialog.remoteTag, d);
    this.ua.addDialog(dialog.key, this.#user);
    return d;
  }

  private dropDialog(d: SubDialog): void {
    if (d.timer !== undefined) this.ua.clock.clearTimer(d.timer);
    d.timer = undefined;
    this.#dialogs.delete(d.dialog.remoteTag);
    this.#gone.add(d.dialog.remoteTag);
    this.ua.removeDialog(d.dialog.key);
    d.dialog.state = 'terminated';
  }

  private schedule(d: SubDialog): void {
    if (d.timer !== undefined) this.ua.clock.clearTimer(d.timer);
    if (d.expires <= 0) return void (d.timer = undefined);
    d.timer = this.ua.clock.setTimer(refreshDelayMs(d.expires), () => {
      d.timer = undefined;
      this.refresh(d);
    });
  }

  private inDialog(d: SubDialog, expires: number, onFinal: (status: number, r: SipResponse | undefined) => void): void {
    const req = d.dialog.createRequest('SUBSCRIBE', { headers: this.headers(expires) });
    const options: SendOptions = sendOptions(this.ua, this.account, true);
    if (d.dialog.routeSet.length) delete options.outboundProxy;
    this.ua.send(req, {
      onResponse: (r) => {
        if (r.status >= 200) onFinal(r.status, r);
      },
      onFailure: (f) => onFinal(f.status, undefined),
    }, options);
  }

  private refresh(d: SubDialog): void {
    this.inDialog(d, this.#expires, (status, r) => {
      if (!this.#dialogs.has(d.dialog.remoteTag) || d.ending) return;
      if (status < 300) {
        d.expires = r?.expires ?? this.#expires;
        return this.schedule(d);
      }
      const min = r ? typed(r).minExpires : undefined;
      if (status === 423 && min !== undefined && min > this.#expires) {
        this.#expires = min;
        return this.refresh(d);
      }
      // 481, 408 or any other failure: this dialog is gone; start over once none is left.
      this.dropDialog(d);
      this.lost();
    });
  }

  private unsubscribeDialog(d: SubDialog): void {
    if (d.ending) return;
    d.ending = true;
    if (d.timer !== undefined) this.ua.clock.clearTimer(d.timer);
    // The notifier answers with a final NOTIFY (terminated); give up on it after the fork window.
    d.timer = this.ua.clock.setTimer(FORK_WINDOW_MS, () => {
      d.timer = undefined;
      this.dropDialog(d);
      this.lost();
    });
    this.inDialog(d, 0, (status) => {
      if (status >= 300 && this.#dialogs.get(d.dialog.remoteTag) === d) {
        this.dropDialog(d);
        this.lost();
      }
    });
  }

  /** A dialog ended without telling us what next: subscribe again (or end) when it was the last one. */
  private lost(): void {
    if (this.#dialogs.size > 0 || this.#inFlight) return;
    if (!this.#wanted) return this.end({ reason: 'unsubscribed' });
    this.retryIn(this.#o.retryMs ?? 30_000);
  }

  // ---- NOTIFY ----

  private onRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    if (!tx) return;
    if (req.method !== 'NOTIFY') return void this.ua.respond(tx, req, 405, undefined, { headers: { Allow: 'NOTIFY' } });
    const t = typed(req);
    const event = t.event;
    if (!event || !eventMatches(event, this.event)) {
      return void this.ua.respond(tx, req, 489, undefined, { headers: { 'Allow-Events': this.event.type } });
    }
    const state = t.subscriptionState;
    if (!state) return void this.ua.respond(tx, req, 400, 'Missing Subscription-State');
    const remoteTag = req.from.params['tag'] ?? '';
    let d = this.#dialogs.get(remoteTag);
    if (d) {
      const bad = d.dialog.receive(req);
      if (bad !== undefined) return void this.ua.respond(tx, req, bad);
    } else {
      if (this.#gone.has(remoteTag) || (!this.#wanted && state.state !== 'terminated')) return void this.ua.respond(tx, req, 481);
      // §4.1.2.4: the NOTIFY creates the dialog (before the 2xx, or from another fork).
      const dialog = Dialog.asUas(req, this.#fromTag, false);
      dialog.localSeq = this.#out?.request.cseq.seq ?? 1;
      d = this.addDialog(dialog);
      d.expires = this.#expires;
    }
    this.ua.respond(tx, req, 200);
    const ct = req.contentType;
    const n: Notification = {
      event, state, contentType: ct ? `${ct.type}/${ct.subtype}` : undefined, body: bodyText(req), request: req, dialogKey: d.dialog.key,
    };
    if (state.state === 'terminated') {
      this.#lastTermination = state;
      this.dropDialog(d);
      this.notify(n);
      return this.terminated(state);
    }
    if (state.state === 'active' || state.state === 'pending') d.state = state.state;
    if (state.expires !== undefined && !d.ending) {
      d.expires = state.expires;
      this.schedule(d);
    } else if (d.timer === undefined && !d.ending) this.schedule(d);
    if (!this.#wanted && !d.ending) this.unsubscribeDialog(d);
    this.notify(n);
  }

  private notify(n: Notification): void {
    this.#o.onNotify(n, this);
  }

  /** RFC 6665 §4.1.3: what a terminated subscription's reason asks of the subscriber. */
  private terminated(state: SubscriptionState): void {
    if (this.#dialogs.size > 0 || this.#inFlight) return; // other forks carry on
    if (!this.#wanted) return this.end({ reason: 'unsubscribed' });
    const reason = state.reason;
    if (reason !== undefined && NO_RETRY.has(reason)) {
      this.#wanted = false;
      return this.end({ reason: 'terminated', by: reason });
    }
    if (state.retryAfter !== undefined) return this.retryIn(state.retryAfter * 1000);
    if (reason === 'deactivated' || reason === 'timeout') return this.start();
    this.retryIn(this.#o.retryMs ?? 30_000);
  }

  private retryIn(ms: number): void {
    this.clearRetry();
    this.#retryTimer = this.ua.clock.setTimer(ms, () => {
      this.#retryTimer = undefined;
      if (this.#wanted) this.start();
    });
  }

  private clearRetry(): void {
    if (this.#retryTimer !== undefined) this.ua.clock.clearTimer(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  private stopExpecting(): void {
    if (this.#forkTimer !== undefined) this.ua.clock.clearTimer(this.#forkTimer);
    this.#forkTimer = undefined;
    if (this.#callId) this.ua.unexpectDialogs(this.#callId, this.#fromTag);
  }

  private end(end: SubscriptionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wanted = false;
    this.clearRetry();
    this.stopExpecting();
    for (const d of [...this.#dialogs.values()]) this.dropDialog(d);
    this.#o.onEnd?.(end, this);
  }
}

// ---- out-of-dialog NOTIFY (unsolicited message-summary, as Asterisk and others send) ----

export type UnsolicitedHandler = (n: Notification) => void;

/** Whether an unsolicited NOTIFY is for this handler (e.g. its account's user in the Request-URI or To). */
export type NotifyMatch = (request: SipRequest) => boolean;

const routers = new WeakMap<UserAgent, NotifyRouter>();

/** Claims the UA's out-of-dialog NOTIFYs: events with a handler get 200, others 489 Bad Event. */
export class NotifyRouter {
  readonly #ua: UserAgent;
  readonly #handlers = new Map<string, Array<{ handler: UnsolicitedHandler; match: NotifyMatch | undefined }>>();

  static of(ua: UserAgent): NotifyRouter {
    let r = routers.get(ua);
    if (!r) {
      r = new NotifyRouter(ua);
      routers.set(ua, r);
    }
    return r;
  }

  private constructor(ua: UserAgent) {
    this.#ua = ua;
    ua.handle('NOTIFY', (req, tx) => this.receive(req, tx));
  }

  /**
   * Takes unsolicited NOTIFYs of an event. With several handlers for one event, the first whose match accepts the
   * request gets it, else the first one registered.
   */
  on(eventType: string, handler: UnsolicitedHandler, match?: NotifyMatch): () => void {
    const key = eventType.toLowerCase();
    const list = this.#handlers.get(key) ?? [];
    const entry = { handler, match };
    list.push(entry);
    this.#handlers.set(key, list);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0 && this.#handlers.get(key) === list) this.#handlers.delete(key);
    };
  }

  private receive(req: SipRequest, tx: ServerTransaction): void {
    const t = typed(req);
    const event = t.event;
    if (!event) return void this.#ua.respond(tx, req, 400, 'Missing Event');
    const list = this.#handlers.get(event.type.toLowerCase());
    const handler = (list?.find((e) => e.match?.(req)) ?? list?.[0])?.handler;
    if (!handler) return void this.#ua.respond(tx, req, 489, undefined, { headers: { 'Allow-Events': [...this.#handlers.keys()].join(', ') } });
    this.#ua.respond(tx, req, 200);
    const ct = req.contentType;
    handler({
      event, state: t.subscriptionState ?? { state: 'active', params: {} }, contentType: ct ? `${ct.type}/${ct.subtype}` : undefined,
      body: bodyText(req), request: req, dialogKey: '',
    });
  }
}

// ---- notifier side ----

/** Something that sends requests inside an established dialog: a Call, or dialogChannel() around a Dialog. */
export interface DialogChannel {
  request(method: string, options: { headers?: HeaderInit; body?: string | Uint8Array; contentType?: string },
    onResponse?: (response: SipResponse) => void, onFailure?: (status: number) => void): boolean;
}

/** A channel over a bare Dialog: its requests carry our Contact and go through ua.send. */
export function dialogChannel(ua: UserAgent, dialog: Dialog, contactUser: string, options: SendOptions = {}): DialogChannel {
  return {
    request(method, o, onResponse, onFailure) {
      if (dialog.state === 'terminated') return false;
      const req = dialog.createRequest(method, o);
      ua.send(req, {
        onResponse: (r) => {
          if (r.status >= 200) onResponse?.(r);
        },
        onFailure: (f) => onFailure?.(f.status),
      }, { ...options, prepare: (r, target) => void r.setHeader('Contact', `<${formatUri(ua.contactUri(contactUser, target.protocol))}>`) });
      return true;
    },
  };
}

export interface NotifyOptions {
  body?: string;
  contentType?: string;
  /** Seconds left (active/pending). */
  expires?: number;
  reason?: string;
  retryAfter?: number;
}

/** Sends the NOTIFYs of one subscription (RFC 6665 §4.2.2). */
export class Notifier {
  readonly #channel: DialogChannel;
  readonly event: EventValue;
  #terminated = false;

  constructor(channel: DialogChannel, event: EventValue | string) {
    this.#channel = channel;
    this.event = typeof event === 'string' ? parseEvent(event) : event;
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  /** Sends a NOTIFY; done hears its final status (481 or 408 mean the subscriber is gone). False when nothing was sent. */
  notify(state: 'active' | 'pending' | 'terminated', o: NotifyOptions = {}, done?: (status: number) => void): boolean {
    if (this.#terminated) return false;
    const s: SubscriptionState = { state, params: {} };
    if (state !== 'terminated' && o.expires !== undefined) s.expires = o.expires;
    if (state === 'terminated' && o.reason !== undefined) s.reason = o.reason;
    if (o.retryAfter !== undefined) s.retryAfter = o.retryAfter;
    if (state === 'terminated') this.#terminated = true;
    return this.#channel.request('NOTIFY', {
      headers: [['Event', formatEvent(this.event)], ['Subscription-State', formatSubscriptionState(s)]],
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
    }, (r) => done?.(r.status), (status) => done?.(status));
  }
}

export interface AcceptedSubscription {
  dialog: Dialog;
  notifier: Notifier;
  /** Seconds granted. */
  expires: number;
}

/**
 * Accepts a SUBSCRIBE as notifier: answers 200 with Expires and Contact, creates the dialog and routes its refreshes
 * to onRefresh (which must answer them: respond 200 and notify, or for Expires: 0 send the terminated NOTIFY).
 */
export function acceptSubscription(ua: UserAgent, req: SipRequest, tx: ServerTransaction, o: {
  contactUser: string; maxExpires?: number; status?: 200 | 202; protocol?: 'UDP' | 'TCP';
  onRequest?: (req: SipRequest, tx: ServerTransaction, sub: AcceptedSubscription) => void;
}): AcceptedSubscription {
  const t = typed(req);
  const event = t.event;
  if (!event) throw new Error('SUBSCRIBE without Event');
  const asked = req.expires ?? 3600;
  const expires = Math.min(asked, o.maxExpires ?? 3600);
  const tag = ua.newTag();
  const dialog = Dialog.asUas(req, tag, false);
  ua.respond(tx, req, o.status ?? 200, undefined, {
    toTag: tag,
    headers: { Expires: String(expires), Contact: `<${formatUri(ua.contactUri(o.contactUser, o.protocol ?? 'UDP'))}>` },
  });
  const sub: AcceptedSubscription = { dialog, notifier: new Notifier(dialogChannel(ua, dialog, o.contactUser), event), expires };
  ua.addDialog(dialog.key, {
    onRequest: (r, rtx) => {
      if (!rtx) return;
      const bad = dialog.receive(r);
      if (bad !== undefined) return void ua.respond(rtx, r, bad);
      if (o.onRequest) return o.onRequest(r, rtx, sub);
      ua.respond(rtx, r, 200, undefined, { headers: { Expires: String(Math.min(r.expires ?? expires, o.maxExpires ?? 3600)) } });
      if (r.method === 'SUBSCRIBE' && r.expires === 0) {
        sub.notifier.notify('terminated', { reason: 'timeout' });
        ua.removeDialog(dialog.key);
      }
    },
  });
  return sub;
}
