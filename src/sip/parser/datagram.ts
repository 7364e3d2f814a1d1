/** Datagram mode (UDP): one message per datagram; without Content-Length the rest of the datagram is the body. */
import { SipError } from '../errors.js';
import type { ParserLimits } from './limits.js';
import { resolveLimits } from './limits.js';
import { HeadScan, scanHead } from './scan.js';
import { buildHead, buildMessage } from './parsed.js';
import type { ParsedMessage } from './parsed.js';
import { utf8Decoder } from '../../utf8.js';

// Called with the string as `this` (XS boxes a primitive string on every property access); search strings
// built at load time (XS copies a string literal argument on every call).
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const lastIndexOf = String.prototype.lastIndexOf;
const slice = String.prototype.slice;
const EMPTY = String.fromCharCode();
const LF = String.fromCharCode(10);
const LF_CRLF = String.fromCharCode(10, 13, 10);
const LF_LF = String.fromCharCode(10, 10);
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
  // The empty line: LF CR LF or LF LF, whichever comes first.
  let he = indexOf.call(text, LF_CRLF, sl0);
  let bs = he + 3;
  const lflf = indexOf.call(text, LF_LF, sl0);
  if (lflf >= 0 && (he < 0 || lflf < he)) {
    he = lflf;
    bs = lflf + 2;
  }
  let headerEnd: number;
  // Errors in the order a line-by-line scan meets them (the field count is checked line by line).
  if ((he < 0 ? len : bs) - sl0 - 1 > lim.headerBytes) {
    throw tooMany(text, sl0 + 1, sl0 + lim.headerBytes, lim.headerCount) ?? new SipError('header section too large', 513);
  }
  if (he < 0) {
    // Tolerate a datagram whose last header line ends the datagram without the empty line.
    if (charCodeAt.call(text, len - 1) !== 10) throw tooMany(text, sl0 + 1, len, lim.headerCount) ?? new SipError(INCOMPLETE);
    headerEnd = len;
    bs = len;
  } else headerEnd = he + 1;
  let msg: ParsedMessage;
  try {
    msg = buildMessage(len - bs > KEEP_BODY ? slice.call(text, 0, headerEnd) : text, headerEnd, lim.headerCount);
  } catch (e) {
    throw tooMany(text, sl0 + 1, headerEnd, lim.headerCount) ?? e;
  }
  const bodyStart = start + bs;
  let bodyEnd = end;
  const cl = msg.cl;
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

/**
 * The error a line-by-line scan would have met first: more than max header fields among the lines of
 * text[p, ...) whose LF is at or before lastLf (only called on the way to another error).
 */
function tooMany(text: string, p: number, lastLf: number, max: number): SipError | undefined {
  let count = 0;
  for (;;) {
    const nl = indexOf.call(text, LF, p);
    if (nl < 0 || nl > lastLf || nl === p || (nl === p + 1 && charCodeAt.call(text, p) === 13)) return undefined;
    const c = charCodeAt.call(text, p);
    if (c !== 32 && c !== 9 && ++count > max) return new SipError('too many header fields', 513);
    p = nl + 1;
  }
}
