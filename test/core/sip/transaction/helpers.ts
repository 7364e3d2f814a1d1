/**
 * Test doubles for transaction tests: a small text-backed implementation of the SipMessage contract (so these
 * tests need only the header parsers), a transport that records every transmission with its virtual time,
 * and a message factory.
 */
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import type { NameAddr, SipRequest, SipResponse, Via } from '../../../../src/sip/message.js';
import { parseCSeq } from '../../../../src/sip/headers/cseq.js';
import { parseNameAddr, parseNameAddrList } from '../../../../src/sip/headers/name-addr.js';
import { parseVia, formatVia } from '../../../../src/sip/headers/via.js';
import { parseUri } from '../../../../src/sip/uri.js';
import type { MessageFactory, TransactionContext, TransactionTransport } from '../../../../src/sip/transaction/context.js';
import { DEFAULT_TIMERS, type TimerBase } from '../../../../src/sip/transaction/timers.js';
import type { Outbound, Protocol, Source, Target } from '../../../../src/sip/transport/types.js';
import { isReliable } from '../../../../src/sip/transport/types.js';

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length' };
const norm = (n: string): string => COMPACT[n.toLowerCase()] ?? n.toLowerCase();

class Mini {
  readonly body = new Uint8Array(0);
  constructor(readonly lines: Array<[string, string]>) {}
  header(name: string): string | undefined {
    return this.headers(name)[0];
  }
  headers(name: string): string[] {
    const n = norm(name);
    const out: string[] = [];
    for (const [k, v] of this.lines) if (norm(k) === n) out.push(...(n === 'via' ? v.split(',').map((s) => s.trim()) : [v]));
    return out;
  }
  headerLines(): Array<[string, string]> {
    return this.lines;
  }
  get callId(): string {
    return this.header('call-id')!;
  }
  get cseq() {
    return parseCSeq(this.header('cseq')!);
  }
  get from(): NameAddr {
    return parseNameAddr(this.header('from')!);
  }
  get to(): NameAddr {
    return parseNameAddr(this.header('to')!);
  }
  get via(): Via[] {
    return this.headers('via').flatMap((v) => parseVia(v));
  }
  get topVia(): Via | undefined {
    return this.via[0];
  }
  get branch(): string | undefined {
    return this.via[0]?.branch;
  }
  get fromTag(): string | undefined {
    return this.from.params['tag'] ?? undefined;
  }
  get toTag(): string | undefined {
    return this.to.params['tag'] ?? undefined;
  }
  get maxForwards() {
    const v = this.header('max-forwards');
    return v === undefined ? undefined : +v;
  }
  get contact() {
    return [];
  }
  get route(): NameAddr[] {
    return this.headers('route').flatMap((v) => parseNameAddrList(v));
  }
  get recordRoute(): NameAddr[] {
    return this.headers('record-route').flatMap((v) => parseNameAddrList(v));
  }
  get contentType() {
    return undefined;
  }
  get contentLength() {
    return 0;
  }
  get expires() {
    return undefined;
  }
}

export class MiniRequest extends Mini implements SipRequest {
  readonly kind = 'request' as const;
  readonly version = 'SIP/2.0';
  constructor(readonly method: string, readonly uriText: string, lines: Array<[string, string]>) {
    super(lines);
  }
  get uri() {
    return parseUri(this.uriText);
  }
}

export class MiniResponse extends Mini implements SipResponse {
  readonly kind = 'response' as const;
  readonly version = 'SIP/2.0';
  constructor(readonly status: number, readonly reason: string, lines: Array<[string, string]>) {
    super(lines);
  }
}

export interface RequestSpec {
  branch?: string | undefined;
  sentBy?: string;
  transport?: string;
  uri?: string;
  callId?: string;
  seq?: number;
  fromTag?: string;
  toTag?: string;
  route?: string[];
  extraVia?: string[];
}

export function request(method: string, spec: RequestSpec = {}): MiniRequest {
  const branch = 'branch' in spec ? spec.branch : 'z9hG4bK-1';
  const via = `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '192.0.2.1:5060'}${branch ? ';branch=' + branch : ''}`;
  const lines: Array<[string, string]> = [['Via', via]];
  for (const v of spec.extraVia ?? []) lines.push(['Via', v]);
  for (const r of spec.route ?? []) lines.push(['Route', r]);
  lines.push(
    ['Max-Forwards', '70'],
    ['From', `<sip:alice@example.com>;tag=${spec.fromTag ?? 'ft1'}`],
    ['To', `<sip:bob@example.com>${spec.toTag ? ';tag=' + spec.toTag : ''}`],
    ['Call-ID', spec.callId ?? 'call-1'],
    ['CSeq', `${spec.seq ?? 1} ${method === 'ACK' || method === 'CANCEL' ? method : method}`],
  );
  return new MiniRequest(method, spec.uri ?? 'sip:bob@example.com', lines);
}

