/**
 * Messages we create: requests from their parts, and responses from a request per RFC 3261 §8.2.6.
 * A built message keeps an ordered, mutable list of header names and values; its typed getters
 * parse those strings like a received message's, so both satisfy the same SipMessage contract.
 */
import type { CSeq, NameAddr, SipMessage, SipRequest, SipResponse, Via } from './message.js';
import type { Uri } from './uri.js';
import { formatUri, parseUri } from './uri.js';
import { SipError } from './errors.js';
import { CANONICAL, H, canonicalName, idOf } from './header-names.js';
import { TypedHeaders } from './parser/typed.js';
import { formatNameAddr } from './headers/name-addr.js';
import { formatVia } from './headers/via.js';
import { C_TOKEN, scanClass } from './headers/scan.js';
import { utf8Encoder } from '../utf8.js';

const EMPTY = new Uint8Array(0);
const SIP_VERSION = 'SIP/2.0';

export type HeaderInit = Array<[string, string]> | Record<string, string | string[]>;

abstract class BuiltBase extends TypedHeaders {
  /**
   * Header fields in order, as parallel arrays (not one [name, value] array per field: each array costs XS heap
   * slots, and a call keeps its INVITE's essentials for 32 s). Change them through the methods so caches stay right.
   */
  protected declare readonly names: string[];
  protected declare readonly values: string[];
  protected declare readonly ids: H[];
  declare body: Uint8Array;
  declare readonly version: string;

  // Assigned here rather than as class fields: XS spends extra heap slots on fields defined at several levels.
  constructor() {
    super();
    this.names = [];
    this.values = [];
    this.ids = [];
    this.body = EMPTY;
    this.version = SIP_VERSION;
  }

  protected nextOf(id: H, from: number): number {
    for (let i = from; i < this.ids.length; i++) if (this.ids[i] === id) return i;
    return -1;
  }

  protected nextNamed(lower: string, from: number): number {
    for (let i = from; i < this.names.length; i++) if (this.ids[i] === H.Other && this.names[i]!.toLowerCase() === lower) return i;
    return -1;
  }

  protected valueAt(i: number): string {
    return this.values[i]!;
  }

  headerLines(): Array<[string, string]> {
    return this.names.map((n, i) => [n, this.values[i]!]);
  }

  /** Appends a header field (or puts it first with `top`, as a new Via goes). */
  addHeader(name: string, value: string, top = false): this {
    checkHeader(name, value);
    const id = idOf(name);
    const n = id === H.Other ? name : CANONICAL[id]!;
    if (top) {
      this.names.unshift(n);
      this.values.unshift(value);
      this.ids.unshift(id);
    } else {
      this.names.push(n);
      this.values.push(value);
      this.ids.push(id);
    }
    this.invalidate();
    return this;
  }

  /** Replaces every field of that header by one with this value (or removes them when value is undefined). */
  setHeader(name: string, value: string | undefined): this {
    const id = idOf(name);
    const lower = name.toLowerCase();
    let at = -1;
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (id !== H.Other ? this.ids[i] === id : this.ids[i] === H.Other && this.names[i]!.toLowerCase() === lower) {
        this.names.splice(i, 1);
        this.values.splice(i, 1);
        this.ids.splice(i, 1);
        at = i;
      }
    }
    if (value !== undefined) {
      checkHeader(name, value);
      const n = id === H.Other ? name : CANONICAL[id]!;
      if (at >= 0) {
        this.names.splice(at, 0, n);
        this.values.splice(at, 0, value);
        this.ids.splice(at, 0, id);
      } else {
        this.names.push(n);
        this.values.push(value);
        this.ids.push(id);
      }
    }
    this.invalidate();
    return this;
  }

  removeHeader(name: string): this {
    return this.setHeader(name, undefined);
  }

  /** Sets the body and, when given, its Content-Type. Content-Length is written by serialize(). */
  setBody(body: Uint8Array | string, contentType?: string): this {
    this.body = typeof body === 'string' ? utf8Encoder().encode(body) : body;
    if (contentType !== undefined) this.setHeader('Content-Type', contentType);
    return this;
  }

  /** Appends header fields given as [name, value] pairs or a name -> value(s) record. */
  addHeaders(headers: HeaderInit | undefined): this {
    if (headers === undefined) return this;
    if (Array.isArray(headers)) {
      for (const [n, v] of headers) this.addHeader(n, v);
      return this;
    }
    for (const n of Object.keys(headers)) {
      const v = headers[n]!;
      if (Array.isArray(v)) for (const x of v) this.addHeader(n, x);
      else this.addHeader(n, v);
    }
    return this;
  }
}

