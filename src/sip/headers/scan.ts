/**
 * Character classes and small scanners shared by the header-value parsers (RFC 3261 §25.1).
 * Tables are built once at module evaluation (preload on the device) and only read afterwards.
 */
import { SipError } from '../errors.js';

// Called with the string as `this`: XS boxes a primitive string on every property access (length, charCodeAt...).
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const slice = String.prototype.slice;
const lengthOf = String.prototype.lastIndexOf; // lastIndexOf('') is the length
// Built at load time: XS copies a string literal argument on every call.
const EMPTY = String.fromCharCode();


export const C_TOKEN = 1; // token: alphanum - . ! % * _ + ` ' ~
export const C_WS = 2; // SP HTAB CR LF (CR/LF only appear when a caller passes a still-folded value)
export const C_DIGIT = 4;
export const C_ALNUM = 8;
export const C_HEX = 16;
/** Characters of a generic-param value that is not quoted: token plus host characters ( : [ ] ). */
export const C_GVALUE = 32;
export const C_WORD = 64; // word (Call-ID): token plus ( ) < > : \ " / [ ] ? { }
/** Pseudo-classes with a scanner only (no table bit): URI text inside <>, and an addr-spec URI after its scheme. */
export const C_IN_ANGLE = 256;
export const C_ADDR_SPEC = 512;

function buildTable(): Uint8Array {
  const t = new Uint8Array(128);
  const add = (chars: string, bit: number): void => {
    for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)]! |= bit;
  };
  const digits = '0123456789';
  const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const token = digits + alpha + "-.!%*_+`'~";
  add(token, C_TOKEN | C_GVALUE | C_WORD);
  add(':[]', C_GVALUE);
  add('()<>:\\"/[]?{}', C_WORD);
  add(' \t\r\n', C_WS);
  add(digits, C_DIGIT | C_ALNUM | C_HEX);
  add(alpha, C_ALNUM);
  add('abcdefABCDEF', C_HEX);
  return t;
}

export const CHAR_CLASS: Uint8Array = buildTable();

/** Index of the first non-LWS character at or after i. */
export function skipWs(s: string, i: number): number {
  const n = lengthOf.call(s, EMPTY);
  while (i < n) {
    const c = charCodeAt.call(s, i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}

/** Index after the last LWS character before end (exclusive end of trimmed text). */
export function trimEnd(s: string, start: number, end: number): number {
  while (end > start) {
    const c = charCodeAt.call(s, end - 1);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    end--;
  }
  return end;
}

// Sticky regular expressions scan runs of a class natively: in XS a charCodeAt loop costs ~8x the time and
// allocates a String wrapper per call. (Preloaded RegExp objects stay writable through XS aliasing, so
// setting lastIndex is allowed on the device.)
const RE_TOKEN = /[A-Za-z0-9\-.!%*_+`'~]*/y;
const RE_DIGIT = /[0-9]*/y;
const RE_GVALUE = /[A-Za-z0-9\-.!%*_+`'~:[\]]*/y;
const RE_WORD = /[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]*/y;
const RE_WS = /[ \t\r\n]*/y;
const RE_TOKEN_WS = /[A-Za-z0-9\-.!%*_+`'~ \t\r\n]*/y;
const RE_IN_ANGLE = /[^ \t\r\n<>"]*/y;
const RE_ADDR_SPEC = /[^ \t\r\n;,?<>"]*/y;

/** End index of a run of characters of class bit starting at i (i itself when none). */
export function scanClass(s: string, i: number, bit: number): number {
  const re =
    bit === C_TOKEN ? RE_TOKEN : bit === C_DIGIT ? RE_DIGIT : bit === C_GVALUE ? RE_GVALUE : bit === C_WORD ? RE_WORD
    : bit === C_WS ? RE_WS : bit === (C_TOKEN | C_WS) ? RE_TOKEN_WS : bit === C_IN_ANGLE ? RE_IN_ANGLE
    : bit === C_ADDR_SPEC ? RE_ADDR_SPEC : undefined;
  if (re !== undefined) {
    re.lastIndex = i;
    re.test(s);
    return re.lastIndex;
  }
  const n = lengthOf.call(s, EMPTY);
  while (i < n) {
    const c = charCodeAt.call(s, i);
    if (c >= 128 || (CHAR_CLASS[c]! & bit) === 0) break;
    i++;
  }
  return i;
}

/**
 * End of the run of class `bit` characters in s[i, end), by a table loop: slower than scanClass's native match
 * in XS, but it allocates nothing, for the values read from every message.
 */
export function classRun(s: string, i: number, end: number, bit: number): number {
  while (i < end) {
    const c = charCodeAt.call(s, i);
    if (c >= 128 || (CHAR_CLASS[c]! & bit) === 0) break;
    i++;
  }
  return i;
}

export function isToken(s: string): boolean {
  return lengthOf.call(s, EMPTY) > 0 && scanClass(s, 0, C_TOKEN) === lengthOf.call(s, EMPTY);
}

/** Describes the character at i for error messages. */
export function describeAt(s: string, i: number): string {
  if (i >= s.length) return 'end of value';
  const c = s.charCodeAt(i);
  if (c === 32) return "' '";
  if (c < 32 || c === 127) return `control character 0x${c.toString(16).padStart(2, '0')}`;
  return `'${s[i]}'`;
}

export interface QuotedResult {
  value: string; // unquoted, quoted-pairs resolved
  end: number; // index after the closing quote
}

/**
 * Reads a quoted-string whose opening quote is at index i (RFC 3261 §25.1: quoted-pair is "\" followed by
 * any char except CR/LF). Throws "unterminated quoted string in <what>".
 */
export function readQuoted(s: string, i: number, what: string): QuotedResult {
  const start = i + 1;
  let q = s.indexOf('"', start);
  if (q < 0) throw new SipError(`unterminated quoted string in ${what}`, 400, what);
  const bs = s.indexOf('\\', start);
  if (bs < 0 || bs > q) {
    // Fast path: no escapes.
    return { value: s.slice(start, q), end: q + 1 };
  }
  let out = '';
  let j = start;
  const n = s.length;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === 34) return { value: out, end: j + 1 };
    if (c === 92) {
      if (j + 1 >= n) break;
      const d = s.charCodeAt(j + 1);
      if (d === 13 || d === 10) throw new SipError(`bad quoted-pair in ${what}`, 400, what);
      out += s[j + 1];
      j += 2;
      continue;
    }
    out += s[j];
    j++;
  }
  throw new SipError(`unterminated quoted string in ${what}`, 400, what);
}

/** Quotes s as a quoted-string, escaping " and \. */
export function quote(s: string): string {
  if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '"' || ch === '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

/** Reads a run of decimal digits at i as an unsigned integer no larger than max. */
export function readUInt(s: string, i: number, max: number, what: string): { value: number; end: number } {
  const end = scanClass(s, i, C_DIGIT);
  if (end === i) throw new SipError(`bad ${what}: expected digits at ${describeAt(s, i)}`, 400, what);
  let start = i;
  while (start < end - 1 && charCodeAt.call(s, start) === 48) start++; // leading zeros are allowed
  if (end - start > 15) throw new SipError(`bad ${what}: number too large`, 400, what);
  const value = +slice.call(s, start, end);
  if (value > max) throw new SipError(`bad ${what}: number too large`, 400, what);
  return { value, end };
}
