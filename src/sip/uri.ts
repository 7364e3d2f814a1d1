/** SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966). Parsing, formatting and §19.1.4 equality. */
import type { Params } from './message.js';
import { SipError } from './errors.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string; // unescaped
  password?: string; // unescaped
  host: string; // lower-case for names; IPv6 without brackets
  port?: number;
  params: Params; // names lower-case, values unescaped
  headers: Record<string, string>; // ?name=value, unescaped (names as received; repeated names joined by ",")
}

export interface TelUri {
  scheme: 'tel';
  number: string; // global (+...) or local, visual separators kept as received
  params: Params; // names lower-case, values unescaped
}

/** Any other absolute URI (e.g. http:, urn:, mailto:), kept as text. */
export interface OtherUri {
  scheme: string; // lower-case
  text: string;
}

export type Uri = SipUri | TelUri | OtherUri;

// ---------------------------------------------------------------------------------------------------------
// Character classes (RFC 3261 §25.1). '%' is admitted by every class; escapes are checked when unescaping.

const U_USER = 1; // unreserved / escaped / user-unreserved (& = + $ , ; ? /)
const U_PASS = 2; // unreserved / escaped / & = + $ ,
const U_PARAM = 4; // paramchar: unreserved / escaped / [ ] / : & + $
const U_HDR = 8; // hnv-unreserved / unreserved / escaped: [ ] / ? : + $
const U_HOST = 16; // alphanum - .
const U_SCHEME = 32; // alphanum + - .
const U_HEX = 64;
const U_DIGIT = 128;

function buildUriTable(): Uint8Array {
  const t = new Uint8Array(128);
  const add = (chars: string, bits: number): void => {
    for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)]! |= bits;
  };
  const digits = '0123456789';
  const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const unreserved = digits + alpha + "-_.!~*'()";
  add(unreserved + '%', U_USER | U_PASS | U_PARAM | U_HDR);
  add('&=+$,;?/', U_USER);
  add('&=+$,', U_PASS);
  add('[]/:&+$', U_PARAM);
  add('[]/?:+$', U_HDR);
  add(digits + alpha + '-.', U_HOST);
  add(digits + alpha + '+-.', U_SCHEME);
  add(digits + 'abcdefABCDEF', U_HEX);
  add(digits, U_DIGIT);
  return t;
}

const UT: Uint8Array = buildUriTable();

