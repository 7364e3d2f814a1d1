/** Datagram mode (UDP): one message per datagram; without Content-Length the rest of the datagram is the body. */
import { SipError } from '../errors.js';
import type { ParserLimits } from './limits.js';
import { resolveLimits } from './limits.js';
import { HeadScan, scanHead } from './scan.js';
import { buildHead } from './parsed.js';
import type { ParsedMessage } from './parsed.js';

/** True when the datagram holds only CR/LF (a keep-alive, RFC 5626 §3.5.1), which is not a message. */
export function isKeepAlive(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 13 && bytes[i] !== 10) return false;
  return true;
}

/**
 * Parses one SIP message from a datagram. Leading CRLFs are skipped; bytes after Content-Length are
 * ignored (RFC 3261 §18.3). Throws SipError for framing, limit and start-line errors; header values are
 * checked only when read (or by validate()).
 */
export function parseMessage(bytes: Uint8Array, limits?: Partial<ParserLimits>): ParsedMessage {
  const lim = resolveLimits(limits);
  const end = bytes.length;
  let start = 0;
  while (start < end && (bytes[start] === 13 || bytes[start] === 10)) start++;
  if (start === end) throw new SipError('empty message');
  const s = new HeadScan();
  s.reset(start);
  if (!scanHead(bytes, end, s, lim)) {
    // Tolerate a datagram whose last header line ends the datagram without the empty line.
    if (bytes[end - 1] !== 10 || s.startLineEnd < 0) throw new SipError('incomplete message: no empty line after the header fields');
    s.headerEnd = end;
    s.bodyStart = end;
  }
  const msg = buildHead(bytes, s);
  const f = s;
  let bodyEnd = end;
  if (f.contentLength >= 0) {
    if (f.contentLength > lim.bodyBytes) throw new SipError('body too large', 413);
    bodyEnd = s.bodyStart + f.contentLength;
    if (bodyEnd > end) {
      throw new SipError(`Content-Length ${f.contentLength} larger than the message body (${end - s.bodyStart} bytes)`, 400, 'Content-Length');
    }
  } else if (end - s.bodyStart > lim.bodyBytes) throw new SipError('body too large', 413);
  msg.setBytes(bytes, start, s.bodyStart, bodyEnd);
  return msg;
}
