/**
 * multipart/* bodies (RFC 2046 §5.1) split into their parts. Bodies are byte views into the message body;
 * only each part's header lines are decoded.
 */
import type { MediaType, SipMessage } from './message.js';
import { SipError } from './errors.js';
import { parseMediaType } from './headers/media-type.js';
import { utf8Decoder } from '../utf8.js';

export interface BodyPart {
  /** Part header fields in order, names as written, values unfolded. */
  headers: Array<[string, string]>;
  /** Content-Type of the part; RFC 2046 §5.1 default text/plain when absent. */
  contentType: MediaType;
  body: Uint8Array;
}

const DEFAULT_TYPE: MediaType = Object.freeze({ type: 'text', subtype: 'plain', params: Object.freeze({ charset: 'us-ascii' }) }) as MediaType;

/** Index of `pat` in `b` at or after `from` that starts a line (at `start` or after LF), or -1. */
function findDelimiter(b: Uint8Array, pat: Uint8Array, from: number, start: number): number {
  const first = pat[0]!;
  for (let i = b.indexOf(first, from); i >= 0 && i + pat.length <= b.length; i = b.indexOf(first, i + 1)) {
    if (i !== start && b[i - 1] !== 10) continue;
    let k = 1;
    while (k < pat.length && b[i + k] === pat[k]) k++;
    if (k === pat.length) return i;
  }
  return -1;
}

/** Splits a multipart body on `boundary`. Throws SipError (400) when the body has no delimiter line. */
export function splitMultipart(body: Uint8Array, boundary: string): BodyPart[] {
  if (boundary.length === 0 || boundary.length > 70) throw new SipError('bad multipart body: bad boundary', 400, 'Content-Type');
  const pat = new TextEncoder().encode('--' + boundary);
  let d = findDelimiter(body, pat, 0, 0);
  if (d < 0) throw new SipError('bad multipart body: boundary not found', 400, 'Content-Type');
  const parts: BodyPart[] = [];
  for (;;) {
    let p = d + pat.length;
    if (body[p] === 45 && body[p + 1] === 45) return parts; // close delimiter
    const eol = body.indexOf(10, p);
    if (eol < 0) return parts;
    p = eol + 1;
    const next = findDelimiter(body, pat, p, -1);
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    let end = next < 0 ? body.length : next;
    if (next >= 0) {
      if (end > p && body[end - 1] === 10) end--;
      if (end > p && body[end - 1] === 13) end--;
    }
    parts.push(parsePart(body.subarray(p, end)));
    if (next < 0) return parts;
    d = next;
  }
}

function parsePart(bytes: Uint8Array): BodyPart {
  // Header lines end at the first empty line; a part may have no headers at all (starts with CRLF).
  let p = 0;
  let headEnd = -1;
  let bodyStart = 0;
  for (;;) {
    const nl = bytes.indexOf(10, p);
    if (nl < 0) break;
    if (nl === p || (nl === p + 1 && bytes[p] === 13)) {
      headEnd = p;
      bodyStart = nl + 1;
      break;
    }
    p = nl + 1;
  }
  const headers: Array<[string, string]> = [];
  if (headEnd < 0) return { headers, contentType: DEFAULT_TYPE, body: bytes };
  const text = utf8Decoder().decode(bytes.subarray(0, headEnd));
  for (const line of text.split(/\r?\n(?![ \t])/)) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipError('bad multipart body: part header without a colon', 400, 'Content-Type');
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim()]);
  }
  let contentType = DEFAULT_TYPE;
  for (const [n, v] of headers) {
    const l = n.toLowerCase();
    if (l === 'content-type' || l === 'c') contentType = parseMediaType(v);
  }
  return { headers, contentType, body: bytes.subarray(bodyStart) };
}

/** The parts of a message whose Content-Type is multipart/*; [] for any other body. */
export function multipartParts(m: SipMessage): BodyPart[] {
  const ct = m.contentType;
  if (ct === undefined || ct.type !== 'multipart') return [];
  const boundary = ct.params['boundary'];
  if (boundary === undefined || boundary === null) throw new SipError('bad Content-Type: multipart without boundary', 400, 'Content-Type');
  return splitMultipart(m.body, boundary);
}
