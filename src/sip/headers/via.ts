/** Via (RFC 3261 §20.42, §25.1; rport RFC 3581). Several values may share one line. */
import type { Params, Via } from '../message.js';
import { SipError } from '../errors.js';
import { bareIPv6, hostDefect, isIPv4, parseIPv6 } from '../uri.js';
import { PROTO, formatParams, paramName, parseParams } from './params.js';
import { C_DIGIT, C_TOKEN, describeAt, readUInt, scanClass, skipWs } from './scan.js';

// Called with the string as `this`: XS boxes a primitive string on every property access (length, charCodeAt...).
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const slice = String.prototype.slice;
const startsWith = String.prototype.startsWith;
const lengthOf = String.prototype.lastIndexOf; // lastIndexOf('') is the length
// Built at load time: XS copies a string literal argument on every call.
const EMPTY = String.fromCharCode();
const COLON = String.fromCharCode(58);


const WHAT = 'Via';
// Compared against at load-time-built strings: in XS a literal in a comparison is copied each time.
const UDP = 'UDP'.slice(0);
const TCP = 'TCP'.slice(0);
const TLS = 'TLS'.slice(0);
const WSS = 'WSS'.slice(0);
const WS = 'WS'.slice(0);
const SIP = 'SIP'.slice(0);
const V2_0 = '2.0'.slice(0);
const SIP_2_0 = 'SIP/2.0'.slice(0);

function bad(defect: string): never {
  throw new SipError(`bad Via: ${defect}`, 400, WHAT);
}

function readToken(text: string, i: number, part: string): number {
  const e = scanClass(text, i, C_TOKEN);
  if (e === i) bad(`missing ${part} at ${describeAt(text, i)}`);
  return e;
}

function expectSlash(text: string, i: number): number {
  i = skipWs(text, i);
  if (text.charCodeAt(i) !== 47) bad(`expected '/' in sent-protocol, found ${describeAt(text, i)}`);
  return skipWs(text, i + 1);
}

function isAddress(v: string): boolean {
  if (charCodeAt.call(v, 0) === 91) return charCodeAt.call(v, lengthOf.call(v, EMPTY) - 1) === 93 && parseIPv6(slice.call(v, 1, -1)) !== undefined;
  return indexOf.call(v, COLON) >= 0 ? parseIPv6(v) !== undefined : isIPv4(v);
}

// sent-protocol and sent-by in one native match: name / version / transport, then [IPv6] or host, then port.
const RE_SENT =
  /[ \t\r\n]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t\r\n]*\/[ \t\r\n]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t\r\n]*\/[ \t\r\n]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t\r\n]+(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?:[ \t\r\n]*:[ \t\r\n]*([0-9]{1,5}))?/y;
/** Parses one via-parm starting at i; returns it and the index after it (at ',' or end when valid). */
export function parseViaAt(text: string, i: number): { via: Via; end: number } {
  // Fast path; whatever it does not take goes to the exact parser, which names the defect.
  RE_SENT.lastIndex = i;
  const m = RE_SENT.exec(text);
  if (m === null || m.index !== i) return parseViaExact(text, i);
  const name = m[1]!;
  const version = m[2]!;
  let transport = m[3]!;
  const v6 = m[4];
  let host: string;
  if (v6 !== undefined) {
    if (!parseIPv6(v6)) return parseViaExact(text, i);
    host = v6.toLowerCase();
  } else {
    host = m[5]!;
    if (hostDefect(host) !== undefined) return parseViaExact(text, i);
    host = host.toLowerCase();
  }
  const portText = m[6];
  let port: number | undefined;
  if (portText !== undefined) {
    port = +portText;
    if (port > 65535) return parseViaExact(text, i);
  }
  const pr = parseParams(text, RE_SENT.lastIndex, WHAT);
  if (pr.end < lengthOf.call(text, EMPTY) && charCodeAt.call(text, pr.end) !== 44) return parseViaExact(text, i);
  if (transport !== UDP && transport !== TCP && transport !== TLS && transport !== WSS && transport !== WS) {
    transport = transport.toUpperCase();
  }
  const protocol = name === SIP && version === V2_0 ? SIP_2_0 : name.toUpperCase() + '/' + version;
  const via: Via = { protocol, transport, host, params: pr.params };
  if (port !== undefined) via.port = port;
  checkParams(via);
  return { via, end: pr.end };
}

