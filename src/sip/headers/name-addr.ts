/**
 * name-addr / addr-spec values (From, To, Contact, Route, Record-Route, Refer-To, Referred-By...), RFC 3261 §20.10.
 * The URI is parsed lazily: reading the tag of a From header never parses its URI.
 */
import type { NameAddr, Params } from '../message.js';
import type { Uri } from '../uri.js';
import { formatUri, parseUri } from '../uri.js';
import { SipError } from '../errors.js';
import { PROTO, formatParams, paramName, parseParams } from './params.js';
import { C_ADDR_SPEC, C_IN_ANGLE, C_TOKEN, C_WS, CHAR_CLASS, describeAt, quote, readQuoted, scanClass, skipWs, trimEnd } from './scan.js';

// Called with the string as `this`: XS boxes a primitive string on every property access (length, charCodeAt...).
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const slice = String.prototype.slice;
const lengthOf = String.prototype.lastIndexOf; // lastIndexOf('') is the length
// Built at load time: XS copies a string literal argument on every call.
const EMPTY = String.fromCharCode();
const DQUOTE = String.fromCharCode(34);


/**
 * A NameAddr whose URI text is parsed on first access of `uri` (and cached). `uri` is a prototype accessor (an
 * own accessor per instance costs ~30x in V8), so `{ ...nameAddr }` does not carry it: use withParams() to copy;
 * formatNameAddr() and nameAddrUri() also accept such a spread copy.
 */
export class LazyNameAddr implements NameAddr {
  declare displayName?: string;
  params: Params;
  /** The URI as received (without the angle brackets). */
  readonly uriText: string;
  /** True when the URI was written inside <>. */
  readonly angle: boolean;
  private parsed: Uri | undefined;
  readonly what: string;

  constructor(uriText: string, params: Params, displayName: string | undefined, angle: boolean, what: string) {
    this.uriText = uriText;
    this.params = params;
    if (displayName !== undefined) this.displayName = displayName;
    this.angle = angle;
    this.what = what;
  }

  get uri(): Uri {
    return this.parseUri();
  }

  set uri(u: Uri) {
    this.parsed = u;
  }

  /** The URI, parsed now if it was not yet; a malformed URI throws SipError naming the header. */
  parseUri(): Uri {
    let u = this.parsed;
    if (u === undefined) {
      try {
        u = parseUri(this.uriText);
      } catch (e) {
        if (e instanceof SipError) throw new SipError(`${e.message} in ${this.what}`, e.status, this.what);
        throw e;
      }
      this.parsed = u;
    }
    return u;
  }

  /** True once the URI has been parsed or replaced. */
  get uriParsed(): boolean {
    return this.parsed !== undefined;
  }

  /** Plain form for JSON; a URI that does not parse is shown as its text. */
  toJSON(): object {
    let uri: Uri | string;
    try {
      uri = this.uri;
    } catch {
      uri = this.uriText;
    }
    const out: { displayName?: string; uri: Uri | string; params: Params } = { uri, params: this.params };
    if (this.displayName !== undefined) out.displayName = this.displayName;
    return out;
  }
}

export interface NameAddrResult {
  value: LazyNameAddr;
  end: number; // index after the value and its params (LWS skipped); at ',' or end of text when valid
}

/**
 * Parses one name-addr or addr-spec with its header params, starting at i. Stops after the params; the caller
 * checks what follows. In addr-spec form the URI ends at ';' ',' or LWS and must not contain '?' (§20.10).
 */
export function parseNameAddrAt(text: string, i: number, what: string): NameAddrResult {
  // Fast path built from native scans (indexOf and single-class sticky matches; XS's RegExp engine mis-handles
  // backtracking through optional alternations, so no complex pattern here). Anything unusual, and every
  // malformed value, goes to the exact parser, which names the defect.
  const n = lengthOf.call(text, EMPTY);
  let k = i;
  let c = k < n ? charCodeAt.call(text, k) : 0;
  if (c === 32 || c === 9 || c === 13 || c === 10) {
    k = scanClass(text, k, C_WS);
    c = k < n ? charCodeAt.call(text, k) : 0;
  }
  let displayName: string | undefined;
  let lt: number;
  if (c === 60 /* < */) lt = k;
  else if (c === 34 /* " */) {
    const q = indexOf.call(text, DQUOTE, k + 1);
    if (q < 0) return parseNameAddrExact(text, i, what);
    displayName = slice.call(text, k + 1, q);
    if (displayName.indexOf('\\') >= 0) return parseNameAddrExact(text, i, what);
    lt = scanClass(text, q + 1, C_WS);
    if (lt >= n || charCodeAt.call(text, lt) !== 60) return parseNameAddrExact(text, i, what);
  } else {
    const e = scanClass(text, k, C_TOKEN | C_WS);
    if (e >= n) return parseNameAddrExact(text, i, what);
    const d = charCodeAt.call(text, e);
    if (d === 60 && e > k) {
      displayName = slice.call(text, k, trimEnd(text, k, e));
      lt = e;
    } else if (d === 58 /* : */ && e > k && scanClass(text, k, C_TOKEN) === e) {
      // addr-spec: the URI runs to ; , or LWS and must not hold ? < > "
      const ue = scanClass(text, e + 1, C_ADDR_SPEC);
      if (ue === e + 1) return parseNameAddrExact(text, i, what);
      const r = parseParams(text, ue, what);
      if (r.end < n && charCodeAt.call(text, r.end) !== 44) return parseNameAddrExact(text, i, what);
      return { value: new LazyNameAddr(slice.call(text, k, ue), r.params, undefined, false, what), end: r.end };
    } else return parseNameAddrExact(text, i, what);
  }
  // At '<': the URI has no LWS, '<' or '"' and ends at '>'.
  const ue = scanClass(text, lt + 1, C_IN_ANGLE);
  if (ue === lt + 1 || ue >= n || charCodeAt.call(text, ue) !== 62) return parseNameAddrExact(text, i, what);
  const r = parseParams(text, ue + 1, what);
  return { value: new LazyNameAddr(slice.call(text, lt + 1, ue), r.params, displayName, true, what), end: r.end };
}

