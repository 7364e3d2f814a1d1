/** Simple header values: token lists (Allow, Supported, Require...), unsigned integers, Accept. */
import type { MediaType, Params } from '../message.js';
import { SipError } from '../errors.js';
import { parseMediaTypeAt } from './media-type.js';
import { formatParams, parseParams } from './params.js';
import { C_DIGIT, C_TOKEN, describeAt, scanClass, skipWs, trimEnd } from './scan.js';

/** Parses a comma-separated list of tokens; an empty value gives []. */
export function parseTokenList(text: string, what = 'header'): string[] {
  const out: string[] = [];
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  if (i >= n) return out;
  for (;;) {
    const e = scanClass(text, i, C_TOKEN);
    if (e === i) throw new SipError(`bad ${what}: expected token, found ${describeAt(text, i)}`, 400, what);
    out.push(text.slice(i, e));
    i = skipWs(text, e);
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 44) throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)}`, 400, what);
    i = skipWs(text, i + 1);
  }
}

/** Largest value per header; others default to 2**32-1 (delta-seconds, Content-Length, RSeq). */
const MAX_BY_NAME: Readonly<Record<string, number>> = { 'max-forwards': 255 };

/**
 * Parses a whole value as an unsigned decimal integer (leading zeros allowed, LWS around).
 * Max-Forwards is limited to 255, others to 2**32-1 unless `max` is given. Throws on garbage or overflow.
 */
export function parseUInt(text: string, name: string, max?: number): number {
  const limit = max ?? MAX_BY_NAME[name.toLowerCase()] ?? 0xffffffff;
  const n = trimEnd(text, 0, text.length);
  const s = skipWs(text, 0);
  if (s >= n) throw new SipError(`bad ${name}: empty value`, 400, name);
  const e = scanClass(text, s, C_DIGIT);
  if (e !== n) throw new SipError(`bad ${name}: not a number (${describeAt(text, e)})`, 400, name);
  let z = s;
  while (z < e - 1 && text.charCodeAt(z) === 48) z++;
  if (e - z > 10) throw new SipError(`bad ${name}: value out of range`, 400, name);
  const v = +text.slice(z, e);
  if (v > limit) throw new SipError(`bad ${name}: value out of range`, 400, name);
  return v;
}

/** Parses Accept: a possibly empty list of media ranges with params (q...). */
export function parseAccept(text: string, what = 'Accept'): MediaType[] {
  const out: MediaType[] = [];
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  if (i >= n) return out;
  for (;;) {
    const r = parseMediaTypeAt(text, i, what, true);
    out.push(r.value);
    i = r.end;
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 44) throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)}`, 400, what);
    i = i + 1;
  }
}

export interface TokenWithParams {
  value: string; // as received (compare case-insensitively where the grammar says so)
  params: Params;
}

/**
 * Parses `token *(;param)`: Content-Disposition (§20.11), Priority, Allow-Events entries... The value may be
 * '*' where the grammar allows it (Accept-Encoding, Accept-Language).
 */
export function parseTokenWithParamsAt(text: string, i: number, what: string): { value: TokenWithParams; end: number } {
  i = skipWs(text, i);
  const e = scanClass(text, i, C_TOKEN);
  if (e === i) throw new SipError(`bad ${what}: expected token, found ${describeAt(text, i)}`, 400, what);
  const r = parseParams(text, e, what);
  return { value: { value: text.slice(i, e), params: r.params }, end: r.end };
}

export function parseTokenWithParams(text: string, what = 'header'): TokenWithParams {
  const r = parseTokenWithParamsAt(text, 0, what);
  if (r.end < text.length) throw new SipError(`bad ${what}: unexpected ${describeAt(text, r.end)}`, 400, what);
  return r.value;
}

/** Comma-separated `token *(;param)` list (Accept-Encoding, Accept-Language with q values); empty gives []. */
export function parseTokenParamsList(text: string, what = 'header'): TokenWithParams[] {
  const out: TokenWithParams[] = [];
  const n = trimEnd(text, 0, text.length);
  if (skipWs(text, 0) >= n) return out;
  let i = 0;
  for (;;) {
    const r = parseTokenWithParamsAt(text, i, what);
    out.push(r.value);
    i = r.end;
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 44) throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)}`, 400, what);
    i++;
  }
}

export function formatTokenWithParams(v: TokenWithParams): string {
  return v.value + formatParams(v.params);
}

export interface Product {
  name: string;
  version?: string;
  comment?: string; // text of a ( comment ) following the product, without the parentheses
}

/**
 * Parses User-Agent / Server (§20.35, §20.41): products (`token [/ token]`) and comments, separated by LWS.
 * A comment before any product gets an empty product name.
 */
export function parseProducts(text: string, what = 'User-Agent'): Product[] {
  const out: Product[] = [];
  const n = text.length;
  let i = skipWs(text, 0);
  while (i < n) {
    if (text.charCodeAt(i) === 40 /* ( */) {
      let depth = 0;
      let j = i;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === 92) j++;
        else if (c === 40) depth++;
        else if (c === 41 && --depth === 0) break;
      }
      if (depth !== 0) throw new SipError(`bad ${what}: unterminated comment`, 400, what);
      const comment = text.slice(i + 1, j);
      const last = out[out.length - 1];
      if (last !== undefined && last.comment === undefined) last.comment = comment;
      else out.push({ name: '', comment });
      i = skipWs(text, j + 1);
      continue;
    }
    const e = scanClass(text, i, C_TOKEN);
    if (e === i) throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)}`, 400, what);
    const p: Product = { name: text.slice(i, e) };
    i = skipWs(text, e);
    if (text.charCodeAt(i) === 47 /* / */) {
      const vs = skipWs(text, i + 1);
      const ve = scanClass(text, vs, C_TOKEN);
      if (ve === vs) throw new SipError(`bad ${what}: missing product version after ${p.name}/`, 400, what);
      p.version = text.slice(vs, ve);
      i = skipWs(text, ve);
    }
    out.push(p);
  }
  return out;
}

/** Timestamp (§20.38): `1*DIGIT ["." *DIGIT] [LWS delay]`, values in seconds. */
export function parseTimestamp(text: string, what = 'Timestamp'): { value: number; delay?: number } {
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  const readNumber = (opt: boolean): number | undefined => {
    const a = scanClass(text, i, C_DIGIT);
    let e = a;
    if (text.charCodeAt(e) === 46) e = scanClass(text, e + 1, C_DIGIT);
    if (a === i) {
      if (opt && e === i) return undefined;
      if (!(opt && e > i + 1)) throw new SipError(`bad ${what}: expected a number at ${describeAt(text, i)}`, 400, what);
    }
    const v = +text.slice(i, e);
    i = e;
    return v;
  };
  const value = readNumber(false)!;
  const k = skipWs(text, i);
  if (k >= n) return { value };
  if (k === i) throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)}`, 400, what);
  i = k;
  const delay = readNumber(true);
  if (delay === undefined || i !== n) throw new SipError(`bad ${what}: unexpected ${describeAt(text, i)}`, 400, what);
  return { value, delay };
}
