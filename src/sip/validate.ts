/**
 * Full check of a message: forces parsing of every known header, applies the rules RFC 3261 states for a
 * UAS (§8.2) and reports every defect as a SipError, plus the status a UAS would answer a bad request with.
 */
import type { NameAddr, SipMessage } from './message.js';
import type { ParserLimits } from './parser/limits.js';
import { SipError } from './errors.js';
import { CANONICAL, H, idOf, isSingleHeader } from './header-names.js';
import { C_TOKEN, scanClass } from './headers/scan.js';
import { isSipUri } from './uri.js';
import { parseMessage } from './parser/datagram.js';

export interface ValidateOptions {
  /** Option tags this UA implements (Require check, 420). */
  supported?: readonly string[];
  /** Body types it accepts in requests (415), as "type/subtype". */
  accept?: readonly string[];
  /** Methods it implements; another method in an invalid request is answered 501 (§8.2.1). */
  methods?: readonly string[];
}

export const DEFAULT_SUPPORTED: readonly string[] = ['100rel', 'replaces', 'timer', 'norefersub', 'outbound', 'path', 'gruu'];
export const DEFAULT_ACCEPT: readonly string[] = [
  'application/sdp', 'multipart/mixed', 'message/sipfrag', 'text/plain', 'application/dtmf-relay',
  'application/simple-message-summary', 'application/pidf+xml', 'application/octet-stream',
];
export const DEFAULT_METHODS: readonly string[] = [
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'REFER', 'NOTIFY',
  'SUBSCRIBE', 'MESSAGE', 'PUBLISH',
];

export interface Verdict {
  /** No defect found. */
  ok: boolean;
  /** Each defect, syntax first, then UAS checks in §8.2 order. The first one's message is the reason phrase. */
  errors: SipError[];
  /** For a request with errors: the status a UAS answers. Undefined for valid messages and for responses (dropped). */
  status?: number;
}

/** Typed getters, by header id, that validate() reads to force a parse; `uri` marks name-addr values. */
const GETTERS: ReadonlyArray<readonly [H, string, boolean]> = [
  [H.CallId, 'callId', false], [H.CSeq, 'cseq', false], [H.From, 'from', true], [H.To, 'to', true],
  [H.Via, 'via', false], [H.ContentLength, 'contentLength', false], [H.ContentType, 'contentType', false],
  [H.Contact, 'contact', true], [H.MaxForwards, 'maxForwards', false], [H.Route, 'route', true],
  [H.RecordRoute, 'recordRoute', true], [H.Expires, 'expires', false], [H.MinExpires, 'minExpires', false],
  [H.WwwAuthenticate, 'wwwAuthenticate', false], [H.ProxyAuthenticate, 'proxyAuthenticate', false],
  [H.Authorization, 'authorization', false], [H.ProxyAuthorization, 'proxyAuthorization', false],
  [H.Allow, 'allow', false], [H.Supported, 'supported', false], [H.Require, 'require', false],
  [H.ProxyRequire, 'proxyRequire', false], [H.Unsupported, 'unsupported', false], [H.Event, 'event', false],
  [H.SubscriptionState, 'subscriptionState', false], [H.ReferTo, 'referTo', true], [H.ReferredBy, 'referredBy', true],
  [H.Replaces, 'replaces', false], [H.RSeq, 'rseq', false], [H.RAck, 'rack', false],
  [H.SessionExpires, 'sessionExpires', false], [H.MinSE, 'minSE', false], [H.Accept, 'accept', false],
  [H.Date, 'date', false], [H.Warning, 'warning', false], [H.Reason, 'reasonHeader', false],
  [H.AllowEvents, 'allowEvents', false], [H.RetryAfter, 'retryAfter', false],
];

const REQUIRED: readonly H[] = [H.To, H.From, H.CallId, H.CSeq, H.Via];

function asError(e: unknown): SipError {
  if (e instanceof SipError) return e;
  return new SipError(`internal error: ${e instanceof Error ? e.message : String(e)}`, 500);
}

function touchUris(v: unknown): void {
  if (Array.isArray(v)) for (const x of v) (x as NameAddr).uri;
  else if (v !== undefined && typeof v === 'object') (v as NameAddr).uri;
}

