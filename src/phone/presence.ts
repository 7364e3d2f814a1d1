/**
 * The phone's presence services: busy-lamp-field keys (a dialog subscription, RFC 4235, per colleague), our own
 * presence published to the presence server (RFC 3903: available, on the phone, do not disturb), and a small
 * dialog notifier so that other phones' BLF keys can watch this phone directly (peer-to-peer, no presence server).
 */
import type { TimerHandle } from '../../hal/clock.js';
import type { SipRequest } from '../sip/message.js';
import type { ServerTransaction } from '../sip/transaction/transaction-layer.js';
import type { Source } from '../sip/transport/types.js';
import type { UserAgent } from '../sip/ua/user-agent.js';
import { formatUri, isSipUri } from '../sip/uri.js';
import { typed, type ServiceAccount } from '../sip/services/account.js';
import { DIALOG_INFO_TYPE, DialogInfoState, parseDialogInfo, type DialogState } from '../sip/services/dialog-info.js';
import type { OwnPresence } from '../sip/services/presence.js';
import { PresencePublisher } from '../sip/services/publish.js';
import { acceptSubscription, Subscription, type AcceptedSubscription, type Notification, type SubscriptionEnd } from '../sip/services/subscription.js';
import { escapeXml } from '../sip/services/xml.js';
import type { PhoneApp } from './app.js';
import type { LampState } from './call-control.js';
import type { Phone, PhoneCall } from './phone.js';

export interface PresenceOptions {
  /** Delay before watching a colleague again after the subscription was refused or ended. Default 5 minutes. */
  retryMs?: number;
  /** Seconds a BLF subscription asks for. Default 600. */
  blfExpires?: number;
  /** Seconds a publication asks for. Default 3600. */
  publishExpires?: number;
}

export interface PhonePresence {
  /** What we publish now per line (undefined: not publishing on that line). */
  published(line: number): OwnPresence | undefined;
  /** Phones watching our dialog state. */
  readonly watchers: number;
  stop(): void;
}

/** Our own presence as the phone's state says it: DND wins, then any call not just ringing. */
export function ownPresence(phone: Phone): OwnPresence {
  if (phone.settings.dnd) return 'do-not-disturb';
  return phone.calls.some((c) => c.phase !== 'incoming') ? 'on-the-phone' : 'available';
}

/** RFC 4235 state of a phone call: ringing in is early (recipient), ringing out early or trying (initiator). */
function dialogState(c: PhoneCall): DialogState {
  switch (c.phase) {
    case 'incoming':
    case 'ringback':
    case 'early-media':
      return 'early';
    case 'calling':
      return 'trying';
    case 'connected':
    case 'held':
      return 'confirmed';
  }
}

/**
 * A full dialog-info document for the calls of one line. Only states and directions: who we talk to is not told
 * to whoever watches.
 */
export function buildDialogInfo(entity: string, version: number, calls: readonly PhoneCall[]): string {
  let x = '<?xml version="1.0" encoding="UTF-8"?>\r\n'
    + `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="${escapeXml(entity)}">\r\n`;
  for (const c of calls) {
    x += `<dialog id="call-${c.id}" direction="${c.direction === 'in' ? 'recipient' : 'initiator'}"><state>${dialogState(c)}</state></dialog>\r\n`;
  }
  return x + '</dialog-info>\r\n';
}

// ---- BLF keys ----

/** One BLF key: watches a colleague and reports the lamp; retries when the subscription ends. */
class LampWatch {
  readonly #sub: Subscription;
  readonly #state = new DialogInfoState();
  readonly #ua: UserAgent;
  readonly #report: (state: LampState) => void;
  readonly #retryMs: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(ua: UserAgent, account: ServiceAccount, target: string, expires: number, retryMs: number, report: (state: LampState) => void) {
    this.#ua = ua;
    this.#report = report;
    this.#retryMs = retryMs;
    this.#sub = new Subscription(ua, account, {
      event: 'dialog', accept: [DIALOG_INFO_TYPE], target, expires, retryMs,
      onNotify: (n) => this.#notified(n),
      onEnd: (end) => this.#ended(end),
    });
    this.#sub.subscribe();
  }

  #notified(n: Notification): void {
    if (n.state.state === 'terminated') {
      // The subscription itself starts again when the reason allows; until a NOTIFY says otherwise we do not know.
      this.#state.reset();
      return this.#report('unknown');
    }
    if (!n.body || n.contentType !== DIALOG_INFO_TYPE) return;
    try {
      this.#state.apply(parseDialogInfo(n.body));
    } catch {
      return; // a document we cannot read changes nothing
    }
    this.#report(this.#state.lamp);
  }

  #ended(end: SubscriptionEnd): void {
    this.#state.reset();
    this.#report('unknown');
    if (this.#stopped || end.reason === 'unsubscribed') return;
    this.#timer = this.#ua.clock.setTimer(this.#retryMs, () => {
      this.#timer = undefined;
      if (!this.#stopped) this.#sub.subscribe();
    });
  }

  /**
   * A watch that lost its subscription without a NOTIFY saying so (the colleague's phone vanished, a refresh timed
   * out) is being renewed by the subscription itself; until it is, the lamp cannot be trusted.
   */
  check(): void {
    const s = this.#sub.state;
    if (s !== 'active' && s !== 'pending' && !this.#stopped) {
      this.#state.reset();
      this.#report('unknown');
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#ua.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#sub.unsubscribe();
  }
}

