/**
 * Via helpers for the transport layer: fresh RFC 3261 branches, our own Via with rport (RFC 3581), and the
 * received/rport stamping (§18.2.1, RFC 3581 §4) applied to the top Via of a serialized response.
 */
import type { Random } from '../../../hal/random.js';
import type { Via } from '../message.js';
import { formatVia, parseViaAt } from '../headers/via.js';
import type { Protocol, Source } from './types.js';
import { utf8Decoder, utf8Encoder } from '../../utf8.js';

export const MAGIC_COOKIE = 'z9hG4bK';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random token of `length` characters from [a-z0-9] (≈5.2 bits each). */
export function randomToken(random: Random, length = 16): string {
  const bytes = random.fill(new Uint8Array(length));
  let out = '';
  // 252 = 7 * 36: rejecting bytes above it keeps every character equally likely.
  for (let i = 0; i < length; i++) {
    let b = bytes[i]!;
    while (b >= 252) b = random.fill(new Uint8Array(1))[0]!;
    out += ALPHABET[b % 36];
  }
  return out;
}

/** A branch unique in space and time (§8.1.1.7): the magic cookie and 96+ random bits. */
export function newBranch(random: Random): string {
  return MAGIC_COOKIE + randomToken(random, 20);
}

/** Our Via for a request: sent-by, a branch, and an empty rport asking for the source port back (RFC 3581 §3). */
export function ourVia(protocol: Protocol, host: string, port: number | undefined, branch: string, rport = true): Via {
  const params: Via['params'] = { branch };
  if (rport) params['rport'] = null;
  const via: Via = { protocol: 'SIP/2.0', transport: protocol, host, params, branch };
  if (port !== undefined) via.port = port;
  if (rport) via.rport = null;
  return via;
}

/**
 * §18.2.1 / RFC 3581 §4: the received and rport values the server adds to the top Via of a request it got
 * from `source`. received when sent-by differs from the source address, or always when rport was asked for.
 */
export function receivedParams(via: Via, source: Source): { received?: string; rport?: number } {
  const out: { received?: string; rport?: number } = {};
  const askedPort = via.rport === null || via.params['rport'] === null;
  if (askedPort || via.host !== source.address.toLowerCase()) out.received = source.address;
  if (askedPort) out.rport = source.port;
  return out;
}

/** Where the first via-parm of the first Via header sits in the header text, or undefined. */
function findTopVia(head: string): { start: number; end: number } | undefined {
  let line = head.indexOf('\n') + 1; // skip the start line
  while (line > 0 && line < head.length) {
    const next = head.indexOf('\n', line);
    const lineEnd = next < 0 ? head.length : next;
    if (lineEnd - line <= 1) return undefined; // empty line: end of headers
    const colon = head.indexOf(':', line);
    if (colon > line && colon < lineEnd) {
      const name = head.slice(line, colon).trim().toLowerCase();
      if (name === 'via' || name === 'v') {
        let start = colon + 1;
        while (head.charCodeAt(start) === 32 || head.charCodeAt(start) === 9) start++;
        let end = lineEnd;
        if (head.charCodeAt(end - 1) === 13) end--;
        return { start, end };
      }
    }
    line = next + 1;
  }
  return undefined;
}

/**
 * Rewrites the top Via of serialized message bytes with `change`, leaving every other byte as it was.
 * Returns the input unchanged when there is no Via or it does not parse.
 */
export function rewriteTopVia(bytes: Uint8Array, change: (via: Via) => Via): Uint8Array {
  let headEnd = -1;
  // Native indexOf hops between CRs (XS runs per-byte JS loops slowly).
  for (let i = bytes.indexOf(13); i >= 0 && i + 3 < bytes.length; i = bytes.indexOf(13, i + 1)) {
    if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      headEnd = i + 2;
      break;
    }
  }
  if (headEnd < 0) return bytes;
  const head = utf8Decoder().decode(bytes.subarray(0, headEnd));
  const at = findTopVia(head);
  if (!at) return bytes;
  let parsed: { via: Via; end: number };
  try {
    parsed = parseViaAt(head.slice(at.start, at.end), 0);
  } catch {
    return bytes;
  }
  const replaced = formatVia(change(parsed.via));
  const newHead = utf8Encoder().encode(head.slice(0, at.start) + replaced + head.slice(at.start + parsed.end));
  const out = new Uint8Array(newHead.length + bytes.length - headEnd);
  out.set(newHead, 0);
  out.set(bytes.subarray(headEnd), newHead.length);
  return out;
}

/** Adds received/rport for `source` to the top Via of a serialized response. */
export function stampResponseVia(bytes: Uint8Array, via: Via, source: Source): Uint8Array {
  const p = receivedParams(via, source);
  if (p.received === undefined && p.rport === undefined) return bytes;
  return rewriteTopVia(bytes, (v) => {
    const params = { ...v.params };
    const out: Via = { ...v, params };
    if (p.received !== undefined) {
      out.received = p.received;
      params['received'] = p.received;
    }
    if (p.rport !== undefined) {
      out.rport = p.rport;
      params['rport'] = String(p.rport);
    }
    return out;
  });
}

/** §18.1.1: when a request moves to another transport, its top Via must say so. */
export function setViaTransport(bytes: Uint8Array, protocol: Protocol): Uint8Array {
  return rewriteTopVia(bytes, (v) => ({ ...v, transport: protocol }));
}
