/** Datagram mode (UDP): one message per datagram; without Content-Length the rest of the datagram is the body. */
import { SipError } from '../errors.js';
import type { ParserLimits } from './limits.js';
import { resolveLimits } from './limits.js';
import { HeadScan, scanHead } from './scan.js';
import { buildHead, buildMessage, builtContentLength } from './parsed.js';
import type { ParsedMessage } from './parsed.js';
import { utf8Decoder } from '../../utf8.js';

// Called with the string as `this` (XS boxes a primitive string on every property access); search strings
// built at load time (XS copies a string literal argument on every call).
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const lastIndexOf = String.prototype.lastIndexOf;
const EMPTY = String.fromCharCode();
const LF = String.fromCharCode(10);
/** Bodies up to this size stay in the decoded message text; a larger one is cut off the kept text. */
const KEEP_BODY = 1024;

const INCOMPLETE = 'incomplete message: no empty line after the header fields';

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
  // Decoded once, the datagram's lines are found by native string searches (a byte-by-byte scan is ~40x
  // slower in XS). When every byte decodes to one UTF-16 unit (lengths equal), string and byte offsets agree.
  const text = utf8Decoder().decode(start === 0 ? bytes : bytes.subarray(start));
  if (lastIndexOf.call(text, EMPTY) === end - start) return parseText(text, bytes, start, end, lim);
  const s = new HeadScan();
  s.reset(start);
  if (!scanHead(bytes, end, s, lim)) {
    // Tolerate a datagram whose last header line ends the datagram without the empty line.
    if (bytes[end - 1] !== 10 || s.startLineEnd < 0) throw new SipError(INCOMPLETE);
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

/** parseMessage for a datagram whose bytes from `start` decoded one to one into `text`. */
function parseText(text: string, bytes: Uint8Array, start: number, end: number, lim: Readonly<ParserLimits>): ParsedMessage {
  const len = end - start;
  const sl0 = indexOf.call(text, LF);
  if (sl0 < 0) {
    if (len > lim.startLineBytes) throw new SipError('start line too long', 513);
    throw new SipError(INCOMPLETE);
  }
  if (sl0 + 1 > lim.startLineBytes) throw new SipError('start line too long', 513);
  // One pass over the lines finds the fields and the empty line that ends them.
  const msg = buildMessage(text, len, lim.headerCount, lim.headerBytes);
  msg.al = true;
  const he = msg.headEnd;
  let bs: number;
  if (he < len) bs = he + (charCodeAt.call(text, he) === 13 ? 2 : 1);
  else {
    // Tolerate a datagram whose last header line ends the datagram without the empty line.
    if (charCodeAt.call(text, len - 1) !== 10) throw new SipError(INCOMPLETE);
    bs = len;
  }
  if (len - bs > KEEP_BODY) msg.keepText(he);
  const bodyStart = start + bs;
  let bodyEnd = end;
  const cl = builtContentLength;
  if (cl >= 0) {
    if (cl > lim.bodyBytes) throw new SipError('body too large', 413);
    bodyEnd = bodyStart + cl;
    if (bodyEnd > end) {
      throw new SipError(`Content-Length ${cl} larger than the message body (${end - bodyStart} bytes)`, 400, 'Content-Length');
    }
  } else if (end - bodyStart > lim.bodyBytes) throw new SipError('body too large', 413);
  msg.setBytes(bytes, start, bodyStart, bodyEnd);
  return msg;
}
