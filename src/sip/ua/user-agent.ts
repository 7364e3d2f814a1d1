/**
 * The user agent core (RFC 3261 §8): sends requests through client transactions (Via, authentication,
 * RFC 3263 fail-over) and hands received requests to the module that owns them: a dialog for in-dialog
 * requests, a method handler for the rest. What no module claims is answered here (OPTIONS, 405, 481...).
 */
import type { Clock } from '../../../hal/clock.js';
import type { Crypto } from '../../../hal/crypto.js';
import type { Random } from '../../../hal/random.js';
import { silent, type Logger } from '../../log.js';
import type { CredentialsCache, AuthHeader } from '../auth/credentials-cache.js';
import { buildRequest, buildResponse, BuiltRequest, type ResponseOptions } from '../build.js';
import type { SipLocator } from '../dns/sip-locator.js';
import { SipError } from '../errors.js';
import { parseAuth } from '../headers/auth.js';
import { formatVia } from '../headers/via.js';
import type { SipRequest, SipResponse } from '../message.js';
import type { ClientTransactionUser } from '../transaction/client.js';
import type { TransactionFailure } from '../transaction/context.js';
import { transportFailure } from '../transaction/context.js';
import { createMessageFactory } from '../transaction/messages.js';
import { DEFAULT_TIMERS, type TimerBase } from '../transaction/timers.js';
import { TransactionLayer, type ClientTransaction, type ServerTransaction, type TransactionUser } from '../transaction/transaction-layer.js';
import type { InviteServerTransaction } from '../transaction/invite-server.js';
import type { SipTransport } from '../transport/transport.js';
import type { Protocol, Source, Target } from '../transport/types.js';
import { newBranch, ourVia, randomToken } from '../transport/via.js';
import { formatUri, type SipUri } from '../uri.js';
import type { Admission } from './admission.js';
import { nextHopUri, resolveTargets } from './next-hop.js';

export const PRODUCT = 'xsphone/0.1.0';

export interface UserAgentOptions {
  clock: Clock;
  random: Random;
  crypto: Crypto;
  transport: SipTransport;
  /** The address put in Via and Contact: the local interface address peers reach us on. */
  host: string;
  locator?: SipLocator;
  /** User-Agent / Server header value (product and version). */
  product?: string;
  timers?: TimerBase;
  log?: Logger;
  /** Option tags we support (Supported, and the Require check of §8.2.2.3). */
  supported?: readonly string[];
  admission?: Admission;
}

/** Handles an out-of-dialog request of one method; must respond through tx. */
export type RequestHandler = (request: SipRequest, tx: ServerTransaction, source: Source) => void;

/** Whoever owns a dialog (an INVITE session, a subscription) receives its requests. */
export interface DialogUser {
  /** tx is undefined for the ACK of a 2xx, which has no transaction of its own. */
  onRequest(request: SipRequest, tx: ServerTransaction | undefined, source: Source): void;
}

/** What the sender of a request hears. Authentication and fail-over happen before it does. */
export interface OutgoingUser {
  /** Every response: provisional ones, the final one, and for INVITE each further 2xx (forks, retransmissions). */
  onResponse(response: SipResponse, outgoing: OutgoingRequest): void;
  /** No response will come: time-out (408) or transport failure (503) on every target. */
  onFailure(failure: TransactionFailure, outgoing: OutgoingRequest): void;
}

export interface SendOptions {
  /** Answers 401/407 with these credentials (new CSeq, same Call-ID), at most once per challenge. */
  credentials?: CredentialsCache;
  /** Sends there instead of resolving the next hop from Route / Request-URI. */
  targets?: Target[];
  /** Outbound proxy: the next hop when the request has no Route. */
  outboundProxy?: SipUri;
  /** Called before each attempt, e.g. to set a Contact matching the transport. */
  prepare?: (request: BuiltRequest, target: Target) => void;
}

