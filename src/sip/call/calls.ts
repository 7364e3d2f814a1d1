/**
 * The calls of one user agent: places calls for its lines (accounts), takes the INVITEs that arrive out of
 * dialog, applies the phone's acceptance policy (no ghost calls, issue 7), rings, and keeps the live calls.
 */
import { silent, type Logger } from '../../log.js';
import type { CredentialsCache } from '../auth/credentials-cache.js';
import type { HeaderInit } from '../build.js';
import type { NameAddr, SipRequest } from '../message.js';
import type { InviteServerTransaction } from '../transaction/invite-server.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { Source } from '../transport/types.js';
import type { UserAgent } from '../ua/user-agent.js';
import { isSipUri, parseUri, type SipUri, type Uri } from '../uri.js';
import { Call, type CallContext } from './call.js';
import type { CallMedia } from './media.js';
import { DEFAULT_SESSION_TIMER, type SessionTimerConfig } from './session-timer.js';

/** What the phone decides about an incoming INVITE: ring it, or answer it with this status without ringing. */
export type Acceptance = true | number;

export interface Line {
  user: string;
  domain: string;
  displayName?: string;
  credentials?: CredentialsCache;
  outboundProxy?: SipUri;
  /** Routes to preload on new calls (RFC 3608 Service-Route from the registration). */
  routes?: () => string[];
  /** Media for a new call (each call gets its own). */
  media: (call: { direction: 'outgoing' | 'incoming'; request?: SipRequest }) => CallMedia;
  /** Issue 7's "no ghost calls" hook: true rings, a status refuses. Default: accept. */
  acceptIncoming?: (request: SipRequest, source: Source) => Acceptance;
  /** Refuse (404) INVITEs whose Request-URI or To user is not ours. Default false. */
  strictUser?: boolean;
}

export interface CallManagerOptions {
  timer?: Partial<SessionTimerConfig>;
  /** 3xx hops followed per call (default 5). */
  maxRedirects?: number;
  /** T1 of the transaction layer, ms (default 500). */
  t1?: number;
  /** Outgoing calls nobody answers are cancelled after this long, ms (default 180 s; 0 waits forever). */
  noAnswerMs?: number;
  /** Extra methods to list in Allow (REFER, NOTIFY, MESSAGE... once the services handle them). */
  allow?: string[];
  log?: Logger;
}

/** Methods a call itself answers inside its dialog. */
const CALL_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'PRACK', 'UPDATE', 'INFO'];

export class CallManager {
  readonly ua: UserAgent;
  readonly lines: Line[] = [];
  readonly calls = new Set<Call>();
  /** A new incoming call, before it rings: attach listeners, answer (auto-answer) or reject here. */
  onIncoming: (call: Call, line: Line) => void = () => {};
  readonly #options: CallManagerOptions;
  readonly #log: Logger;

  constructor(ua: UserAgent, options: CallManagerOptions = {}) {
    this.ua = ua;
    this.#options = options;
    this.#log = options.log ?? ua.log ?? silent;
    ua.handle('INVITE', (request, tx, source) => this.incoming(request, tx, source));
    // Only meaningful inside an INVITE dialog; claiming them here also lists them in the UA's Allow (OPTIONS).
    for (const method of ['PRACK', 'UPDATE']) ua.handle(method, (request, tx) => void ua.respond(tx, request, 481));
  }

  /** The live call a dialog identifier names (Replaces, RFC 3891; dialog-event matching), from our side. */
  findCall(callId: string, localTag: string, remoteTag: string): Call | undefined {
    for (const call of this.calls) {
      if (call.callId !== callId || call.local.params['tag'] !== localTag) continue;
      if (call.dialog?.remoteTag === remoteTag) return call;
    }
    return undefined;
  }

  addLine(line: Line): Line {
    this.lines.push(line);
    return line;
  }

  get allow(): string {
    return [...new Set([...this.ua.allow, ...CALL_METHODS, ...(this.#options.allow ?? [])])].join(', ');
  }

  private context(line: Line): CallContext {
    return {
      ua: this.ua,
      contactUser: line.user,
      ...(line.credentials ? { credentials: line.credentials } : {}),
      ...(line.outboundProxy ? { outboundProxy: line.outboundProxy } : {}),
      allow: this.allow,
      supported: this.ua.supported.join(', '),
      timer: { ...DEFAULT_SESSION_TIMER, ...this.#options.timer },
      maxRedirects: this.#options.maxRedirects ?? 5,
      t1: this.#options.t1 ?? 500,
      noAnswerMs: this.#options.noAnswerMs ?? 180_000,
      log: this.#log,
    };
  }

  /** The URI for what the user dialled: a full URI as it is, digits or a name at the line's domain. */
  static targetUri(target: string | Uri, line: Line): Uri {
    if (typeof target !== 'string') return target;
    if (/^(sips?|tel):/i.test(target)) return parseUri(target);
    return parseUri(`sip:${target}@${line.domain}`);
  }

  /** Places a call on a line; listen on the returned call (the INVITE leaves on the next clock tick). */
  place(target: string | Uri, line: Line | undefined = this.lines[0], headers?: HeaderInit): Call {
    if (!line) throw new Error('no line to call from');
    const uri = CallManager.targetUri(target, line);
    const from: NameAddr = {
      ...(line.displayName !== undefined ? { displayName: line.displayName } : {}),
      uri: { scheme: 'sip', user: line.user, host: line.domain, params: {}, headers: {} },
      params: {},
    };
    const routes = line.routes?.() ?? [];
    const media = line.media({ direction: 'outgoing' });
    const call = Call.outgoing(this.context(line), media, {
      from, to: { uri, params: {} }, uri, ...(routes.length ? { routes } : {}), ...(headers ? { headers } : {}),
    });
    this.track(call);
    return call;
  }

  private track(call: Call): void {
    this.calls.add(call);
    call.on((e) => {
      if (e.type === 'ended') this.calls.delete(call);
    });
  }

  /** The line an INVITE is for: by Request-URI user, then To user, else the first line (unless strict). */
  private lineFor(request: SipRequest): Line | undefined {
    const users = [request.uri, request.to.uri].map((u) => (isSipUri(u) ? u.user : undefined));
    for (const user of users) {
      const line = this.lines.find((l) => l.user === user);
      if (line) return line;
    }
    const first = this.lines[0];
    return first && !first.strictUser ? first : undefined;
  }

  private incoming(request: SipRequest, tx: ServerTransaction, source: Source): void {
    const line = this.lineFor(request);
    if (!line) return void this.ua.respond(tx, request, 404);
    const verdict = line.acceptIncoming?.(request, source) ?? true;
    if (verdict !== true) return void this.ua.respond(tx, request, verdict);
    const media = line.media({ direction: 'incoming', request });
    const call = Call.incoming(this.context(line), media, request, tx as InviteServerTransaction, source);
    if (call.state === 'ended') return;
    this.track(call);
    try {
      this.onIncoming(call, line);
    } catch (e) {
      this.#log.error(`incoming call handler failed: ${(e as Error).message}`);
    }
    call.ring();
  }

  /** Ends every call (shutdown). */
  hangupAll(): void {
    for (const call of [...this.calls]) call.hangup();
  }
}