/** A response to req (§8.2.6: Via, From, To, Call-ID, CSeq copied), with a To tag for non-100. */
export function response(req: SipRequest, status: number, toTag: string | undefined = status > 100 ? 'tt1' : undefined): MiniResponse {
  const lines: Array<[string, string]> = [];
  for (const [k, v] of req.headerLines()) {
    const n = norm(k);
    if (n === 'via' || n === 'from' || n === 'call-id' || n === 'cseq') lines.push([k, v]);
    else if (n === 'to') lines.push([k, toTag && !req.to.params['tag'] ? `${v};tag=${toTag}` : v]);
  }
  return new MiniResponse(status, String(status), lines);
}

/** §17.1.1.3 with the Mini classes (the production factory lives in src/sip/transaction/messages.ts). */
export const miniFactory: MessageFactory = {
  ackForNon2xx(invite, res) {
    const lines: Array<[string, string]> = [['Via', formatVia(invite.via[0]!)]];
    for (const r of invite.headers('route')) lines.push(['Route', r]);
    lines.push(['Max-Forwards', '70'], ['From', invite.header('from')!], ['To', res.header('to')!], ['Call-ID', invite.callId], ['CSeq', `${invite.cseq.seq} ACK`]);
    return new MiniRequest('ACK', (invite as MiniRequest).uriText, lines);
  },
  response: (req, status) => response(req, status),
};

export interface Sent {
  at: number;
  message: SipRequest | SipResponse;
  out: Outbound;
}

/** Records transmissions; `fail` makes the next transmit report an error (synchronously or later). */
export class RecordingTransport implements TransactionTransport {
  sent: Sent[] = [];
  failNext: Error | undefined;
  #msgs = new WeakMap<Outbound, SipRequest | SipResponse>();
  constructor(readonly clock: VirtualClock) {}
  prepareRequest(request: SipRequest, target: Target): Outbound {
    const out: Outbound = {
      bytes: new Uint8Array(0),
      protocol: target.protocol,
      reliable: isReliable(target.protocol),
      address: target.address,
      port: target.port,
      kind: 'request',
    };
    this.#msgs.set(out, request);
    return out;
  }
  prepareResponse(response: SipResponse, source: Source): Outbound {
    const out: Outbound = {
      bytes: new Uint8Array(0),
      protocol: source.protocol,
      reliable: isReliable(source.protocol),
      address: source.address,
      port: source.port,
      kind: 'response',
    };
    this.#msgs.set(out, response);
    return out;
  }
  transmit(out: Outbound, onError: (error: Error) => void): void {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      onError(e);
      return;
    }
    this.sent.push({ at: this.clock.now(), message: this.#msgs.get(out)!, out });
  }
  /** Times at which messages matching pred were sent. */
  times(pred: (m: SipRequest | SipResponse) => boolean = () => true): number[] {
    return this.sent.filter((s) => pred(s.message)).map((s) => s.at);
  }
}

export function setup(timers: TimerBase = DEFAULT_TIMERS, factory: MessageFactory = miniFactory) {
  const clock = new VirtualClock();
  const transport = new RecordingTransport(clock);
  const ctx: TransactionContext = { clock, timers, transport, factory };
  return { clock, transport, ctx };
}

export const UDP_TARGET: Target = { protocol: 'UDP', address: '192.0.2.9', port: 5060 };
export const TCP_TARGET: Target = { protocol: 'TCP', address: '192.0.2.9', port: 5060 };

export function source(protocol: Protocol = 'UDP', address = '192.0.2.1', port = 5060): Source {
  return { protocol, address, port, local: { address: '192.0.2.100', port: 5060 } };
}

/** A client transaction user that logs what it hears. */
export function recorder(clock: VirtualClock) {
  const events: string[] = [];
  return {
    events,
    user: {
      onResponse: (r: SipResponse) => events.push(`${clock.now()} response ${r.status}`),
      onFailure: (f: { status: number; reason: string }) => events.push(`${clock.now()} failure ${f.status} ${f.reason}`),
      onTerminated: () => events.push(`${clock.now()} terminated`),
    },
  };
}

export const isMethod = (m: string) => (x: SipRequest | SipResponse) => x.kind === 'request' && x.method === m;
export const isStatus = (s: number) => (x: SipRequest | SipResponse) => x.kind === 'response' && x.status === s;
