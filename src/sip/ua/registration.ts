/**
 * Registration of one account (RFC 3261 §10, RFC 3608 Service-Route, RFC 3327 Path, RFC 5626 keep-alives).
 * Written against what users of other phones suffer: a refresh can never stay "in progress" (every attempt ends by
 * response or Timer F), failures retry with a capped back-off forever, a network change re-registers at once, and
 * keep-alives hold NAT bindings open while registered.
 */
import type { TimerHandle } from '../../../hal/clock.js';
import { CredentialsCache } from '../auth/credentials-cache.js';
import { buildRequest, type BuiltRequest } from '../build.js';
import { formatNameAddr } from '../headers/name-addr.js';
import type { SipResponse } from '../message.js';
import type { KeepAliveHandle } from '../transport/keepalive.js';
import type { Protocol, Target } from '../transport/types.js';
import { formatUri, uriEquals, type SipUri } from '../uri.js';
import type { OutgoingRequest, UserAgent } from './user-agent.js';

export interface RegistrationAccount {
  user: string;
  /** Authentication user when it differs from user. */
  authUser?: string;
  password: string;
  domain: string;
  displayName?: string;
  registrar: SipUri;
  backupRegistrar?: SipUri;
  outboundProxy?: SipUri;
  /** Seconds asked for; the registrar may grant less (or demand more with 423). */
  expires: number;
}

export type RegistrationState =
  | { state: 'unregistered' }
  | { state: 'registering' }
  | { state: 'registered'; expires: number; registrar: string }
  | { state: 'failed'; status: number; reason: string; retryInMs: number };

export interface RegistrationOptions {
  /** Keep-alive interval while registered; 0 turns keep-alives off. Default 30 s (UDP) / 120 s (TCP, TLS). */
  keepAliveMs?: number;
  /** First retry delay after a failure; doubles up to maxRetryMs. Defaults 2 s and 60 s. */
  retryMs?: number;
  maxRetryMs?: number;
  onState?: (state: RegistrationState) => void;
  /**
   * Behind a NAT (the registrar reports received/rport other than our Contact, RFC 3581), register the public
   * address instead and remove the private one, so calls routed to our Contact reach us. Default true; UDP only
   * (a TCP or TLS registrar sends back over our own connection).
   */
  rewriteContact?: boolean;
}

/** When to refresh: half-way for short registrations, ten minutes early for long ones, never later than 90%. */
export function refreshDelayMs(grantedSeconds: number): number {
  const s = Math.max(1, grantedSeconds);
  return Math.round(Math.max(s * 0.5, Math.min(s * 0.9, s - 600)) * 1000);
}

export class Registration {
  readonly ua: UserAgent;
  readonly account: RegistrationAccount;
  readonly credentials: CredentialsCache;
  state: RegistrationState = { state: 'unregistered' };
  /** RFC 3608: routes to preload on out-of-dialog requests of this account. */
  serviceRoute: string[] = [];
  #options: RegistrationOptions;
  readonly #callId: string;
  readonly #fromTag: string;
  #cseq = 0;
  #expires: number;
  #inFlight: OutgoingRequest | undefined;
  #timer: TimerHandle | undefined;
  #keepAlive: KeepAliveHandle | undefined;
  #failures = 0;
  #useBackup = false;
  #wanted = false;
  #contactProtocol: Protocol = 'UDP';
  /** Our previous Contact, to remove (expires=0) with the next REGISTER after it was rewritten for a NAT. */
  #staleContact: string | undefined;
  /** A NAT rewrite was registered and not yet confirmed: another mismatch then is not chased (no REGISTER loop). */
  #rewrote = false;
  #lastTarget: Target | undefined;
  #stopWaiters: Array<() => void> = [];

  constructor(ua: UserAgent, account: RegistrationAccount, options: RegistrationOptions = {}) {
    this.ua = ua;
    this.account = account;
    this.#options = options;
    this.#expires = account.expires;
    this.#callId = ua.newCallId();
    this.#fromTag = ua.newTag();
    this.credentials = new CredentialsCache({
      crypto: ua.crypto,
      random: ua.random,
      credentials: () => ({ username: account.authUser ?? account.user, password: account.password }),
    });
  }