// Sticky single-class matches scan natively (in XS a charCodeAt loop is ~8x slower and allocates per call).
const RE_U: ReadonlyArray<[number, RegExp]> = [
  [U_USER, /[A-Za-z0-9\-_.!~*'()%&=+$,;?/]*/y],
  [U_PASS, /[A-Za-z0-9\-_.!~*'()%&=+$,]*/y],
  [U_PARAM, /[A-Za-z0-9\-_.!~*'()%[\]/:&+$]*/y],
  [U_HDR, /[A-Za-z0-9\-_.!~*'()%[\]/?:+$]*/y],
  [U_HOST, /[A-Za-z0-9\-.]*/y],
  [U_SCHEME, /[A-Za-z0-9+\-.]*/y],
  [U_HEX, /[0-9A-Fa-f]*/y],
  [U_DIGIT, /[0-9]*/y],
];

/** End of the run of class `bit` in s[i, end). */
function scan(s: string, i: number, end: number, bit: number): number {
  for (let k = 0; k < RE_U.length; k++) {
    const e = RE_U[k]!;
    if (e[0] === bit) {
      const re = e[1];
      re.lastIndex = i;
      re.test(s);
      const j = re.lastIndex;
      return j < end ? j : end;
    }
  }
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (UT[c]! & bit) === 0) break;
    i++;
  }
  return i;
}

function bad(defect: string, status = 400): never {
  throw new SipError(`bad URI: ${defect}`, status);
}

function charAt(s: string, i: number): string {
  if (i >= s.length) return 'end of URI';
  const c = s.charCodeAt(i);
  if (c === 32) return "' '";
  if (c < 32 || c === 127) return `control character 0x${c.toString(16).padStart(2, '0')}`;
  return `'${s[i]}'`;
}

// ---------------------------------------------------------------------------------------------------------
// Escapes

/** Resolves %HH escapes (UTF-8 sequences become characters; other bytes map to U+0000..U+00FF). */
export function unescapeUri(s: string): string {
  let p = s.indexOf('%');
  if (p < 0) return s;
  while (p >= 0) {
    const a = s.charCodeAt(p + 1);
    const b = s.charCodeAt(p + 2);
    if (!(a < 128 && (UT[a]! & U_HEX) !== 0 && b < 128 && (UT[b]! & U_HEX) !== 0)) {
      bad(`malformed escape '${s.slice(p, p + 3)}'`);
    }
    p = s.indexOf('%', p + 3);
  }
  try {
    return decodeURIComponent(s);
  } catch {
    // Not UTF-8: decode byte by byte.
    let out = '';
    let i = 0;
    while (i < s.length) {
      if (s.charCodeAt(i) === 37) {
        out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
        i += 3;
      } else {
        out += s[i];
        i++;
      }
    }
    return out;
  }
}

/** Escapes every character of s outside class `bit` (UTF-8 for non-ASCII). '%' is always escaped. */
function escapeUri(s: string, bit: number): string {
  let i = 0;
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || c === 37 || (UT[c]! & bit) === 0) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 128 && c !== 37 && (UT[c]! & bit) !== 0) {
      out += s[i];
      i++;
      continue;
    }
    // One code point (a surrogate pair counts as one) encoded as UTF-8.
    const cp = s.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    if (cp < 128) out += '%' + (cp < 16 ? '0' : '') + cp.toString(16).toUpperCase();
    else {
      try {
        out += encodeURIComponent(s.slice(i, i + len));
      } catch {
        out += '%EF%BF%BD'; // lone surrogate
      }
    }
    i += len;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Hosts

/** Parses an IPv6 address (no brackets) into 8 groups, or undefined when it is not one. */
export function parseIPv6(s: string): number[] | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const last = dbl >= 0 ? t : h;
  // A trailing dotted IPv4 part stands for two groups.
  let v4: number[] | undefined;
  if (last.length > 0 && last[last.length - 1]!.indexOf('.') >= 0) {
    const a = parseIPv4(last.pop()!);
    if (!a) return undefined;
    v4 = [(a[0]! << 8) | a[1]!, (a[2]! << 8) | a[3]!];
  }
  const readGroup = (g: string): number => {
    if (g.length < 1 || g.length > 4 || scan(g, 0, g.length, U_HEX) !== g.length) return -1;
    return parseInt(g, 16);
  };
  const hv: number[] = [];
  for (const g of h) {
    const v = readGroup(g);
    if (v < 0) return undefined;
    hv.push(v);
  }
  const tv: number[] = [];
  for (const g of t) {
    const v = readGroup(g);
    if (v < 0) return undefined;
    tv.push(v);
  }
  if (v4) (dbl >= 0 ? tv : hv).push(v4[0]!, v4[1]!);
  const count = hv.length + tv.length;
  if (dbl < 0) {
    if (count !== 8) return undefined;
    return hv;
  }
  if (count > 7) return undefined;
  for (const v of hv) groups.push(v);
  for (let k = count; k < 8; k++) groups.push(0);
  for (const v of tv) groups.push(v);
  return groups;
}

/** Parses dotted-quad IPv4 into 4 bytes, or undefined. */
export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (p.length < 1 || p.length > 3 || scan(p, 0, p.length, U_DIGIT) !== p.length) return undefined;
    const v = +p;
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

const RE_HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
// Octets written out four times: XS mis-counts a backtracking group under {3} (it accepts "192.02.1").
const RE_IPV4 =
  /^(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\.(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\.(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\.(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])$/;

/** True for a dotted-quad IPv4 address (1 to 3 digits per octet, each at most 255). */
export function isIPv4(s: string): boolean {
  return RE_IPV4.test(s);
}

/**
 * Validates a host name or IPv4 address (RFC 3261 hostname / IPv4address), lower-case ASCII expected.
 * Returns a defect description, or undefined when valid.
 */
export function hostDefect(h: string): string | undefined {
  if (h.length > 255) return 'host name too long'; // also bounds the RegExp's backtracking
  const c = h.charCodeAt(0);
  if (c >= 48 && c <= 57 ? RE_IPV4.test(h) || RE_HOSTNAME.test(h) : RE_HOSTNAME.test(h)) return undefined;
  return hostDefectExact(h);
}

/** hostDefect without the native fast path (label by label); exported for the differential test. */
export function hostDefectExact(h: string): string | undefined {
  const n = h.length;
  if (n === 0) return 'missing host';
  if (scan(h, 0, n, U_HOST) !== n) return `bad character ${charAt(h, scan(h, 0, n, U_HOST))} in host`;
  const end = h.charCodeAt(n - 1) === 46 ? n - 1 : n; // one trailing dot is allowed
  let start = 0;
  let lastLabelStart = 0;
  while (start <= end) {
    let dot = h.indexOf('.', start);
    if (dot < 0 || dot > end) dot = end;
    if (dot === start) return 'empty label in host';
    if (h.charCodeAt(start) === 45 || h.charCodeAt(dot - 1) === 45) return "host label starts or ends with '-'";
    lastLabelStart = start;
    start = dot + 1;
    if (dot === end) break;
  }
  const top = h.charCodeAt(lastLabelStart);
  if (top >= 48 && top <= 57) {
    // Starts with a digit: must be an IPv4 address.
    if (!parseIPv4(h)) return 'bad IPv4 address';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses a URI. sip:/sips: and tel: are parsed into their parts; any other well-formed scheme gives an
 * OtherUri. Throws SipError (400) naming the defect. The caller decides whether a non-SIP scheme is
 * acceptable (see requireSipUri, which throws 416).
 */
export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) bad(colon === 0 ? 'empty scheme' : 'missing scheme');
  const c0 = text.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) bad(`bad scheme: starts with ${charAt(text, 0)}`);
  if (scan(text, 0, colon, U_SCHEME) !== colon) bad(`bad character ${charAt(text, scan(text, 0, colon, U_SCHEME))} in scheme`);
  let scheme = text.slice(0, colon);
  if (colon === 3 || colon === 4) {
    const lower = scheme.toLowerCase();
    if (lower === 'sip' || lower === 'sips') return parseSip(text, lower, colon + 1);
    if (lower === 'tel') return parseTel(text, colon + 1);
    scheme = lower;
  } else scheme = scheme.toLowerCase();
  const n = text.length;
  if (colon + 1 >= n) bad(`nothing after ${scheme}:`);
  for (let i = colon + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 34 || c === 60 || c === 62) bad(`${charAt(text, i)} in ${scheme} URI`);
  }
  return { scheme, text };
}

/** True when the host part starting at h looks like an IPv6 address written without brackets (RFC 5118 §4.10). */
export function bareIPv6(text: string, h: number): boolean {
  let e = h;
  while (e < text.length) {
    const c = text.charCodeAt(e);
    if (c === 59 || c === 63 || c === 44 || c === 32 || c === 9 || c === 62) break;
    e++;
  }
  const part = text.slice(h, e);
  return part.indexOf(':') !== part.lastIndexOf(':') && parseIPv6(part.toLowerCase()) !== undefined;
}

/** Throws for a defect found after the host, naming a bracket-less IPv6 address when that is the cause. */
function badHost(text: string, h: number, defect: string): never {
  bad(text.charCodeAt(h) !== 91 && bareIPv6(text, h) ? 'IPv6 address must be enclosed in []' : defect);
}

function parseSip(text: string, scheme: 'sip' | 'sips', i: number): SipUri {
  const n = text.length;
  let user: string | undefined;
  let password: string | undefined;
  const at = text.indexOf('@', i);
  let h = i;
  if (at >= 0) {
    let colon = text.indexOf(':', i);
    if (colon > at) colon = -1;
    const userEnd = colon >= 0 ? colon : at;
    if (userEnd === i) bad('empty user part');
    const ue = scan(text, i, userEnd, U_USER);
    if (ue !== userEnd) bad(`bad character ${charAt(text, ue)} in user part`);
    user = unescapeUri(text.slice(i, userEnd));
    if (colon >= 0) {
      const pe = scan(text, colon + 1, at, U_PASS);
      if (pe !== at) bad(`bad character ${charAt(text, pe)} in password`);
      password = unescapeUri(text.slice(colon + 1, at));
    }
    h = at + 1;
  }
  let host: string;
  let p: number;
  if (text.charCodeAt(h) === 91 /* [ */) {
    const close = text.indexOf(']', h + 1);
    if (close < 0) bad("unterminated IPv6 reference (missing ']')");
    host = text.slice(h + 1, close).toLowerCase();
    if (!parseIPv6(host)) bad(`bad IPv6 address [${host}]`);
    p = close + 1;
  } else {
    p = scan(text, h, n, U_HOST);
    if (p === h) bad(h >= n ? 'missing host' : `bad character ${charAt(text, h)} in host`);
    host = text.slice(h, p).toLowerCase();
    const d = hostDefect(host);
    if (d) badHost(text, h, d);
  }
  let port: number | undefined;
  if (p < n && text.charCodeAt(p) === 58 /* : */) {
    const ds = p + 1;
    const de = scan(text, ds, n, U_DIGIT);
    if (de === ds) badHost(text, h, 'missing port digits');
    if (de - ds > 5) badHost(text, h, 'port out of range');
    port = +text.slice(ds, de);
    if (port > 65535) badHost(text, h, 'port out of range');
    p = de;
  }
  const params: Params = {};
  while (p < n && text.charCodeAt(p) === 59 /* ; */) {
    const ns = p + 1;
    let ne = scan(text, ns, n, U_PARAM);
    if (ne === ns) bad(`empty parameter name at ${charAt(text, ns)}`);
    const name = unescapeUri(text.slice(ns, ne)).toLowerCase();
    let value: string | null = null;
    if (ne < n && text.charCodeAt(ne) === 61 /* = */) {
      const ve = scan(text, ne + 1, n, U_PARAM);
      if (ve === ne + 1) bad(`missing value for parameter ${name}`);
      value = unescapeUri(text.slice(ne + 1, ve));
      ne = ve;
    }
    if (Object.prototype.hasOwnProperty.call(params, name)) bad(`duplicate parameter ${name}`);
    if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
    else params[name] = value;
    p = ne;
  }
  const headers: Record<string, string> = {};
  if (p < n && text.charCodeAt(p) === 63 /* ? */) {
    do {
      const ns = p + 1;
      const ne = scan(text, ns, n, U_HDR);
      if (ne === ns) bad(`empty header name at ${charAt(text, ns)}`);
      if (ne >= n || text.charCodeAt(ne) !== 61) bad(`missing '=' after header ${text.slice(ns, ne)}`);
      const ve = scan(text, ne + 1, n, U_HDR);
      const name = unescapeUri(text.slice(ns, ne));
      const value = unescapeUri(text.slice(ne + 1, ve));
      if (name === '__proto__') bad('bad header name');
      headers[name] = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] + ',' + value : value;
      p = ve;
    } while (p < n && text.charCodeAt(p) === 38 /* & */);
  }
  if (p < n) badHost(text, h, `unexpected ${charAt(text, p)}`);
  const uri: SipUri = { scheme, host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  return uri;
}

// tel: (RFC 3966) ------------------------------------------------------------------------------------------

function isVisualSep(c: number): boolean {
  return c === 45 || c === 46 || c === 40 || c === 41; // - . ( )
}

function parseTel(text: string, i: number): TelUri {
  const n = text.length;
  let semi = text.indexOf(';', i);
  if (semi < 0) semi = n;
  const number = text.slice(i, semi);
  if (number.length === 0) bad('empty telephone number');
  const global = number.charCodeAt(0) === 43; /* + */
  let digits = 0;
  for (let k = global ? 1 : 0; k < number.length; k++) {
    const c = number.charCodeAt(k);
    if (c >= 48 && c <= 57) digits++;
    else if (isVisualSep(c)) continue;
    else if (!global && (c === 42 || c === 35 || (c < 128 && (UT[c]! & U_HEX) !== 0))) digits++;
    else bad(`bad character ${charAt(number, k)} in telephone number`);
  }
  if (digits === 0) bad('telephone number without digits');
  const params: Params = {};
  let p = semi;
  while (p < n) {
    // p is at ';'
    const ns = p + 1;
    let ne = ns;
    while (ne < n) {
      const c = text.charCodeAt(ne);
      if (!(c < 128 && ((UT[c]! & U_HOST) !== 0) && c !== 46)) break; // pname = 1*( alphanum / "-" )
      ne++;
    }
    if (ne === ns) bad(`empty parameter name at ${charAt(text, ns)}`);
    const name = text.slice(ns, ne).toLowerCase();
    let value: string | null = null;
    if (ne < n && text.charCodeAt(ne) === 61) {
      let ve = ne + 1;
      while (ve < n) {
        const c = text.charCodeAt(ve);
        if (c === 59) break;
        if (!(c < 128 && ((UT[c]! & U_PARAM) !== 0 || c === 63 || c === 64 || c === 61 || c === 44))) {
          bad(`bad character ${charAt(text, ve)} in parameter ${name}`);
        }
        ve++;
      }
      if (ve === ne + 1) bad(`missing value for parameter ${name}`);
      value = unescapeUri(text.slice(ne + 1, ve));
      ne = ve;
    }
    if (Object.prototype.hasOwnProperty.call(params, name)) bad(`duplicate parameter ${name}`);
    if (name === '__proto__') bad('bad parameter name');
    params[name] = value;
    if (ne < n && text.charCodeAt(ne) !== 59) bad(`unexpected ${charAt(text, ne)}`);
    p = ne;
  }
  if (!global) {
    const ctx = params['phone-context'];
    if (ctx === undefined || ctx === null) bad('local telephone number without phone-context');
  }
  if (params['ext'] !== undefined) {
    const ext = params['ext'];
    if (ext === null || !isPhoneDigits(ext)) bad('bad ext parameter');
  }
  return { scheme: 'tel', number, params };
}

function isPhoneDigits(s: string): boolean {
  let d = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 48 && c <= 57) d++;
    else if (!isVisualSep(c)) return false;
  }
  return d > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

function formatParamsUri(params: Params, bit: number): string {
  let out = '';
  for (const name in params) {
    const v = params[name];
    if (v === undefined) continue;
    out += ';' + escapeUri(name, bit);
    if (v !== null) out += '=' + escapeUri(v, bit);
  }
  return out;
}

/** Serialises a URI, escaping each part with the characters its grammar does not allow. */
export function formatUri(uri: Uri): string {
  if (isSipUri(uri)) {
    let out = uri.scheme + ':';
    if (uri.user !== undefined) {
      out += escapeUri(uri.user, U_USER);
      if (uri.password !== undefined) out += ':' + escapeUri(uri.password, U_PASS);
      out += '@';
    }
    out += uri.host.indexOf(':') >= 0 ? '[' + uri.host + ']' : uri.host;
    if (uri.port !== undefined) out += ':' + uri.port;
    out += formatParamsUri(uri.params, U_PARAM);
    let sep = '?';
    for (const name in uri.headers) {
      out += sep + escapeUri(name, U_HDR) + '=' + escapeUri(uri.headers[name]!, U_HDR);
      sep = '&';
    }
    return out;
  }
  if (isTelUri(uri)) return 'tel:' + uri.number + formatParamsUri(uri.params, U_PARAM);
  return (uri as OtherUri).text;
}

// ---------------------------------------------------------------------------------------------------------
// Kinds and scheme checks

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === 'tel';
}

/** The error a UAS answers when a SIP URI is required and another scheme was given: 416. */
export function unsupportedScheme(uri: Uri, what = 'Request-URI'): SipError {
  return new SipError(`unsupported URI scheme ${uri.scheme} in ${what}`, 416, what);
}

/** Returns uri when it is sip:/sips:, else throws SipError 416 (Unsupported URI Scheme). */
export function requireSipUri(uri: Uri, what = 'Request-URI'): SipUri {
  if (!isSipUri(uri)) throw unsupportedScheme(uri, what);
  return uri;
}

// ---------------------------------------------------------------------------------------------------------
// Equality

const SIP_MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

function eqParamValue(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  return a.toLowerCase() === b.toLowerCase();
}

function hostsEqual(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.indexOf(':') >= 0 && b.indexOf(':') >= 0) {
    // RFC 5954: IPv6 references compare as addresses.
    const x = parseIPv6(a.toLowerCase());
    const y = parseIPv6(b.toLowerCase());
    if (!x || !y) return false;
    for (let i = 0; i < 8; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  return a.toLowerCase() === b.toLowerCase();
}

function sipEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.user !== b.user || a.password !== b.password) return false;
  if (!hostsEqual(a.host, b.host)) return false;
  if (a.port !== b.port) return false;
  const ap = a.params;
  const bp = b.params;
  for (const name of SIP_MUST_MATCH) {
    if (!eqParamValue(ap[name], bp[name])) return false;
  }
  for (const name in ap) {
    const bv = bp[name];
    if (bv !== undefined && !eqParamValue(ap[name], bv)) return false;
  }
  // Headers: every header must be present in both and match (names and values case-insensitive).
  const ah = lowerKeys(a.headers);
  const bh = lowerKeys(b.headers);
  let count = 0;
  for (const name in ah) {
    count++;
    if (!eqParamValue(ah[name], bh[name])) return false;
  }
  for (const _ in bh) count--;
  return count === 0;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) out[k.toLowerCase()] = h[k]!;
  return out;
}