export function parseNameAddrExact(text: string, i: number, what: string): NameAddrResult {
  const n = text.length;
  i = skipWs(text, i);
  if (i >= n) throw new SipError(`bad ${what}: empty value`, 400, what);
  let displayName: string | undefined;
  let c = text.charCodeAt(i);
  if (c === 34 /* " */) {
    const q = readQuoted(text, i, what);
    displayName = q.value;
    i = skipWs(text, q.end);
    if (i >= n || text.charCodeAt(i) !== 60) {
      throw new SipError(`bad ${what}: expected '<' after display name, found ${describeAt(text, i)}`, 400, what);
    }
  } else if (c !== 60 /* < */) {
    // Either display-name tokens followed by '<', or an addr-spec (its scheme stops the token scan at ':').
    let j = i;
    while (j < n) {
      c = text.charCodeAt(j);
      if (c >= 128 || (CHAR_CLASS[c]! & (C_TOKEN | C_WS)) === 0) break;
      j++;
    }
    if (j < n && c === 60) {
      displayName = text.slice(i, trimEnd(text, i, j));
      i = j;
    } else if (j < n && c === 58 /* : */ && skipWs(text, i) === i && scanWsFree(text, i, j)) {
      return parseAddrSpec(text, i, what);
    } else if (text.indexOf('<', j) >= 0) {
      throw new SipError(`bad ${what}: display name with ${describeAt(text, j)} must be quoted`, 400, what);
    } else {
      throw new SipError(`bad ${what}: expected URI or name-addr, found ${describeAt(text, j)}`, 400, what);
    }
  }
  // At '<'.
  const close = text.indexOf('>', i + 1);
  if (close < 0) throw new SipError(`bad ${what}: missing '>'`, 400, what);
  const us = i + 1;
  if (close === us) throw new SipError(`bad ${what}: empty URI in <>`, 400, what);
  const c1 = text.charCodeAt(us);
  const c2 = text.charCodeAt(close - 1);
  if (c1 === 32 || c1 === 9 || c2 === 32 || c2 === 9 || c1 === 13 || c2 === 13 || c1 === 10 || c2 === 10) {
    throw new SipError(`bad ${what}: whitespace inside <>`, 400, what);
  }
  const r = parseParams(text, close + 1, what);
  return { value: new LazyNameAddr(text.slice(us, close), r.params, displayName, true, what), end: r.end };
}

function scanWsFree(text: string, i: number, j: number): boolean {
  for (let k = i; k < j; k++) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 9 || c === 13 || c === 10) return false;
  }
  return true;
}

function parseAddrSpec(text: string, i: number, what: string): NameAddrResult {
  const n = text.length;
  let j = i;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 59 || c === 44 || c === 32 || c === 9 || c === 13 || c === 10) break;
    if (c === 63 /* ? */) throw new SipError(`bad ${what}: URI with '?' must be enclosed in <>`, 400, what);
    if (c === 60 || c === 62 || c === 34) throw new SipError(`bad ${what}: unexpected ${describeAt(text, j)} in URI`, 400, what);
    j++;
  }
  const r = parseParams(text, j, what);
  return { value: new LazyNameAddr(text.slice(i, j), r.params, undefined, false, what), end: r.end };
}

