/** Media types (Content-Type, RFC 3261 §20.15) and Accept media ranges (§20.1). */
import type { MediaType } from '../message.js';
import { SipError } from '../errors.js';
import { formatParams, parseParams } from './params.js';
import { C_TOKEN, describeAt, scanClass, skipWs } from './scan.js';

/** Parses type/subtype at i (LWS allowed around '/'), then params. `range` admits '*'. */
export function parseMediaTypeAt(text: string, i: number, what: string, range = false): { value: MediaType; end: number } {
  i = skipWs(text, i);
  const te = scanClass(text, i, C_TOKEN);
  if (te === i) throw new SipError(`bad ${what}: missing media type at ${describeAt(text, i)}`, 400, what);
  const type = text.slice(i, te).toLowerCase();
  let k = skipWs(text, te);
  if (text.charCodeAt(k) !== 47) throw new SipError(`bad ${what}: expected '/' after ${type}, found ${describeAt(text, k)}`, 400, what);
  k = skipWs(text, k + 1);
  const se = scanClass(text, k, C_TOKEN);
  if (se === k) throw new SipError(`bad ${what}: missing subtype at ${describeAt(text, k)}`, 400, what);
  const subtype = text.slice(k, se).toLowerCase();
  if (!range ? type === '*' || subtype === '*' : type === '*' && subtype !== '*') {
    throw new SipError(`bad ${what}: bad media type ${type}/${subtype}`, 400, what);
  }
  const r = parseParams(text, se, what);
  return { value: { type, subtype, params: r.params }, end: r.end };
}

export function parseMediaType(text: string, what = 'Content-Type'): MediaType {
  const r = parseMediaTypeAt(text, 0, what);
  if (r.end < text.length) throw new SipError(`bad ${what}: unexpected ${describeAt(text, r.end)}`, 400, what);
  return r.value;
}

export function formatMediaType(m: MediaType): string {
  return m.type + '/' + m.subtype + formatParams(m.params);
}

/** True when m is type/subtype (case-insensitive), ignoring parameters. */
export function isMediaType(m: MediaType | undefined, type: string, subtype: string): boolean {
  return m !== undefined && m.type === type.toLowerCase() && m.subtype === subtype.toLowerCase();
}