function checkHeader(name: string, value: string): void {
  if (name.length === 0 || scanClass(name, 0, C_TOKEN) !== name.length) throw new SipError(`bad header name ${JSON.stringify(name)}`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 13 || c === 10 || c === 0) throw new SipError(`bad ${name}: value contains CR, LF or NUL`, 400, name);
  }
}

export class BuiltRequest extends BuiltBase implements SipRequest {
  declare method: string;
  private declare u: Uri;

  constructor(method: string, uri: Uri) {
    super();
    if (method.length === 0 || scanClass(method, 0, C_TOKEN) !== method.length) throw new SipError(`bad method ${JSON.stringify(method)}`);
    this.method = method;
    this.u = uri;
  }

  get kind(): 'request' {
    return 'request';
  }

  get uri(): Uri {
    return this.u;
  }

  set uri(u: Uri) {
    this.u = u;
  }
}

export class BuiltResponse extends BuiltBase implements SipResponse {
  declare status: number;
  declare reason: string;

  constructor(status: number, reason: string) {
    super();
    if (!Number.isInteger(status) || status < 100 || status > 699) throw new SipError(`bad status code ${status}`);
    for (let i = 0; i < reason.length; i++) {
      const c = reason.charCodeAt(i);
      if (c === 13 || c === 10) throw new SipError('bad reason phrase: contains CR or LF');
    }
    this.status = status;
    this.reason = reason;
  }

  get kind(): 'response' {
    return 'response';
  }
}

export type BuiltMessage = BuiltRequest | BuiltResponse;

export interface RequestInit {
  method: string;
  uri: Uri | string;
  /** Top first. A Via without a branch is an error: the transaction layer adds branches before building. */
  via?: Via | Via[] | string;
  from: NameAddr | string;
  to: NameAddr | string;
  callId: string;
  cseq: number | CSeq;
  /** Default 70 (§8.1.1.6). */
  maxForwards?: number;
  contact?: NameAddr | NameAddr[] | string;
  route?: NameAddr[] | string[];
  /** Further header fields, in order. */
  headers?: HeaderInit;
  body?: Uint8Array | string;
  contentType?: string;
}

const asText = (v: NameAddr | string): string => (typeof v === 'string' ? v : formatNameAddr(v));

/** Builds a request in the header order RFC 3261 examples use: Via, Max-Forwards, Route, To, From, Call-ID, CSeq... */
export function buildRequest(init: RequestInit): BuiltRequest {
  const uri = typeof init.uri === 'string' ? parseUri(init.uri) : init.uri;
  const r = new BuiltRequest(init.method, uri);
  if (init.via !== undefined) {
    if (typeof init.via === 'string') r.addHeader('Via', init.via);
    else for (const v of Array.isArray(init.via) ? init.via : [init.via]) r.addHeader('Via', formatVia(v));
  }
  r.addHeader('Max-Forwards', String(init.maxForwards ?? 70));
  if (init.route) for (const x of init.route) r.addHeader('Route', asText(x));
  r.addHeader('To', asText(init.to));
  r.addHeader('From', asText(init.from));
  r.addHeader('Call-ID', init.callId);
  const cseq = typeof init.cseq === 'number' ? { seq: init.cseq, method: init.method } : init.cseq;
  r.addHeader('CSeq', `${cseq.seq} ${cseq.method}`);
  if (init.contact !== undefined) {
    if (typeof init.contact === 'string') r.addHeader('Contact', init.contact);
    else for (const c of Array.isArray(init.contact) ? init.contact : [init.contact]) r.addHeader('Contact', formatNameAddr(c));
  }
  r.addHeaders(init.headers);
  if (init.body !== undefined) r.setBody(init.body, init.contentType);
  else if (init.contentType !== undefined) r.setHeader('Content-Type', init.contentType);
  return r;
}