/** Checks every part of m. Never throws. */
export function validate(m: SipMessage, opts: ValidateOptions = {}): Verdict {
  const errors: SipError[] = [];
  const counts = new Map<H, number>();
  for (const [name] of m.headerLines()) {
    if (scanClass(name, 0, C_TOKEN) !== name.length) {
      errors.push(new SipError(`bad header name ${JSON.stringify(name)}`, 400, name));
      continue;
    }
    const id = idOf(name);
    if (id !== H.Other) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const missing = REQUIRED.filter((id) => !counts.has(id)).map((id) => CANONICAL[id]!);
  if (missing.length > 0) errors.push(new SipError(`Missing Required Header Fields: ${missing.join(', ')}`, 400, missing[0]));
  for (const [id, n] of counts) {
    if (n > 1 && isSingleHeader(id)) errors.push(new SipError(`multiple ${CANONICAL[id]} header fields`, 400, CANONICAL[id]));
  }
  const any = m as unknown as Record<string, unknown>;
  for (const [id, getter, nameAddr] of GETTERS) {
    if (!counts.has(id)) continue;
    try {
      const v = any[getter];
      if (nameAddr && v !== '*') touchUris(v);
    } catch (e) {
      errors.push(asError(e));
    }
  }
  if (m.kind === 'response') return { ok: errors.length === 0, errors };

  // Requests: the checks a UAS makes, in RFC 3261 §8.2 order.
  let uriOk = false;
  try {
    const uri = m.uri;
    uriOk = true;
    if (isSipUri(uri) && Object.keys(uri.headers).length > 0) {
      errors.push(new SipError('bad Request-URI: contains escaped headers', 400, 'Request-URI'));
    } else if (isSipUri(uri) && uri.params['method'] !== undefined) {
      errors.push(new SipError('bad Request-URI: contains a method parameter', 400, 'Request-URI'));
    }
  } catch (e) {
    errors.push(asError(e));
  }
  try {
    if (counts.has(H.CSeq) && m.cseq.method !== m.method) {
      errors.push(new SipError(`CSeq method ${m.cseq.method} does not match the Request-Line method ${m.method}`, 400, 'CSeq'));
    }
  } catch {
    // already reported
  }
  const uasChecks: SipError[] = [];
  if (uriOk) {
    const scheme = m.uri.scheme;
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
      uasChecks.push(new SipError(`Unsupported URI Scheme: ${scheme}`, 416, 'Request-URI'));
    }
  }
  if (m.method !== 'ACK' && m.method !== 'CANCEL') {
    try {
      const supported = opts.supported ?? DEFAULT_SUPPORTED;
      const bad = (any['require'] as string[] | undefined ?? []).filter((t) => !supported.includes(t.toLowerCase()));
      if (bad.length > 0) uasChecks.push(new SipError(`Bad Extension: ${bad.join(', ')}`, 420, 'Require'));
    } catch {
      // already reported
    }
  }
  if (m.body.length > 0) {
    try {
      const ct = m.contentType;
      if (ct === undefined) errors.push(new SipError('body without Content-Type', 400, 'Content-Type'));
      else {
        const accept = opts.accept ?? DEFAULT_ACCEPT;
        const type = `${ct.type}/${ct.subtype}`;
        if (!accept.includes(type)) uasChecks.push(new SipError(`Unsupported Media Type: ${type}`, 415, 'Content-Type'));
      }
    } catch {
      // already reported
    }
  }
  if (m.method === 'INVITE') {
    try {
      const accept = any['accept'] as Array<{ type: string; subtype: string }> | undefined;
      if (accept !== undefined && accept.length > 0 && !accept.some((r) =>
        (r.type === '*' || r.type === 'application') && (r.subtype === '*' || r.subtype === 'sdp'))) {
        uasChecks.push(new SipError('Not Acceptable: Accept does not allow application/sdp', 406, 'Accept'));
      }
    } catch {
      // already reported
    }
  }
  for (const e of uasChecks) errors.push(e);
  if (errors.length === 0) return { ok: true, errors };
  const methods = opts.methods ?? DEFAULT_METHODS;
  // §8.2.1 inspects the method first; RFC 4475 §3.1.2.19 prefers 501 for an unknown method with other defects.
  const status = methods.includes(m.method) ? errors[0]!.status : 501;
  return { ok: false, errors, status };
}

export interface CheckResult extends Verdict {
  /** The parsed message, unless framing or the start line failed. */
  message?: SipMessage;
}

/** Parses a datagram and validates it: the one call a tool or a UAS front end needs. Never throws. */
export function check(bytes: Uint8Array, opts: ValidateOptions & { limits?: Partial<ParserLimits> } = {}): CheckResult {
  let m: SipMessage;
  try {
    m = parseMessage(bytes, opts.limits);
  } catch (e) {
    const err = asError(e);
    return { ok: false, errors: [err], ...(looksLikeResponse(bytes) ? {} : { status: err.status }) };
  }
  return { ...validate(m, opts), message: m };
}

function looksLikeResponse(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && (b[i] === 13 || b[i] === 10)) i++;
  return (b[i]! | 0x20) === 0x73 && (b[i + 1]! | 0x20) === 0x69 && (b[i + 2]! | 0x20) === 0x70 && b[i + 3] === 47;
}
