/** Simple header values: token lists (Allow, Supported, Require...), unsigned integers, Accept. */
import type { MediaType } from '../message.js';
import { SipError } from '../errors.js';
import { parseMediaTypeAt } from './media-type.js';
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