/** Dialog identifier from our side: Call-ID, local tag, remote tag. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

const BASE_ALLOW = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'];

/** A copy of a request to send again (auth retry or fail-over) without touching the one a transaction holds. */
function copyRequest(r: SipRequest): BuiltRequest {
  const c = new BuiltRequest(r.method, r.uri);
  for (const [n, v] of r.headerLines()) c.addHeader(n, v);
  c.body = r.body;
  return c;
}

/** One logical request across authentication retries and target fail-over. */
export class OutgoingRequest {
  #ua: UserAgent;
  #user: OutgoingUser;
  #options: SendOptions;
  #targets: Target[] = [];
  #index = 0;
  #sentAuth: AuthHeader[] = [];
  #cancelled = false;
  /** Attempts made (each a new transaction); a response to an earlier one is late. */
  #attempts = 0;
  /** The request as last sent (its CSeq and branch are what CANCEL and ACK must match). */
  request: BuiltRequest;
  transaction: ClientTransaction | undefined;
  target: Target | undefined;

  constructor(ua: UserAgent, request: BuiltRequest, user: OutgoingUser, options: SendOptions) {
    this.#ua = ua;
    this.request = request;
    this.#user = user;
    this.#options = options;
  }

  start(): void {
    let targets: Target[] | Promise<Target[]>;
    try {
      targets = this.#options.targets ?? resolveTargets(nextHopUri(this.request, this.#options.outboundProxy), this.#ua.locator);
    } catch (e) {
      return this.unroutable(e as Error);
    }
    if (Array.isArray(targets)) return this.begin(targets);
    targets.then((t) => this.begin(t), (e: unknown) => this.unroutable(e as Error));
  }

  private unroutable(e: Error): void {
    this.#ua.log.warn(`cannot route ${this.request.method}: ${e.message}`);
    this.#user.onFailure(transportFailure(e), this);
  }