  /** The Contact this registration registers (the public address behind a NAT, once learned). */
  get contact(): string {
    return formatUri(this.ua.contactUri(this.account.user, this.#contactProtocol));
  }

  get aor(): SipUri {
    return { scheme: this.account.registrar.scheme, user: this.account.user, host: this.account.domain, params: {}, headers: {} };
  }

  /** Starts registering, and keeps the registration alive until stop(). */
  start(): void {
    this.#wanted = true;
    this.#send();
  }

  /** The local address or network changed: register again now, whatever state we were in. */
  networkChanged(): void {
    if (!this.#wanted) return;
    // A new network may have no NAT or another one: start from our own address and learn again.
    this.#forgetPublicAddress();
    this.#inFlight?.stop();
    this.#inFlight = undefined;
    this.#failures = 0;
    this.#send();
  }

  /** Unregisters (Expires: 0); resolves once the registrar answered or the attempt timed out. */
  stop(): Promise<void> {
    this.#wanted = false;
    this.#clearTimer();
    this.#stopKeepAlive();
    const wasRegistered = this.state.state === 'registered';
    this.#inFlight?.stop();
    this.#inFlight = undefined;
    if (!wasRegistered) {
      this.#setState({ state: 'unregistered' });
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#stopWaiters.push(resolve);
      this.#send(0);
    });
  }

  #registrar(): SipUri {
    return this.#useBackup && this.account.backupRegistrar ? this.account.backupRegistrar : this.account.registrar;
  }

  #build(expires: number): BuiltRequest {
    const registrar = this.#registrar();
    const requestUri: SipUri = { scheme: registrar.scheme, host: registrar.host, params: { ...registrar.params }, headers: {} };
    if (registrar.port !== undefined) requestUri.port = registrar.port;
    const aor = formatNameAddr({ ...(this.account.displayName ? { displayName: this.account.displayName } : {}), uri: this.aor, params: {} });
    return buildRequest({
      method: 'REGISTER',
      uri: requestUri,
      from: `${aor};tag=${this.#fromTag}`,
      to: aor,
      callId: this.#callId,
      cseq: ++this.#cseq,
      headers: { Expires: String(expires), Supported: 'path', Allow: this.ua.allow.join(', ') },
    });
  }

  #send(expiresOverride?: number): void {
    this.#clearTimer();
    if (this.#inFlight) return; // the answer to the one in flight schedules the next step
    const unregister = expiresOverride === 0;
    const expires = expiresOverride ?? this.#expires;
    if (!unregister && this.state.state !== 'registered') this.#setState({ state: 'registering' });
    const request = this.#build(expires);
    const outgoing = this.ua.send(
      request,
      {
        onResponse: (response, out) => {
          if (response.status < 200) return;
          if (this.#inFlight !== out) return;
          this.#inFlight = undefined;
          this.#cseq = out.request.cseq.seq;
          this.#lastTarget = out.target;
          if (unregister) return this.#stopped();
          this.#final(response);
        },
        onFailure: (failure, out) => {
          if (this.#inFlight !== out) return;
          this.#inFlight = undefined;
          this.#cseq = out.request.cseq.seq;
          if (unregister) return this.#stopped();
          this.#failed(failure.status, failure.reason === 'timeout' ? 'Request Timeout (no answer from the registrar)' : `Service Unavailable (${failure.reason === 'transport' ? failure.error.message : 'network'})`);
        },
      },
      {
        credentials: this.credentials,
        ...(this.account.outboundProxy ? { outboundProxy: this.account.outboundProxy } : {}),
        prepare: (r, target) => {
          this.#contactProtocol = target.protocol;
          const contact = formatNameAddr({ uri: this.ua.contactUri(this.account.user, target.protocol), params: {} });
          const stale = this.#staleContact !== undefined && this.#staleContact !== contact ? `, ${this.#staleContact};expires=0` : '';
          r.setHeader('Contact', (unregister ? contact + ';expires=0' : contact) + stale);
        },
      },
    );
    this.#inFlight = outgoing;
  }

  #stopped(): void {
    this.#setState({ state: 'unregistered' });
    const waiters = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const w of waiters) w();
  }