function stripVisual(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (!isVisualSep(s.charCodeAt(i))) out += s[i];
  return out.toLowerCase();
}

function telEquals(a: TelUri, b: TelUri): boolean {
  const ag = a.number.charCodeAt(0) === 43;
  if (ag !== (b.number.charCodeAt(0) === 43)) return false;
  if (stripVisual(a.number) !== stripVisual(b.number)) return false;
  let count = 0;
  for (const name in a.params) {
    count++;
    let av = a.params[name];
    let bv = b.params[name];
    if (bv === undefined) return false;
    if ((name === 'phone-context' || name === 'ext') && av && bv) {
      if (name === 'ext' || av.charCodeAt(0) === 43) {
        av = stripVisual(av);
        bv = stripVisual(bv);
      }
    }
    if (!eqParamValue(av, bv)) return false;
  }
  for (const _ in b.params) count--;
  return count === 0;
}

/** URI equality: RFC 3261 §19.1.4 for sip/sips (RFC 5954 for IPv6), RFC 3966 §4 for tel, text otherwise. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (isSipUri(a)) return isSipUri(b) && sipEquals(a, b);
  if (isTelUri(a)) return isTelUri(b) && telEquals(a, b);
  if (isSipUri(b) || isTelUri(b)) return false;
  return a.scheme === b.scheme && (a as OtherUri).text.slice(a.scheme.length) === (b as OtherUri).text.slice(b.scheme.length);
}