  private begin(targets: Target[]): void {
    if (this.#cancelled) return;
    this.#targets = targets;
    if (targets.length === 0) return this.unroutable(new Error('no address found for the next hop'));
    const auth = this.#options.credentials?.authorize({ method: this.request.method, uri: formatUri(this.request.uri), body: this.request.body });
    if (auth?.length) this.setAuth(this.request, auth);
    this.attempt(this.request);
  }

  /**
   * For an INVITE answered with a 2xx: keeps of the request only what a late 2xx (another fork, a retransmission)
   * needs for its dialog and ACK (Request-URI, From, To, Call-ID, CSeq), and forgets the send options and targets,
   * so the built INVITE and its offer need not stay for the 32 s its transaction waits for more 2xx.
   */
  settle(): void {
    const r = this.request;
    this.request = buildRequest({ method: r.method, uri: r.uri, from: r.header('From') ?? '', to: r.header('To') ?? '', callId: r.callId, cseq: r.cseq.seq });
    this.#options = {};
    this.#targets = [];
    this.#sentAuth = [];
  }

  /** Gives the responses still to come to another user (the one that sent the request has finished). */
  handOver(user: OutgoingUser): void {
    this.#user = user;
  }

  /** Stops fail-over and auth retries (after CANCEL, or when the user hangs up). */
  stop(): void {
    this.#cancelled = true;
  }

  private setAuth(r: BuiltRequest, headers: AuthHeader[]): void {
    r.removeHeader('Authorization').removeHeader('Proxy-Authorization');
    for (const h of headers) r.addHeader(h.name, h.value);
    this.#sentAuth = headers;
  }

  private attempt(request: BuiltRequest): void {
    const target = this.#targets[this.#index]!;
    this.target = target;
    request.removeHeader('Via');
    request.addHeader('Via', formatVia(ourVia(target.protocol, this.#ua.host, this.#ua.localPort(target.protocol), newBranch(this.#ua.random))), true);
    if (request.header('User-Agent') === undefined) request.addHeader('User-Agent', this.#ua.product);
    this.#options.prepare?.(request, target);
    this.request = request;
    try {
      this.transaction = this.#ua.transactions.request(request, target, new OutgoingRequest.#AttemptUser(this, ++this.#attempts));
    } catch (e) {
      this.failure(transportFailure(e as Error));
    }
  }

  /**
   * What an attempt's transaction reports to us, with the attempt's number, not its request (so that settle() can let
   * the request go). An object whose methods are on its class, not two closures: it lasts as long as the transaction.
   */
  static readonly #AttemptUser = class implements ClientTransactionUser {
    constructor(readonly out: OutgoingRequest, readonly attempt: number) {}
    onResponse(response: SipResponse): void {
      this.out.response(this.attempt, response);
    }
    onFailure(failure: TransactionFailure): void {
      this.out.failure(failure);
    }
  };

  private response(attempt: number, response: SipResponse): void {
    const request = this.request;
    if (attempt !== this.#attempts) {
      // A late response to an attempt we already replaced: only INVITE 2xx matter (ACK them via the user).
      if (!(request.method === 'INVITE' && response.status >= 200 && response.status < 300)) return;
    }
    const status = response.status;
    if ((status === 401 || status === 407) && this.#options.credentials && !this.#cancelled) {
      const challenges = status === 401 ? response.headers('WWW-Authenticate') : response.headers('Proxy-Authenticate');
      const values = challenges.map((text) => parseAuthSafe(text)).filter((v): v is NonNullable<typeof v> => v !== undefined);
      const next = copyRequest(request);
      next.setHeader('CSeq', `${request.cseq.seq + 1} ${request.method}`);
      const outcome = this.#options.credentials.challenge(status, values, { method: next.method, uri: formatUri(next.uri), body: next.body }, this.#sentAuth);
      if (outcome.ok) {
        this.setAuth(next, outcome.headers);
        this.attempt(next);
        return;
      }
      this.#ua.log.info(`${request.method} ${status}: not retried (${outcome.reason}${outcome.realm ? ` for realm ${outcome.realm}` : ''})`);
    }
    if (status === 503 && !this.#cancelled && this.#index + 1 < this.#targets.length && response.header('Retry-After') === undefined) {
      // RFC 3263 §4.3: a 503 means try the next server.
      this.#index++;
      this.attempt(copyRequest(request));
      return;
    }
    this.#user.onResponse(response, this);
  }

  private failure(failure: TransactionFailure): void {
    if (!this.#cancelled && this.#index + 1 < this.#targets.length) {
      this.#ua.log.info(`${this.request.method} to ${this.target?.address}:${this.target?.port} failed (${failure.reason}); trying the next target`);
      this.#index++;
      this.attempt(copyRequest(this.request));
      return;
    }
    this.#user.onFailure(failure, this);
  }
}

/** A malformed challenge among good ones is skipped rather than failing the request. */
function parseAuthSafe(text: string) {
  try {
    return parseAuth(text);
  } catch {
    return undefined;
  }
}

export class UserAgent implements TransactionUser {
  readonly clock: Clock;
  readonly random: Random;
  readonly crypto: Crypto;
  readonly transport: SipTransport;
  readonly transactions: TransactionLayer;
  readonly locator: SipLocator | undefined;
  readonly log: Logger;
  readonly product: string;
  readonly supported: readonly string[];
  host: string;
  /** Scanner and flood protection for out-of-dialog requests (off when undefined). */
  admission: Admission | undefined;
  readonly #methods = new Map<string, RequestHandler>();
  readonly #dialogs = new Map<string, DialogUser>();
  /** Dialogs expected but not yet known (NOTIFYs forked from our SUBSCRIBE, RFC 6665 §4.1.2.4), by Call-ID and our tag. */
  readonly #expected = new Map<string, DialogUser>();
  readonly #cancels = new Map<InviteServerTransaction, () => void>();
  /** Where a registrar saw a user's UDP requests come from, when that is not our own address (behind NAT). */
  #publicUdp: Map<string, { host: string; port: number }> | undefined; // made on the first NAT seen
  readonly #unsubscribe: () => void;

  constructor(o: UserAgentOptions) {
    this.clock = o.clock;
    this.random = o.random;
    this.crypto = o.crypto;
    this.transport = o.transport;
    this.locator = o.locator;
    this.host = o.host;
    this.log = o.log ?? silent;
    this.product = o.product ?? PRODUCT;
    this.supported = o.supported ?? ['replaces', '100rel', 'timer'];
    this.admission = o.admission;
    this.transactions = new TransactionLayer(
      { clock: o.clock, timers: o.timers ?? DEFAULT_TIMERS, transport: o.transport, factory: createMessageFactory(o.random) },
      this,
    );
    this.#unsubscribe = o.transport.onMessage((m, s) => {
      // Out-of-dialog requests pass admission first; what it drops leaves no transaction and gets no reply.
      if (this.admission && m.kind === 'request' && m.method !== 'ACK' && !this.inDialog(m)) {
        const verdict = this.admission.check(m, s);
        if (verdict !== 'pass') {
          this.log.debug(`dropped ${m.method} from ${s.address}:${s.port} (${verdict})`);
          return;
        }
      }
      this.transactions.receive(m, s);
    });
  }

  private inDialog(m: SipRequest): boolean {
    try {
      const tag = m.to.params['tag'];
      return tag !== undefined && tag !== null
        && (this.#dialogs.has(dialogKey(m.callId, tag, m.from.params['tag'] ?? '')) || this.#expected.has(`${m.callId}\n${tag}`));
    } catch {
      return false;
    }
  }

  // ---- identifiers ----

  newCallId(): string {
    return `${randomToken(this.random, 20)}@${this.host.includes(':') ? `[${this.host}]` : this.host}`;
  }

  newTag(): string {
    return randomToken(this.random, 12);
  }

  localPort(protocol: Protocol): number | undefined {
    return this.transport.localPort(protocol) ?? this.transport.localPort('UDP');
  }

  /** Our Contact URI for a user over a transport: over UDP, the public address the registrar saw, once known. */
  contactUri(user: string, protocol: Protocol): SipUri {
    const mapped = protocol === 'UDP' ? this.#publicUdp?.get(user) : undefined;
    const uri: SipUri = { scheme: protocol === 'TLS' ? 'sips' : 'sip', user, host: mapped?.host ?? this.host, params: {}, headers: {} };
    const port = mapped?.port ?? this.localPort(protocol);
    if (port !== undefined) uri.port = port;
    if (protocol === 'TCP') uri.params['transport'] = 'tcp';
    return uri;
  }

  /**
   * Contacts of `user` over UDP use this address from now on (RFC 3581: the received/rport a registrar reported,
   * i.e. our NAT's public side), or our own again with undefined.
   */
  setPublicAddress(user: string, address: { host: string; port: number } | undefined): void {
    if (address) (this.#publicUdp ??= new Map()).set(user, { host: address.host, port: address.port });
    else this.#publicUdp?.delete(user);
  }

  get allow(): string[] {
    const all = new Set([...BASE_ALLOW, ...this.#methods.keys()]);
    return [...all];
  }

  // ---- sending ----

  /** Sends a request (it must carry no Via: each attempt gets a fresh one). */
  send(request: BuiltRequest, user: OutgoingUser, options: SendOptions = {}): OutgoingRequest {
    // §8.1.2: an outbound proxy is a preloaded route set of one loose-routing URI.
    const proxy = options.outboundProxy;
    if (proxy && request.header('Route') === undefined) {
      request.addHeader('Route', `<${formatUri({ ...proxy, params: { ...proxy.params, lr: null }, headers: {} })}>`);
    }
    const out = new OutgoingRequest(this, request, user, options);
    out.start();
    return out;
  }

  /** Responds on a server transaction with a response built from its request (§8.2.6). */
  respond(tx: ServerTransaction, request: SipRequest, status: number, reason?: string, options: ResponseOptions = {}): SipResponse {
    const needsTag = status > 100 && request.to.params['tag'] === undefined;
    const response = buildResponse(request, status, reason, { ...options, ...(needsTag && options.toTag === undefined ? { toTag: this.newTag() } : {}) });
    if (response.header('Server') === undefined && status >= 200) response.addHeader('Server', this.product);
    if (status === 405 || (request.method === 'OPTIONS' && status === 200)) response.setHeader('Allow', this.allow.join(', '));
    tx.respond(response);
    return response;
  }

  // ---- receiving ----

  /** Claims the out-of-dialog requests of a method. */
  handle(method: string, handler: RequestHandler): void {
    this.#methods.set(method, handler);
  }

  addDialog(key: string, user: DialogUser): void {
    this.#dialogs.set(key, user);
  }

  removeDialog(key: string): void {
    this.#dialogs.delete(key);
  }

  /** Routes requests for not-yet-known dialogs with this Call-ID and local tag (any remote tag) to user. */
  expectDialogs(callId: string, localTag: string, user: DialogUser): void {
    this.#expected.set(`${callId}\n${localTag}`, user);
  }

  unexpectDialogs(callId: string, localTag: string): void {
    this.#expected.delete(`${callId}\n${localTag}`);
  }

  /** Registers what to do when a CANCEL arrives for an INVITE server transaction. */
  onCancel(tx: InviteServerTransaction, fn: () => void): void {
    this.#cancels.set(tx, fn);
  }

  forgetCancel(tx: InviteServerTransaction): void {
    this.#cancels.delete(tx);
  }

  onRequest(request: SipRequest, tx: ServerTransaction | undefined, source: Source): void {
    try {
      this.dispatch(request, tx, source);
    } catch (e) {
      if (!(e instanceof SipError)) throw e;
      if (tx) this.respond(tx, request, e.status, e.message);
    }
  }

  private dispatch(request: SipRequest, tx: ServerTransaction | undefined, source: Source): void {
    const toTag = request.to.params['tag'];
    if (toTag !== undefined && toTag !== null) {
      const key = dialogKey(request.callId, toTag, request.from.params['tag'] ?? '');
      const dialog = this.#dialogs.get(key) ?? this.#expected.get(`${request.callId}\n${toTag}`);
      if (dialog) return dialog.onRequest(request, tx, source);
      if (!tx) return; // a stray ACK
      // §12.2.2: a request for a dialog we do not know.
      if (request.method !== 'CANCEL') return void this.respond(tx, request, 481);
    }
    if (!tx) return;
    if (request.method === 'CANCEL') {
      const invite = this.transactions.findCancelled(request);
      if (!invite) return void this.respond(tx, request, 481);
      this.respond(tx, request, 200);
      const fn = this.#cancels.get(invite);
      this.#cancels.delete(invite);
      fn?.();
      return;
    }
    const scheme = request.uri.scheme;
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') return void this.respond(tx, request, 416);
    // §8.2.2.3: refuse what the request requires and we do not support.
    if (request.method !== 'ACK') {
      const required = request.headers('Require').flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
      const unsupported = required.filter((r) => !this.supported.includes(r.toLowerCase()));
      if (unsupported.length) return void this.respond(tx, request, 420, undefined, { headers: { Unsupported: unsupported.join(', ') } });
    }
    const handler = this.#methods.get(request.method);
    if (handler) return handler(request, tx, source);
    if (request.method === 'OPTIONS') {
      return void this.respond(tx, request, 200, undefined, {
        headers: { Accept: 'application/sdp', Supported: this.supported.join(', ') },
      });
    }
    if (KNOWN_METHODS.has(request.method)) return void this.respond(tx, request, 405);
    this.respond(tx, request, 501);
  }

  onStrayResponse(response: SipResponse): void {
    this.log.debug(`stray response ${response.status} ${response.cseq.method}`);
  }

  close(): void {
    this.#unsubscribe();
    this.transactions.shutdown();
  }
}

const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