// ---- our own presence ----

/** Statuses that say the server does not do presence at all (Kamailio without a presence module answers 501). */
const NO_PRESENCE_SERVER: ReadonlySet<number> = new Set([501, 405, 489]);

class OwnPublisher {
  readonly #publisher: PresencePublisher;
  #last: OwnPresence | undefined;
  #off = false;

  constructor(app: PhoneApp, account: ServiceAccount, expires: number) {
    this.#publisher = new PresencePublisher(app.ua, account, {
      expires,
      onState: (s) => {
        if (s.state !== 'failed' || this.#off || !NO_PRESENCE_SERVER.has(s.status)) return;
        this.#off = true;
        app.log.info(`presence publishing off: ${formatUri(account.aor)} got ${s.status} ${s.reason} to PUBLISH`);
        // After the failure is handled: removal also cancels the publication's retry timer.
        app.hal.clock.setTimer(0, () => this.#publisher.remove());
      },
    });
  }

  get current(): OwnPresence | undefined {
    return this.#off ? undefined : this.#last;
  }

  update(state: OwnPresence): void {
    if (this.#off || state === this.#last) return;
    this.#last = state;
    this.#publisher.set(state);
  }

  stop(): void {
    if (this.#off || this.#last === undefined) return;
    this.#off = true;
    this.#publisher.remove();
  }
}

/** What a watcher sees of some calls, to NOTIFY only on change. */
function stateKey(calls: readonly PhoneCall[]): string {
  return calls.map((c) => `${c.id}:${c.direction}:${dialogState(c)}`).join(' ');
}

// ---- the dialog notifier (others' BLF keys watching us) ----

/** How often BLF keys look whether their subscriptions still stand. */
const LAMP_CHECK_MS = 60_000;

const MAX_WATCHERS = 8;
const MAX_WATCH_SECONDS = 3600;

interface Watcher {
  sub: AcceptedSubscription;
  line: number;
  version: number;
  /** The body last sent, without its version: NOTIFY only on change. */
  last: string;
  timer: TimerHandle | undefined;
}

class DialogNotifier {
  readonly #app: PhoneApp;
  readonly #accounts: readonly ServiceAccount[];
  readonly #watchers = new Set<Watcher>();

  constructor(app: PhoneApp, accounts: readonly ServiceAccount[]) {
    this.#app = app;
    this.#accounts = accounts;
    app.ua.handle('SUBSCRIBE', (req, tx, source) => this.#subscribe(req, tx, source));
  }

  get size(): number {
    return this.#watchers.size;
  }

  /** Who may watch: requests for one of our users; with a registrar and registrar-only, only what it sends. */
  #lineFor(req: SipRequest, source: Source): number | 403 | 404 {
    const user = isSipUri(req.uri) ? req.uri.user : undefined;
    const toUser = isSipUri(req.to.uri) ? req.to.uri.user : undefined;
    const settings = this.#app.settings;
    const line = settings.accounts.findIndex((a) => a.user === user || a.user === toUser);
    if (line < 0) return settings.incoming === 'any' && settings.accounts.length ? 0 : 404;
    const account = settings.accounts[line]!;
    if (settings.incoming === 'registrar-only' && account.registrar && !(this.#app.ua.admission?.isTrusted(source.address) ?? false)) return 403;
    return line;
  }

  #subscribe(req: SipRequest, tx: ServerTransaction, source: Source): void {
    const ua = this.#app.ua;
    const event = typed(req).event;
    if (!event || event.type.toLowerCase() !== 'dialog') {
      return void ua.respond(tx, req, 489, undefined, { headers: { 'Allow-Events': 'dialog' } });
    }
    const line = this.#lineFor(req, source);
    if (line === 403 || line === 404) return void ua.respond(tx, req, line);
    if (this.#watchers.size >= MAX_WATCHERS) return void ua.respond(tx, req, 503, undefined, { headers: { 'Retry-After': '300' } });
    const contactUser = this.#app.settings.accounts[line]?.user ?? '';
    const w: Watcher = { sub: undefined!, line, version: 0, last: '', timer: undefined };
    w.sub = acceptSubscription(ua, req, tx, {
      contactUser, maxExpires: MAX_WATCH_SECONDS, protocol: source.protocol === 'TCP' ? 'TCP' : 'UDP',
      onRequest: (r, rtx) => {
        if (r.method !== 'SUBSCRIBE') return void ua.respond(rtx, r, 405, undefined, { headers: { Allow: 'SUBSCRIBE' } });
        const expires = Math.min(r.expires ?? MAX_WATCH_SECONDS, MAX_WATCH_SECONDS);
        ua.respond(rtx, r, 200, undefined, { headers: { Expires: String(expires) } });
        this.#granted(w, expires);
      },
    });
    this.#watchers.add(w);
    this.#granted(w, w.sub.expires);
  }

  /** A (re)subscription for `expires` seconds: NOTIFY the state now (RFC 6665 §4.2.1.2); end it when it runs out. */
  #granted(w: Watcher, expires: number): void {
    const clock = this.#app.hal.clock;
    if (w.timer !== undefined) clock.clearTimer(w.timer);
    w.timer = undefined;
    if (expires <= 0) return this.#end(w, 'timeout');
    w.timer = clock.setTimer(expires * 1000, () => {
      w.timer = undefined;
      this.#end(w, 'timeout');
    });
    this.#send(w);
  }

  /** NOTIFYs the line's state. */
  #send(w: Watcher): void {
    const { body, key } = this.#body(w);
    w.last = key;
    w.sub.notifier.notify('active', { body, contentType: DIALOG_INFO_TYPE }, (status) => {
      // 481: the watcher is gone; 408/503: it cannot be reached. (A 500 for a NOTIFY overtaken by the next is harmless.)
      if (status === 481 || status === 408 || status === 503) this.#drop(w);
    });
  }

  #calls(w: Watcher): PhoneCall[] {
    return this.#app.phone.calls.filter((c) => c.line === w.line);
  }

  #body(w: Watcher): { body: string; key: string } {
    const calls = this.#calls(w);
    const entity = formatUri(this.#accounts[w.line]?.aor ?? this.#accounts[0]!.aor);
    return { body: buildDialogInfo(entity, w.version++, calls), key: stateKey(calls) };
  }

  /** The phone changed: NOTIFY the watchers whose line's dialogs changed. */
  changed(): void {
    for (const w of [...this.#watchers]) if (stateKey(this.#calls(w)) !== w.last) this.#send(w);
  }

  #end(w: Watcher, reason: string): void {
    if (!this.#watchers.has(w)) return;
    const { body } = this.#body(w);
    w.sub.notifier.notify('terminated', { reason, body, contentType: DIALOG_INFO_TYPE });
    this.#drop(w);
  }

  #drop(w: Watcher): void {
    if (w.timer !== undefined) this.#app.hal.clock.clearTimer(w.timer);
    w.timer = undefined;
    this.#watchers.delete(w);
    this.#app.ua.removeDialog(w.sub.dialog.key);
  }

  stop(): void {
    for (const w of [...this.#watchers]) this.#end(w, 'noresource');
  }
}

// ---- wiring ----

/** Starts BLF keys, presence publishing and the dialog notifier for a phone. */
export function startPresence(app: PhoneApp, accounts: readonly ServiceAccount[], options: PresenceOptions = {}): PhonePresence {
  const settings = app.settings;
  const retryMs = options.retryMs ?? 300_000;
  const first = accounts[0];
  let lamps: LampWatch[] = [];
  let lampsStarted = false;
  /** The BLF URIs being watched, in key order: new settings with other keys start the watches again. */
  let watched = '';
  let checkTimer: TimerHandle | undefined;
  const checkLamps = (): void => {
    for (const l of lamps) l.check();
    checkTimer = app.hal.clock.setTimer(LAMP_CHECK_MS, checkLamps);
  };
  const stopLamps = (): void => {
    if (checkTimer !== undefined) app.hal.clock.clearTimer(checkTimer);
    checkTimer = undefined;
    for (const l of lamps) l.stop();
    lamps = [];
  };
  const startLamps = (): void => {
    lampsStarted = true;
    const blf = app.settings.blf;
    watched = blf.map((b) => b.uri).join(' ');
    if (!first || blf.length === 0) return;
    lamps = blf.map((b, index) =>
      new LampWatch(app.ua, first, b.uri, options.blfExpires ?? 600, retryMs, (state) => app.phone.handle({ type: 'blf', index, state })));
    checkTimer = app.hal.clock.setTimer(LAMP_CHECK_MS, checkLamps);
  };
  // With a registrar, watch once registered (the registrar routes the SUBSCRIBEs); peer-to-peer at once.
  if (!app.registrations[0]) startLamps();

  const publishers = settings.publishPresence
    ? accounts.map((account, line) => (app.registrations[line] ? new OwnPublisher(app, account, options.publishExpires ?? 3600) : undefined))
    : [];
  const notifier = accounts.length ? new DialogNotifier(app, accounts) : undefined;

  let stopped = false;
  const update = (): void => {
    if (stopped) return;
    const phone = app.phone;
    if (!lampsStarted && phone.lines[0]?.registration === 'registered') startLamps();
    else if (lampsStarted && phone.settings.blf.map((b) => b.uri).join(' ') !== watched) {
      stopLamps();
      startLamps();
    }
    if (publishers.length) {
      const state = ownPresence(phone);
      publishers.forEach((p, line) => {
        if (p && phone.lines[line]?.registration === 'registered') p.update(state);
      });
    }
    notifier?.changed();
  };
  app.onPhoneChange(update);

  return {
    published: (line) => publishers[line]?.current,
    get watchers() {
      return notifier?.size ?? 0;
    },
    stop(): void {
      stopped = true;
      stopLamps();
      for (const p of publishers) p?.stop();
      notifier?.stop();
    },
  };
}