export interface ResponseOptions {
  /** Tag to add to To when the request's To has none (required for every response but 100, §8.2.6.2). */
  toTag?: string;
  headers?: HeaderInit;
  body?: Uint8Array | string;
  contentType?: string;
}

/** Builds a response to `request` (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq copied, To tag added. */
export function buildResponse(request: SipRequest, status: number, reason?: string, opts: ResponseOptions = {}): BuiltResponse {
  const r = new BuiltResponse(status, reason ?? reasonPhrase(status));
  const lines = request.headerLines();
  // Via values keep their order (§8.2.6.2); copied field by field, unchanged.
  for (const [n, v] of lines) if (idOf(n) === H.Via) r.addHeader('Via', v);
  if (status > 100 && status < 300 && DIALOG_METHODS.has(request.method)) {
    for (const [n, v] of lines) if (idOf(n) === H.RecordRoute) r.addHeader('Record-Route', v);
  }
  const from = request.header('From');
  if (from !== undefined) r.addHeader('From', from);
  const to = request.header('To');
  if (to !== undefined) {
    const hasTag = request.to.params['tag'] !== undefined;
    r.addHeader('To', opts.toTag !== undefined && !hasTag ? `${to};tag=${opts.toTag}` : to);
  }
  r.addHeader('Call-ID', request.callId);
  r.addHeader('CSeq', `${request.cseq.seq} ${request.cseq.method}`);
  if (status === 100) {
    const ts = request.header('Timestamp');
    if (ts !== undefined) r.addHeader('Timestamp', ts); // §8.2.6.1
  }
  r.addHeaders(opts.headers);
  if (opts.body !== undefined) r.setBody(opts.body, opts.contentType);
  return r;
}

const DIALOG_METHODS: ReadonlySet<string> = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  199: 'Early Dialog Terminated', 200: 'OK', 202: 'Accepted', 204: 'No Notification', 300: 'Multiple Choices',
  301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  410: 'Gone', 412: 'Conditional Request Failed', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long',
  415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme', 417: 'Unknown Resource-Priority', 420: 'Bad Extension',
  421: 'Extension Required', 422: 'Session Interval Too Small', 423: 'Interval Too Brief', 428: 'Use Identity Header',
  429: 'Provide Referrer Identity', 430: 'Flow Failed', 433: 'Anonymity Disallowed', 436: 'Bad Identity-Info',
  437: 'Unsupported Certificate', 438: 'Invalid Identity Header', 439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded', 469: 'Bad Info Package', 470: 'Consent Needed', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete',
  485: 'Ambiguous', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event',
  491: 'Request Pending', 493: 'Undecipherable', 494: 'Security Agreement Required', 500: 'Server Internal Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out',
  505: 'Version Not Supported', 513: 'Message Too Large', 555: 'Push Notification Service Not Supported',
  580: 'Precondition Failure', 600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable', 607: 'Unwanted', 608: 'Rejected',
};

/** The usual reason phrase for a status code. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'Success' : status < 400 ? 'Redirection'
    : status < 500 ? 'Client Error' : status < 600 ? 'Server Error' : 'Global Failure');
}

/** Start line of any message. */
export function startLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${formatUri(m.uri)} ${m.version}` : `${m.version} ${m.status} ${m.reason}`;
}

export { canonicalName };