/** The character-by-character parser: exact error messages. */
export function parseViaExact(text: string, i: number): { via: Via; end: number } {
  const n = text.length;
  i = skipWs(text, i);
  if (i >= n) bad('empty value');
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport (LWS allowed around '/')
  let e = readToken(text, i, 'protocol name');
  const name = text.slice(i, e);
  i = expectSlash(text, e);
  e = readToken(text, i, 'protocol version');
  const version = text.slice(i, e);
  i = expectSlash(text, e);
  e = readToken(text, i, 'transport');
  const transport = text.slice(i, e).toUpperCase();
  i = skipWs(text, e);
  if (i === e) bad(i >= n ? 'missing sent-by' : `expected LWS after transport, found ${describeAt(text, i)}`);
  if (i >= n || text.charCodeAt(i) === 59 || text.charCodeAt(i) === 44) bad('missing sent-by');
  // sent-by = host [ COLON port ]
  let host: string;
  if (text.charCodeAt(i) === 91 /* [ */) {
    const close = text.indexOf(']', i + 1);
    if (close < 0) bad("unterminated IPv6 reference (missing ']')");
    host = text.slice(i + 1, close).toLowerCase();
    if (!parseIPv6(host)) bad(`bad IPv6 address [${host}]`);
    i = close + 1;
  } else {
    e = i;
    while (e < n) {
      const c = text.charCodeAt(e);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 46)) break;
      e++;
    }
    if (e === i) bad(`bad sent-by host at ${describeAt(text, i)}`);
    host = text.slice(i, e).toLowerCase();
    if (bareIPv6(text, i)) bad('IPv6 address must be enclosed in []');
    const d = hostDefect(host);
    if (d) bad(d);
    i = e;
  }
  let port: number | undefined;
  let k = skipWs(text, i);
  if (k < n && text.charCodeAt(k) === 58 /* : */) {
    k = skipWs(text, k + 1);
    if (scanClass(text, k, C_DIGIT) === k) bad('missing port');
    const r = readUInt(text, k, 65535, 'Via port');
    port = r.value;
    i = r.end;
  }
  const pr = parseParams(text, i, WHAT);
  if (pr.end < n && text.charCodeAt(pr.end) !== 44) bad(`unexpected ${describeAt(text, pr.end)}`);
  const via: Via = { protocol: name.toUpperCase() + '/' + version, transport, host, params: pr.params };
  if (port !== undefined) via.port = port;
  checkParams(via);
  return { via, end: pr.end };
}

/** Copies branch, received and rport into their fields and checks the values of the known parameters. */
function checkParams(via: Via): void {
  const params = via.params;
  const branch = params['branch'];
  if (branch !== undefined) {
    if (branch === null) bad('branch without value');
    via.branch = branch;
  }
  const received = params['received'];
  if (received !== undefined) {
    if (received === null || !isAddress(received)) bad('received is not an IP address');
    via.received = received;
  }
  const rport = params['rport'];
  if (rport !== undefined) {
    if (rport === null) via.rport = null;
    else {
      const port = digits(rport, 0, lengthOf.call(rport, EMPTY));
      if (port >= 0 && port <= 65535) via.rport = port;
      else {
        if (scanClass(rport, 0, C_DIGIT) !== lengthOf.call(rport, EMPTY)) bad('rport is not a number');
        via.rport = readUInt(rport, 0, 65535, 'Via rport').value;
      }
    }
  }
  const ttl = params['ttl'];
  if (ttl !== undefined) {
    if (ttl === null || scanClass(ttl, 0, C_DIGIT) !== lengthOf.call(ttl, EMPTY) || lengthOf.call(ttl, EMPTY) > 3 || +ttl > 255) bad('ttl out of range');
  }
  const maddr = params['maddr'];
  if (maddr !== undefined && (maddr === null || lengthOf.call(maddr, EMPTY) === 0)) bad('maddr without value');
}

/** The number written in text[s, e) with 1 to 5 digits, else -1 (no allocation). */
function digits(text: string, s: number, e: number): number {
  if (e <= s || e - s > 5) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const c = charCodeAt.call(text, k);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + c - 48;
  }
  return v;
}

// The usual whole value, one via-parm: SIP/2.0/transport host[:port] *(;name[=token]), no LWS but one SP.
const RE_COMMON =
  /SIP\/2\.0\/[A-Za-z0-9\-.!%*_+`'~]+ [A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:;[A-Za-z0-9\-.!%*_+`'~]+(?:=[A-Za-z0-9\-.!%*_+`'~:[\]]+)?)*/y;
