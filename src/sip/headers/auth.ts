/**
 * WWW-Authenticate / Proxy-Authenticate challenges and Authorization / Proxy-Authorization credentials
 * (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1; Digest per RFC 2617/7616/8760).
 */
import type { AuthValue } from '../message.js';
import { SipError } from '../errors.js';
import { C_TOKEN, describeAt, isToken, quote, readQuoted, scanClass, skipWs, trimEnd } from './scan.js';

/** Parses `scheme LWS name=value *(COMMA name=value)`. Names are lower-cased, quoted values unquoted. */
export function parseAuth(text: string, what = 'Authorization'): AuthValue {
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  const se = scanClass(text, i, C_TOKEN);
  if (se === i) throw new SipError(`bad ${what}: missing auth scheme`, 400, what);
  const scheme = text.slice(i, se);
  i = skipWs(text, se);
  const params: Record<string, string> = {};
  if (i >= n) return { scheme, params };
  if (i === se) throw new SipError(`bad ${what}: expected LWS after ${scheme}, found ${describeAt(text, i)}`, 400, what);
  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" (RFC 7235 §2.1), alone after the scheme.
  // Digest never uses it, so Digest keeps the auth-param error messages.
  if (scheme.toLowerCase() !== 'digest') {
    RE_TOKEN68.lastIndex = i;
    if (RE_TOKEN68.test(text) && RE_TOKEN68.lastIndex === n) return { scheme, params, token68: text.slice(i, n) };
  }
  readAuthParams(text, i, n, what, params);
  return { scheme, params };
}

/** Reads `name=value *(COMMA name=value)` from i to n into params. */
function readAuthParams(text: string, i: number, n: number, what: string, params: Record<string, string>): void {
  for (;;) {
    const ne = scanClass(text, i, C_TOKEN);
    if (ne === i) throw new SipError(`bad ${what}: expected parameter name, found ${describeAt(text, i)}`, 400, what);
    const name = text.slice(i, ne).toLowerCase();
    i = skipWs(text, ne);
    if (text.charCodeAt(i) !== 61) throw new SipError(`bad ${what}: expected '=' after ${name}, found ${describeAt(text, i)}`, 400, what);
    i = skipWs(text, i + 1);
    let value: string;
    if (text.charCodeAt(i) === 34) {
      const q = readQuoted(text, i, what);
      value = q.value;
      i = q.end;
    } else {
      const ve = scanClass(text, i, C_TOKEN);
      if (ve === i) throw new SipError(`bad ${what}: bad value for ${name} at ${describeAt(text, i)}`, 400, what);
      value = text.slice(i, ve);
      i = ve;
    }
    if (Object.prototype.hasOwnProperty.call(params, name) || name === '__proto__') {
      throw new SipError(`bad ${what}: duplicate parameter ${name}`, 400, what);
    }
    params[name] = value;
    i = skipWs(text, i);
    if (i >= n) return;
    if (text.charCodeAt(i) !== 44) throw new SipError(`bad ${what}: expected ',' after ${name}, found ${describeAt(text, i)}`, 400, what);
    i = skipWs(text, i + 1);
  }
}

const RE_TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

/** Params written without quotes (RFC 2617 §3.2, RFC 7616: algorithm, stale, userhash; nc is LHEX; qop is a token in credentials). */
const UNQUOTED = ['algorithm', 'stale', 'nc', 'userhash'];

/** Serialises a challenge or credentials; credentials are recognised by their response parameter. */
export function formatAuth(v: AuthValue): string {
  if (v.token68 !== undefined) return v.scheme + ' ' + v.token68;
  const credentials = v.params['response'] !== undefined;
  let out = v.scheme;
  let sep = ' ';
  for (const name in v.params) {
    const value = v.params[name]!;
    const bare = (UNQUOTED.indexOf(name) >= 0 || (name === 'qop' && credentials)) && isToken(value);
    out += sep + name + '=' + (bare ? value : quote(value));
    sep = ', ';
  }
  return out;
}

/** The qop options of a challenge (`qop="auth,auth-int"`) or the qop of credentials, as a list. */
export function authQop(v: AuthValue): string[] {
  const q = v.params['qop'];
  if (q === undefined) return [];
  const out: string[] = [];
  for (const part of q.split(',')) {
    const t = part.trim();
    if (t.length > 0) out.push(t);
  }
  return out;
}

/** Authentication-Info (§20.6): digest params without a scheme (nextnonce, qop, rspauth, cnonce, nc). */
export function parseAuthParams(text: string, what = 'Authentication-Info'): Record<string, string> {
  const params: Record<string, string> = {};
  const n = trimEnd(text, 0, text.length);
  const i = skipWs(text, 0);
  if (i < n) readAuthParams(text, i, n, what, params);
  return params;
}
