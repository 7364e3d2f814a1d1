/**
 * Stream mode (TCP/TLS): frames messages by Content-Length (mandatory here, RFC 3261 §18.3), skips the
 * CRLFs sent as keep-alives between messages (RFC 5626 §3.5.1) and survives a split at any byte. A message
 * wholly inside one chunk is a view into that chunk; one split across chunks is copied out of an internal
 * buffer that never holds more than the limits allow. Errors throw SipError; the caller closes the connection.
 */
import { SipError } from '../errors.js';
import type { ParserLimits } from './limits.js';
import { resolveLimits } from './limits.js';
import { HeadScan, scanHead } from './scan.js';
import { EMPTY_BODY, buildHead } from './parsed.js';
import type { ParsedMessage } from './parsed.js';

/** 'ping': a double CRLF arrived (answer with a single CRLF); 'pong': a single CRLF arrived. */
export type KeepAlive = 'ping' | 'pong';

export class StreamParser {
  private readonly onMessage: (m: ParsedMessage) => void;
  private readonly onKeepAlive: ((k: KeepAlive) => void) | undefined;
  private readonly limits: Readonly<ParserLimits>;
  private buf: Uint8Array = EMPTY_BODY;
  private len = 0;
  private readonly scan = new HeadScan();
  /** Headers parsed, body still arriving. */
  private head: ParsedMessage | undefined = undefined;
  private total = 0;
  /** Line ends seen in the CRLF run between messages. */
  private crlfs = 0;
  private pongSent = false;

  constructor(onMessage: (m: ParsedMessage) => void, limits?: Partial<ParserLimits>, onKeepAlive?: (k: KeepAlive) => void) {
    this.onMessage = onMessage;
    this.limits = resolveLimits(limits);
    this.onKeepAlive = onKeepAlive;
    this.scan.reset(0);
  }

  /** Bytes held while waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.len;
  }

  /** Largest number of bytes one message may occupy. */
  private get maxMessage(): number {
    const l = this.limits;
    return l.startLineBytes + l.headerBytes + l.bodyBytes;
  }

  feed(chunk: Uint8Array): void {
    if (this.len === 0) {
      const off = this.process(chunk, 0, chunk.length, true);
      if (off < chunk.length) this.stash(chunk, off, chunk.length);
      return;
    }
    let p = 0;
    while (p < chunk.length) {
      const room = this.maxMessage - this.len;
      if (room <= 0) throw new SipError('message too large', 513);
      const take = Math.min(room, chunk.length - p);
      this.append(chunk, p, take);
      p += take;
      const off = this.process(this.buf, 0, this.len, false);
      if (off > 0) {
        this.buf.copyWithin(0, off, this.len);
        this.len -= off;
        this.scan.shift(-off);
        if (this.head !== undefined) this.total -= off;
      }
      if (this.len === 0 && p < chunk.length) {
        const rest = chunk.subarray(p);
        const o2 = this.process(rest, 0, rest.length, true);
        if (o2 < rest.length) this.stash(rest, o2, rest.length);
        return;
      }
    }
  }

  /** Forgets any partial message (after the connection was reset). */
  reset(): void {
    this.buf = EMPTY_BODY;
    this.len = 0;
    this.head = undefined;
    this.total = 0;
    this.crlfs = 0;
    this.pongSent = false;
    this.scan.reset(0);
  }

  /** Emits every complete message in bytes[off, end); returns where the unconsumed bytes begin. */
  private process(bytes: Uint8Array, off: number, end: number, zeroCopy: boolean): number {
    for (;;) {
      if (this.head === undefined) {
        if (this.scan.pos === this.scan.start && this.scan.startLineEnd < 0) {
          off = this.skipKeepAlive(bytes, off, end);
          if (off === end) return off;
          if (this.scan.start !== off) this.scan.reset(off);
        }
        if (!scanHead(bytes, end, this.scan, this.limits)) return this.scan.start;
        const s = this.scan;
        const head = buildHead(bytes, s);
        const cl = s.contentLength;
        if (cl < 0) throw new SipError('missing Content-Length (required on stream transports)', 400, 'Content-Length');
        if (cl > this.limits.bodyBytes) throw new SipError('body too large', 413);
        this.head = head;
        this.total = s.bodyStart + cl;
      }
      const s = this.scan;
      if (end < this.total) return s.start;
      const head = this.head;
      if (zeroCopy) head.setBytes(bytes, s.start, s.bodyStart, this.total);
      else head.setBytes(bytes.slice(s.start, this.total), 0, s.bodyStart - s.start, this.total - s.start);
      off = this.total;
      this.head = undefined;
      this.scan.reset(off);
      this.onMessage(head);
    }
  }

  private skipKeepAlive(bytes: Uint8Array, off: number, end: number): number {
    while (off < end) {
      const c = bytes[off]!;
      if (c === 10) {
        if (++this.crlfs === 2) {
          this.crlfs = 0;
          this.pongSent = false;
          this.onKeepAlive?.('ping');
        }
      } else if (c !== 13) {
        if (this.crlfs === 1 && !this.pongSent) this.onKeepAlive?.('pong');
        this.crlfs = 0;
        this.pongSent = false;
        return off;
      }
      off++;
    }
    if (this.crlfs === 1 && !this.pongSent) {
      this.pongSent = true;
      this.onKeepAlive?.('pong');
    }
    return off;
  }

  private stash(src: Uint8Array, from: number, to: number): void {
    this.len = 0;
    this.append(src, from, to - from);
    this.scan.shift(-from);
    if (this.head !== undefined) this.total -= from;
  }

  private append(src: Uint8Array, from: number, count: number): void {
    const need = this.len + count;
    if (need > this.buf.length) {
      let cap = this.buf.length > 0 ? this.buf.length : 512;
      while (cap < need) cap *= 2;
      cap = Math.min(cap, Math.max(need, this.maxMessage));
      const nb = new Uint8Array(cap);
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    this.buf.set(src.subarray(from, from + count), this.len);
    this.len = need;
  }
}