const SP = String.fromCharCode(32);
const SEMI = String.fromCharCode(59);
const EQ = String.fromCharCode(61);
const TRANSPORTS: readonly string[] = [UDP, TCP, TLS, WSS, WS];
const TRANSPORT_LENGTHS: readonly number[] = TRANSPORTS.map((t) => t.length);

/**
 * The value text[s, end) if it has the usual form, checked by one native match and taken apart with indexOf
 * (in XS every match allocates, a search does not); undefined for anything else, which the general parser takes.
 * The value may lie inside a longer text (a received message).
 */
export function parseViaIn(text: string, s: number, end: number): Via | undefined {
  RE_COMMON.lastIndex = s;
  if (s >= end || !RE_COMMON.test(text) || RE_COMMON.lastIndex !== end) return undefined;
  const sp = indexOf.call(text, SP, s + 8);
  let transport: string | undefined;
  for (let k = 0; k < TRANSPORTS.length && transport === undefined; k++) {
    if (TRANSPORT_LENGTHS[k] === sp - s - 8 && startsWith.call(text, TRANSPORTS[k]!, s + 8)) transport = TRANSPORTS[k]!;
  }
  transport ??= slice.call(text, s + 8, sp).toUpperCase();
  let semi = indexOf.call(text, SEMI, sp + 1);
  if (semi > end) semi = -1;
  let he = semi < 0 ? end : semi;
  const colon = indexOf.call(text, COLON, sp + 1);
  let port = -1;
  if (colon >= 0 && colon < he) {
    port = digits(text, colon + 1, he);
    if (port < 0 || port > 65535) return undefined;
    he = colon;
  }
  let host = slice.call(text, sp + 1, he);
  // An IPv4 address (the usual sent-by) is valid and has no letters to lower-case.
  if (!isIPv4(host)) {
    if (hostDefect(host) !== undefined) return undefined;
    host = host.toLowerCase();
  }
  const params: Params = {};
  for (let p = semi < 0 ? end : semi; p < end;) {
    let e = indexOf.call(text, SEMI, p + 1);
    if (e < 0 || e > end) e = end;
    const eq = indexOf.call(text, EQ, p + 1);
    const name = paramName(text, p + 1, eq >= 0 && eq < e ? eq : e);
    if (params[name] !== undefined || name === PROTO) return undefined;
    params[name] = eq >= 0 && eq < e ? slice.call(text, eq + 1, e) : null;
    p = e;
  }
  const via: Via = { protocol: SIP_2_0, transport, host, params };
  if (port >= 0) via.port = port;
  checkParams(via);
  return via;
}

/** Parses a Via header value: one or more comma-separated via-parms, top first. */
export function parseVia(text: string): Via[] {
  const common = parseViaIn(text, 0, lengthOf.call(text, EMPTY));
  if (common !== undefined) return [common];
  const out: Via[] = [];
  const n = lengthOf.call(text, EMPTY);
  let i = 0;
  for (;;) {
    const r = parseViaAt(text, i);
    out.push(r.via);
    i = r.end;
    if (i >= n) return out;
    i++; // ','
  }
}

/** Parses only the first via-parm of a Via header value (the top Via, read for every message). */
export function parseTopVia(text: string): Via {
  return parseViaIn(text, 0, lengthOf.call(text, EMPTY)) ?? parseViaAt(text, 0).via;
}

/** Serialises one Via value; branch/received/rport fields override the params of the same name. */
export function formatVia(v: Via): string {
  let params: Params = v.params;
  if (
    (v.branch !== undefined && params['branch'] !== v.branch) ||
    (v.received !== undefined && params['received'] !== v.received) ||
    (v.rport !== undefined && params['rport'] !== (v.rport === null ? null : String(v.rport)))
  ) {
    params = { ...params };
    if (v.branch !== undefined) params['branch'] = v.branch;
    if (v.received !== undefined) params['received'] = v.received;
    if (v.rport !== undefined) params['rport'] = v.rport === null ? null : String(v.rport);
  }
  const host = v.host.indexOf(':') >= 0 ? '[' + v.host + ']' : v.host;
  return v.protocol + '/' + v.transport + ' ' + host + (v.port !== undefined ? ':' + v.port : '') + formatParams(params);
}

export function formatViaList(list: readonly Via[]): string {
  let out = '';
  for (let i = 0; i < list.length; i++) out += (i > 0 ? ', ' : '') + formatVia(list[i]!);
  return out;
}