// The usual whole value: ["display name"] <URI> *(;name[=token]), nothing escaped, no LWS but before '<'.
const RE_COMMON = /(?:"[^"\\\r\n]*"[ \t]*)?<[^ \t\r\n<>"]+>(?:;[A-Za-z0-9\-.!%*_+`'~]+(?:=[A-Za-z0-9\-.!%*_+`'~:[\]]+)?)*/y;
const LT = String.fromCharCode(60);
const GT = String.fromCharCode(62);
const SEMI = String.fromCharCode(59);
const EQ = String.fromCharCode(61);

/**
 * The value text[s, end) if it has the usual form, checked by one native match and taken apart with indexOf
 * (in XS every match allocates, a search does not); undefined for anything else, which the general parser takes.
 * The value may lie inside a longer text (a received message).
 */
export function parseNameAddrIn(text: string, s: number, end: number, what: string): LazyNameAddr | undefined {
  RE_COMMON.lastIndex = s;
  if (s >= end || !RE_COMMON.test(text) || RE_COMMON.lastIndex !== end) return undefined;
  let displayName: string | undefined;
  let lt = s;
  if (charCodeAt.call(text, s) === 34) {
    const q = indexOf.call(text, DQUOTE, s + 1);
    displayName = slice.call(text, s + 1, q);
    lt = indexOf.call(text, LT, q + 1);
  }
  const gt = indexOf.call(text, GT, lt + 1);
  const params: Params = {};
  for (let p = gt + 1; p < end;) {
    let e = indexOf.call(text, SEMI, p + 1);
    if (e < 0 || e > end) e = end;
    const eq = indexOf.call(text, EQ, p + 1);
    const name = paramName(text, p + 1, eq >= 0 && eq < e ? eq : e);
    if (params[name] !== undefined || name === PROTO) return undefined;
    params[name] = eq >= 0 && eq < e ? slice.call(text, eq + 1, e) : null;
    p = e;
  }
  return new LazyNameAddr(slice.call(text, lt + 1, gt), params, displayName, true, what);
}

/** Parses a single name-addr / addr-spec header value (From, To, Refer-To...). */
export function parseNameAddr(text: string, what = 'header'): LazyNameAddr {
  const common = parseNameAddrIn(text, 0, lengthOf.call(text, EMPTY), what);
  if (common !== undefined) return common;
  const r = parseNameAddrAt(text, 0, what);
  if (r.end < lengthOf.call(text, EMPTY)) {
    throw new SipError(`bad ${what}: unexpected ${describeAt(text, r.end)} after value`, 400, what);
  }
  return r.value;
}

/** Parses a comma-separated list of name-addr / addr-spec values (Contact, Route, Record-Route...). */
export function parseNameAddrList(text: string, what = 'header'): LazyNameAddr[] {
  const out: LazyNameAddr[] = [];
  const n = lengthOf.call(text, EMPTY);
  let i = 0;
  for (;;) {
    const r = parseNameAddrAt(text, i, what);
    out.push(r.value);
    i = r.end;
    if (i >= n) return out;
    if (charCodeAt.call(text, i) !== 44 /* , */) {
      throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)} after value`, 400, what);
    }
    i++;
  }
}

/**
 * Serialises a name-addr: the display name always quoted (what most peers expect), the URI always in <> so
 * URI parameters and header parameters cannot be confused.
 */
export function formatNameAddr(na: NameAddr): string {
  let out = '';
  if (na.displayName !== undefined) {
    out = quote(na.displayName) + ' ';
  }
  const uriText = na instanceof LazyNameAddr && !na.uriParsed ? na.uriText : formatUri(nameAddrUri(na));
  return out + '<' + uriText + '>' + formatParams(na.params);
}

/**
 * The URI of a NameAddr, also for a spread copy of a LazyNameAddr (`{ ...parsed, params }`), which keeps the
 * URI text and any parsed URI as own fields but not the accessor.
 */
export function nameAddrUri(na: NameAddr): Uri {
  const u = na.uri;
  if (u !== undefined) return u;
  const copy = na as unknown as { parsed?: Uri; uriText?: string; what?: string };
  if (copy.parsed !== undefined) return copy.parsed;
  if (typeof copy.uriText === 'string') return new LazyNameAddr(copy.uriText, {}, undefined, true, copy.what ?? 'header').uri;
  throw new SipError('name-addr without URI', 500);
}

/** A copy of na with other header params; the URI stays lazy. */
export function withParams(na: NameAddr, params: Params): NameAddr {
  if (na instanceof LazyNameAddr) {
    const c = new LazyNameAddr(na.uriText, params, na.displayName, na.angle, na.what);
    if (na.uriParsed) c.uri = na.uri;
    return c;
  }
  return na.displayName !== undefined ? { displayName: na.displayName, uri: na.uri, params } : { uri: na.uri, params };
}

export function formatNameAddrList(list: readonly NameAddr[]): string {
  let out = '';
  for (let i = 0; i < list.length; i++) out += (i > 0 ? ', ' : '') + formatNameAddr(list[i]!);
  return out;
}