  #final(response: SipResponse): void {
    const status = response.status;
    if (status >= 200 && status < 300) return this.#registered(response);
    if (status === 423) {
      const min = response.header('Min-Expires');
      const n = min === undefined ? NaN : parseInt(min, 10);
      if (Number.isFinite(n) && n > this.#expires && n <= 86400) {
        this.#expires = n;
        return this.#send();
      }
    }
    if (status >= 300 && status < 400 && response.contact !== '*' && response.contact[0]) {
      this.ua.log.info(`registrar redirected REGISTER (${status}); staying with the configured registrar`);
    }
    this.#failed(status, response.reason);
  }

  #registered(response: SipResponse): void {
    if (this.#behindNat(response)) return;
    const ours = this.ua.contactUri(this.account.user, this.#contactProtocol);
    let granted: number | undefined;
    const contacts = response.contact;
    if (contacts !== '*') {
      for (const c of contacts) {
        if (!sameContact(c.uri as SipUri, ours)) continue;
        const e = c.params['expires'];
        if (e !== undefined && e !== null && /^\d+$/.test(e)) granted = parseInt(e, 10);
      }
    }
    granted ??= response.expires ?? this.#expires;
    if (granted === 0) return this.#failed(200, 'registrar granted no time (expires=0)');
    this.serviceRoute = response.headers('Service-Route');
    // Requests from the registrar (calls it routes to us) always pass the scanner and flood filter.
    if (this.#lastTarget) this.ua.admission?.trust(this.#lastTarget.address);
    this.#failures = 0;
    this.#setState({ state: 'registered', expires: granted, registrar: formatUri(this.#registrar()) });
    this.#timer = this.ua.clock.setTimer(refreshDelayMs(granted), () => {
      this.#timer = undefined;
      if (this.#wanted) this.#send();
    });
    this.#startKeepAlive();
  }

  /**
   * RFC 3581: the registrar saw this REGISTER come from received:rport. When that is not our Contact we are behind
   * a NAT: register the public address now (removing the private one) and report true. Only once until a
   * registration with the public address is confirmed, so a NAT that maps every packet anew causes no loop.
   */
  #behindNat(response: SipResponse): boolean {
    const seen = this.#contactProtocol === 'UDP' && this.#options.rewriteContact !== false ? publicAddress(response) : undefined;
    if (seen === undefined) return false;
    const ours = this.ua.contactUri(this.account.user, 'UDP');
    if (sameContact({ ...ours, host: seen.host, port: seen.port }, ours)) {
      this.#rewrote = false;
      this.#staleContact = undefined;
      return false;
    }
    if (this.#rewrote) return false;
    this.#rewrote = true;
    this.#staleContact = formatNameAddr({ uri: ours, params: {} });
    this.ua.setPublicAddress(this.account.user, seen);
    this.ua.log.info(`the registrar sees us at ${seen.host}:${seen.port} (NAT): registering that address`);
    this.#send();
    return true;
  }

  /** Back to our own address; a public one registered before is removed with the next REGISTER (it may be dead). */
  #forgetPublicAddress(): void {
    const before = formatNameAddr({ uri: this.ua.contactUri(this.account.user, 'UDP'), params: {} });
    this.ua.setPublicAddress(this.account.user, undefined);
    const own = formatNameAddr({ uri: this.ua.contactUri(this.account.user, 'UDP'), params: {} });
    this.#staleContact = before !== own && this.#contactProtocol === 'UDP' ? before : undefined;
    this.#rewrote = false;
  }

  #failed(status: number, reason: string): void {
    this.#stopKeepAlive();
    if (!this.#wanted) return;
    // A registrar that does not answer or is unavailable: the next attempt goes to the other one.
    if ((status >= 500 || status === 408) && this.account.backupRegistrar) this.#useBackup = !this.#useBackup;
    const base = this.#options.retryMs ?? 2000;
    const cap = this.#options.maxRetryMs ?? 60_000;
    const step = Math.min(cap, base * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    // Jitter (50-100%) keeps a room full of phones from retrying in step after an outage.
    const jitter = 0.5 + (this.ua.random.fill(new Uint8Array(1))[0]! / 255) * 0.5;
    const delay = Math.round(step * jitter);
    this.#setState({ state: 'failed', status, reason, retryInMs: delay });
    this.#timer = this.ua.clock.setTimer(delay, () => {
      this.#timer = undefined;
      if (this.#wanted) this.#send();
    });
  }

  #startKeepAlive(): void {
    this.#stopKeepAlive();
    const target = this.#lastTarget;
    if (!target || this.#options.keepAliveMs === 0) return;
    const options = {
      ...(this.#options.keepAliveMs !== undefined ? { intervalMs: this.#options.keepAliveMs } : {}),
      onFailure: (e: Error) => {
        this.ua.log.warn(`keep-alive to the registrar failed (${e.message}); registering again`);
        this.networkChanged();
      },
    };
    this.#keepAlive = this.ua.transport.keepAlive(target, options);
  }

  #stopKeepAlive(): void {
    this.#keepAlive?.stop();
    this.#keepAlive = undefined;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.ua.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #setState(s: RegistrationState): void {
    this.state = s;
    this.#options.onState?.(s);
  }
}

/** Where the registrar saw a request from: the received/rport it added to our Via (RFC 3581 §4), if any. */
function publicAddress(response: SipResponse): { host: string; port: number } | undefined {
  const via = response.topVia;
  if (via === undefined || (via.received === undefined && typeof via.rport !== 'number')) return undefined;
  return { host: via.received ?? via.host, port: typeof via.rport === 'number' ? via.rport : via.port ?? 5060 };
}

/** Our Contact as the registrar echoes it: same user, host and port (it may add or drop parameters). */
function sameContact(a: SipUri, b: SipUri): boolean {
  if (!a || (a.scheme !== 'sip' && a.scheme !== 'sips')) return false;
  if (uriEquals(a, b)) return true;
  return a.user === b.user && a.host.toLowerCase() === b.host.toLowerCase() && (a.port ?? 5060) === (b.port ?? 5060);
}
