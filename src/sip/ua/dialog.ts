/**
 * A dialog (RFC 3261 §12): the state two user agents share after an INVITE, SUBSCRIBE or REFER, and the rules for
 * requests inside it — Request-URI from the remote target, Route from the route set, CSeq ordering, target refresh.
 */
import { buildRequest, type BuiltRequest, type HeaderInit } from '../build.js';
import { formatNameAddr } from '../headers/name-addr.js';
import type { NameAddr, SipRequest, SipResponse } from '../message.js';
import { formatUri, parseUri, type Uri } from '../uri.js';
import { dialogKey } from './user-agent.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

export interface InDialogRequestOptions {
  headers?: HeaderInit;
  body?: Uint8Array | string;
  contentType?: string;
  /** CSeq to use instead of the next one (ACK and CANCEL reuse the INVITE's). */
  cseq?: number;
}

function bare(na: NameAddr): NameAddr {
  return na.displayName !== undefined ? { displayName: na.displayName, uri: na.uri, params: {} } : { uri: na.uri, params: {} };
}

function withTag(na: NameAddr, tag: string): string {
  return formatNameAddr({ ...na, params: tag ? { tag } : {} });
}

function firstContact(m: SipRequest | SipResponse): Uri | undefined {
  const c = m.contact;
  return c === '*' ? undefined : c[0]?.uri;
}

export class Dialog {
  state: DialogState;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our identity (From of our requests) and theirs (To of our requests), without tags. */
  readonly local: NameAddr;
  readonly remote: NameAddr;
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: Uri;
  /** Route set, in the order our requests carry it. */
  readonly routeSet: readonly string[];
  readonly secure: boolean;

  private constructor(init: {
    state: DialogState; callId: string; localTag: string; remoteTag: string; local: NameAddr; remote: NameAddr;
    localSeq: number; remoteSeq: number | undefined; remoteTarget: Uri; routeSet: string[]; secure: boolean;
  }) {
    this.state = init.state;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.local = init.local;
    this.remote = init.remote;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.secure = init.secure;
  }

  /** §12.1.2: the UAC's dialog from a response with a To tag (1xx makes it early, 2xx confirmed). */
  static asUac(request: SipRequest, response: SipResponse): Dialog {
    const remoteTag = response.to.params['tag'] ?? '';
    const rr = response.headers('Record-Route').slice().reverse();
    return new Dialog({
      state: response.status >= 200 ? 'confirmed' : 'early',
      callId: request.callId,
      localTag: request.from.params['tag'] ?? '',
      remoteTag,
      local: bare(request.from),
      remote: bare(request.to),
      localSeq: request.cseq.seq,
      remoteSeq: undefined,
      remoteTarget: firstContact(response) ?? request.uri,
      routeSet: rr,
      secure: request.uri.scheme === 'sips',
    });
  }

  /** §12.1.1: the UAS's dialog from the request it answers with a To tag. */
  static asUas(request: SipRequest, localTag: string, early = true): Dialog {
    return new Dialog({
      state: early ? 'early' : 'confirmed',
      callId: request.callId,
      localTag,
      remoteTag: request.from.params['tag'] ?? '',
      local: bare(request.to),
      remote: bare(request.from),
      localSeq: 0,
      remoteSeq: request.cseq.seq,
      remoteTarget: firstContact(request) ?? request.from.uri,
      routeSet: request.headers('Record-Route').slice(),
      secure: request.uri.scheme === 'sips',
    });
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** §12.2.1.1: a request inside the dialog. CSeq advances unless given (ACK/CANCEL). */
  createRequest(method: string, options: InDialogRequestOptions = {}): BuiltRequest {
    let uri: Uri = this.remoteTarget;
    let routes = this.routeSet.slice();
    const first = routes[0];
    if (first !== undefined && !/;\s*lr\b/i.test(first)) {
      // Strict routing (RFC 2543 next hop): the first route becomes the Request-URI and the remote target goes last.
      const m = /<([^>]*)>/.exec(first);
      const target = m ? m[1]! : first;
      routes = routes.slice(1);
      routes.push(`<${formatUri(this.remoteTarget)}>`);
      uri = parseUriLoose(target) ?? uri;
    }
    const seq = options.cseq ?? (method === 'ACK' || method === 'CANCEL' ? this.localSeq : ++this.localSeq);
    const init = {
      method,
      uri,
      from: withTag(this.local, this.localTag),
      to: withTag(this.remote, this.remoteTag),
      callId: this.callId,
      cseq: seq,
      route: routes,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
    };
    return buildRequest(init);
  }

  /**
   * §12.2.2: checks an in-dialog request. Returns a status to reject it with (500 for an out-of-order CSeq), or
   * undefined when it is in order; target-refresh requests update the remote target.
   */
  receive(request: SipRequest): number | undefined {
    if (request.method === 'ACK' || request.method === 'CANCEL') return undefined;
    const seq = request.cseq.seq;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) return 500;
    this.remoteSeq = seq;
    if (request.method === 'INVITE' || request.method === 'UPDATE' || request.method === 'SUBSCRIBE' || request.method === 'NOTIFY') {
      const target = firstContact(request);
      if (target) this.remoteTarget = target;
    }
    return undefined;
  }

  /** A 2xx to our target-refresh request (re-INVITE, UPDATE) may carry a new remote target. */
  refreshFrom(response: SipResponse): void {
    const target = firstContact(response);
    if (target) this.remoteTarget = target;
  }

  confirm(): void {
    if (this.state === 'early') this.state = 'confirmed';
  }
}

function parseUriLoose(text: string): Uri | undefined {
  try {
    return parseUri(text);
  } catch {
    return undefined;
  }
}
