/** Generic header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ] (RFC 3261 §25.1). */
import type { Params } from '../message.js';
import { SipError } from '../errors.js';
import { C_GVALUE, C_TOKEN, CHAR_CLASS, describeAt, quote, readQuoted, scanClass, skipWs } from './scan.js';

export interface ParamsResult {
  params: Params;
  /** Index of the first character that does not belong to the parameters (LWS before it is skipped). */
  end: number;
}

/**
 * Parses `;name=value` parameters starting at `start` (which may be LWS or ';'). Stops at the first character
 * after LWS that is not ';' and returns its index; the caller decides whether that character (',' or anything)
 * is allowed. Names are lower-cased; quoted values are unquoted; a flag has value null. LWS is allowed around
 * ';' and '='. Throws on an empty parameter name or a missing value after '='.
 */
export function parseParams(text: string, start: number, what = 'header'): ParamsResult {
  // Fast path: one native match per parameter. Anything it does not take (a malformed parameter, a
  // duplicate, an escaped quote) is handed to the exact parser below, which names the defect.
  const params: Params = {};
  const n = lengthOf.call(text, EMPTY);
  let i = start;
  while (i < n) {
    const c = charCodeAt.call(text, i);
    if (c !== 59 && c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    if (c === 59) {
      // The usual `;name` or `;name=token` without LWS or quotes: two class scans, no match object.
      RE_NAME.lastIndex = i + 1;
      const ne = RE_NAME.test(text) ? RE_NAME.lastIndex : i + 1;
      const d = ne < n ? charCodeAt.call(text, ne) : 59;
      if (ne > i + 1 && (d === 59 || d === 61 || d === 44 || d === 62 || d === 63)) {
        let value: string | null = null;
        let ve = ne;
        if (d === 61) {
          RE_VALUE.lastIndex = ne + 1;
          ve = RE_VALUE.test(text) ? RE_VALUE.lastIndex : ne;
          const f = ve < n ? charCodeAt.call(text, ve) : 59;
          if (ve > ne + 1 && (f === 59 || f === 44 || f === 62 || f === 63)) value = slice.call(text, ne + 1, ve);
          else ve = -1;
        }
        if (ve >= 0) {
          const name = paramName(text, i + 1, ne);
          if (params[name] !== undefined || name === PROTO) return parseParamsExact(text, start, what);
          params[name] = value;
          i = ve;
          continue;
        }
      }
    }
    RE_PARAM.lastIndex = i;
    const m = RE_PARAM.exec(text);
    if (m === null || m.index !== i) {
      if (c === 59) return parseParamsExact(text, start, what);
      i = skipWs(text, i); // LWS not followed by ';': the caller judges what follows
      break;
    }
    const name = lowerName(m[1]!);
    const quoted = m[3];
    const value = m[2] ?? (quoted === undefined ? null : quoted.indexOf('\\') < 0 ? quoted : undefined);
    if (value === undefined || params[name] !== undefined || name === '__proto__') return parseParamsExact(text, start, what);
    params[name] = value;
    i = RE_PARAM.lastIndex;
  }
  if (i < n) {
    const c = text.charCodeAt(i);
    if (c === 59 || c === 61 || c === 34) return parseParamsExact(text, start, what);
  }
  return { params, end: i };
}

// Called with the string as `this` (XS boxes a primitive string on every property access); strings built at load time.
const charCodeAt = String.prototype.charCodeAt;
const slice = String.prototype.slice;
const startsWith = String.prototype.startsWith;
const lengthOf = String.prototype.lastIndexOf; // lastIndexOf('') is the length
const EMPTY = String.fromCharCode();
export const PROTO = '__proto__'.slice(0);
const RE_NAME = /[A-Za-z0-9\-.!%*_+`'~]+/y;
const RE_VALUE = /[A-Za-z0-9\-.!%*_+`'~:[\]]+/y;
/** Parameter names common enough to be recognised in place, without slicing; grouped by length. */
const KNOWN: readonly (readonly string[])[] = (() => {
  const groups: string[][] = [];
  for (const name of ['tag', 'branch', 'rport', 'received', 'lr', 'transport', 'expires', 'q', 'maddr', 'ttl', 'user', 'method']) {
    (groups[name.length] ??= []).push(name);
  }
  for (let i = 0; i < groups.length; i++) groups[i] ??= [];
  return groups;
})();

/** Name text[s, e), lower-cased; a common name comes from KNOWN. */
export function paramName(text: string, s: number, e: number): string {
  const group = KNOWN[e - s];
  if (group !== undefined) {
    for (let g = 0; g < group.length; g++) if (startsWith.call(text, group[g]!, s)) return group[g]!;
  }
  return lowerName(slice.call(text, s, e));
}

/** Lower-cases a parameter name; the usual names are already lower-case and are returned without allocating. */
function lowerName(raw: string): string {
  switch (raw) {
    case 'tag':
    case 'branch':
    case 'rport':
    case 'received':
    case 'lr':
    case 'transport':
    case 'expires':
    case 'q':
    case 'maddr':
    case 'ttl':
    case 'user':
    case 'method':
    case 'boundary':
    case 'charset':
    case 'id':
      return raw;
    default:
      return raw.toLowerCase();
  }
}

// ;name[=token-or-host | ="quoted"] with LWS around ';' and '=' and after the parameter.
const RE_PARAM =
  /[ \t\r\n]*;[ \t\r\n]*([A-Za-z0-9\-.!%*_+`'~]+)(?:[ \t\r\n]*=[ \t\r\n]*(?:([A-Za-z0-9\-.!%*_+`'~:[\]]+)|"((?:[^"\\]|\\[^\r\n])*)"))?[ \t\r\n]*/y;

/** The character-by-character parser: exact error messages. */
export function parseParamsExact(text: string, start: number, what: string): ParamsResult {
  const params: Params = {};
  let i = skipWs(text, start);
  const n = text.length;
  while (i < n && text.charCodeAt(i) === 59 /* ; */) {
    i = skipWs(text, i + 1);
    const nameEnd = scanClass(text, i, C_TOKEN);
    if (nameEnd === i) throw new SipError(`bad ${what}: empty parameter name at ${describeAt(text, i)}`, 400, what);
    const name = text.slice(i, nameEnd).toLowerCase();
    i = skipWs(text, nameEnd);
    let value: string | null = null;
    if (i < n && text.charCodeAt(i) === 61 /* = */) {
      i = skipWs(text, i + 1);
      if (i < n && text.charCodeAt(i) === 34) {
        const q = readQuoted(text, i, what);
        value = q.value;
        i = q.end;
      } else {
        const vEnd = scanClass(text, i, C_GVALUE);
        if (vEnd === i) throw new SipError(`bad ${what}: missing value for parameter ${name}`, 400, what);
        value = text.slice(i, vEnd);
        i = vEnd;
      }
      i = skipWs(text, i);
    }
    if (Object.prototype.hasOwnProperty.call(params, name)) {
      throw new SipError(`bad ${what}: duplicate parameter ${name}`, 400, what);
    }
    setParam(params, name, value);
  }
  return { params, end: i };
}

/** Stores a parameter; a name like "__proto__" becomes an own property instead of changing the prototype. */
export function setParam(params: Params, name: string, value: string | null): void {
  if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
  else params[name] = value;
}

/** Parses a whole parameter string (e.g. ";a=b;c"); anything left over is an error. */
export function parseParamsOnly(text: string, what = 'header'): Params {
  const r = parseParams(text, 0, what);
  if (r.end < text.length) throw new SipError(`bad ${what}: unexpected ${describeAt(text, r.end)}`, 400, what);
  return r.params;
}

function isGenValue(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128 || (CHAR_CLASS[c]! & C_GVALUE) === 0) return false;
  }
  return true;
}

/** Formats params as `;name=value`, quoting a value that is not a token/host. */
export function formatParams(params: Params): string {
  let out = '';
  for (const name in params) {
    const v = params[name];
    if (v === undefined) continue;
    out += ';' + name;
    if (v !== null) out += '=' + (isGenValue(v) ? v : quote(v));
  }
  return out;
}
