/**
 * Received messages. The header section is decoded to one string (a datagram's text goes on with its body when
 * that is small: it was decoded in one go); an Int32Array records, per header field, where its name starts, where
 * its colon is, where its value ends and which known header it is. Values are sliced (and typed values parsed)
 * only when read. The body is a view into the received bytes.
 */
import type { CSeq, NameAddr, SipRequest, SipResponse, Via } from '../message.js';
import { parseNameAddrIn } from '../headers/name-addr.js';
import { parseViaIn } from '../headers/via.js';
import type { Uri } from '../uri.js';
import { parseUri } from '../uri.js';
import { SipError } from '../errors.js';
import { CANONICAL, COMPACT_KEY, FULL_KEY, H, idAt, nameKey } from '../header-names.js';
import { TypedHeaders } from './typed.js';
import type { RequestLine, StatusLine } from './start-line.js';
import { METHOD_LENGTHS, METHODS, SIP_2_0, isStatusLine, parseRequestLine, parseStatusLine } from './start-line.js';
import type { HeadScan } from './scan.js';
import { utf8Decoder } from '../../utf8.js';

/** Index word 3 of a field: bits 0-7 known-header id + 1 once classified (0: not yet), bit 8 folded, bits 16-30 name key. */
// XS boxes a primitive string into a new String object (two heap slots) on every property access, so the
// hot paths call String.prototype methods with the string as `this`; module-local consts let V8 inline them.
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const slice = String.prototype.slice;
const lastIndexOf = String.prototype.lastIndexOf;
const startsWith = String.prototype.startsWith;
// Search strings built at load time: in XS a string literal passed as an argument is copied on each call.
const LF = String.fromCharCode(10);
const COLON = String.fromCharCode(58);

const FOLDED = 0x100;
const ID_MASK = 0xff;
const KEY_MASK = 0x7fff0000;
/** Ints per header field in the index: name start, colon, value end, id | flags. */
const W = 4;
export const EMPTY_BODY: Uint8Array = new Uint8Array(0);
const EMPTY_INDEX = new Int32Array(0);
const EMPTY = String.fromCharCode();

abstract class ParsedBase extends TypedHeaders {
  /** The received bytes and where this message's start line, body and end are in them. */
  private src: Uint8Array;
  private so = 0;
  private bo = 0;
  private eo = 0;
  private bv: Uint8Array | undefined = undefined;
  /** Start line and header fields, decoded, each line with its CRLF; after them the body may follow. */
  readonly text: string;
  /** @internal Header index (filled by buildMessage). */
  ix: Int32Array = EMPTY_INDEX;
  /** @internal Number of header fields. */
  n = 0;
  /** @internal Value of the single Content-Length header, -1 when absent. */
  cl = -1;
  version: string = SIP_2_0;

  constructor(text: string) {
    super();
    this.src = EMPTY_BODY;
    this.text = text;
  }

  /** Sets where the message lies in the received bytes (no copy). */
  setBytes(src: Uint8Array, start: number, bodyStart: number, end: number): void {
    this.src = src;
    this.so = start;
    this.bo = bodyStart;
    this.eo = end;
    this.bv = undefined;
  }

  /** The whole message as received (start line to end of body): a view into the received bytes. */
  get raw(): Uint8Array {
    return this.src.subarray(this.so, this.eo);
  }

  /** The body: a view into the received bytes, empty when none. */
  get body(): Uint8Array {
    let b = this.bv;
    if (b === undefined) {
      b = this.eo > this.bo ? this.src.subarray(this.bo, this.eo) : EMPTY_BODY;
      this.bv = b;
    }
    return b;
  }

  protected nextOf(id: H, from: number): number {
    const ix = this.ix;
    const want = id + 1;
    const full = FULL_KEY[id]!;
    const compact = COMPACT_KEY[id]!;
    for (let i = from, n = this.n; i < n; i++) {
      const m = ix[i * W + 3]!;
      const cls = m & ID_MASK;
      if (cls === want) return i;
      if (cls !== 0) continue;
      // Only a name of the right length and first letter is compared (and then classified for good).
      const key = m & KEY_MASK;
      if ((key === full || key === compact) && this.classify(i) === want) return i;
    }
    return -1;
  }

  /** Works out (once) which known header field i is; returns id + 1. */
  private classify(i: number): number {
    const ix = this.ix;
    const s = ix[i * W]!;
    const m = idAt(this.text, s, nameEnd(this.text, s, ix[i * W + 1]!)) + 1;
    ix[i * W + 3]! |= m;
    return m;
  }

  protected nextNamed(lower: string, from: number): number {
    const ix = this.ix;
    const t = this.text;
    const want = nameKey(lower.length, lower.charCodeAt(0) | 0x20);
    for (let i = from, n = this.n; i < n; i++) {
      if ((ix[i * W + 3]! & KEY_MASK) !== want) continue;
      let m = ix[i * W + 3]! & ID_MASK;
      if (m === 0) m = this.classify(i);
      if (m !== H.Other + 1) continue;
      const s = ix[i * W]!;
      const e = nameEnd(t, s, ix[i * W + 1]!);
      if (e - s !== lower.length) continue;
      let k = 0;
      for (; k < lower.length; k++) {
        const c = charCodeAt.call(t, s + k);
        const w = lower.charCodeAt(k);
        if (c !== w && !(c >= 65 && c <= 90 && c + 32 === w)) break;
      }
      if (k === lower.length) return i;
    }
    return -1;
  }

  protected valueAt(i: number): string {
    const t = this.text;
    const ix = this.ix;
    let s = ix[i * W + 1]! + 1;
    let e = ix[i * W + 2]!;
    for (let c = charCodeAt.call(t, s); s < e && (c === 32 || c === 9 || c === 13 || c === 10); c = charCodeAt.call(t, ++s));
    for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
    const v = slice.call(t, s, e);
    return (ix[i * W + 3]! & FOLDED) !== 0 ? unfold(v) : v;
  }

  /** Number of header fields. */
  get fieldCount(): number {
    return this.n;
  }

  /** Name of header field i as on the wire. */
  nameAt(i: number): string {
    const s = this.ix[i * W]!;
    return slice.call(this.text, s, nameEnd(this.text, s, this.ix[i * W + 1]!));
  }

  /** Value of header field i (unfolded). */
  fieldValue(i: number): string {
    return this.valueAt(i);
  }

  /** Known-header id of field i (0 for other headers). */
  idAt(i: number): H {
    let m = this.ix[i * W + 3]! & ID_MASK;
    if (m === 0) m = this.classify(i);
    return (m - 1) as H;
  }

  headerLines(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.n; i++) out.push([this.nameAt(i), this.valueAt(i)]);
    return out;
  }

  // Call-ID and CSeq are read for every message: the usual value is checked where it lies in the message
  // text, without slicing the value first or building a match; anything else goes to the value parsers.

  override get callId(): string {
    const hit = this.cacheGet(H.CallId);
    if (typeof hit === 'string') return hit;
    const t = this.text;
    const ix = this.ix;
    const i = this.nextOf(H.CallId, 0);
    if (i >= 0 && (ix[i * W + 3]! & FOLDED) === 0) {
      let s = ix[i * W + 1]! + 1;
      let e = ix[i * W + 2]!;
      for (let c = charCodeAt.call(t, s); s < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++s));
      for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
      RE_CALL_ID.lastIndex = s;
      if (s < e && RE_CALL_ID.test(t) && RE_CALL_ID.lastIndex === e) {
        const v = slice.call(t, s, e);
        this.cacheSet(H.CallId, v);
        return v;
      }
    }
    return super.callId;
  }

  override get cseq(): CSeq {
    const hit = this.cacheGet(H.CSeq);
    if (hit !== undefined && typeof hit === 'object') return hit as CSeq;
    const t = this.text;
    const ix = this.ix;
    const i = this.nextOf(H.CSeq, 0);
    if (i >= 0 && (ix[i * W + 3]! & FOLDED) === 0) {
      let s = ix[i * W + 1]! + 1;
      let e = ix[i * W + 2]!;
      let c = charCodeAt.call(t, s);
      for (; s < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++s));
      for (let d = charCodeAt.call(t, e - 1); e > s && (d === 32 || d === 9); d = charCodeAt.call(t, --e - 1));
      let k = s;
      let seq = 0;
      for (; k < e && c >= 48 && c <= 57; c = charCodeAt.call(t, ++k)) seq = seq * 10 + c - 48;
      if (k > s && k - s <= 10 && seq <= MAX_SEQ && (c === 32 || c === 9)) {
        for (; k < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++k));
        RE_TOKEN.lastIndex = k;
        if (k < e && RE_TOKEN.test(t) && RE_TOKEN.lastIndex === e) {
          const v: CSeq = { seq, method: this.methodAt(k, e) };
          this.cacheSet(H.CSeq, v);
          return v;
        }
      }
    }
    return super.cseq;
  }

  // From, To and Via lines of the usual form are taken from the message text in place (no value copy).

  override get from(): NameAddr {
    return this.nameAddrIn(H.From, FROM) ?? super.from;
  }

  override get to(): NameAddr {
    return this.nameAddrIn(H.To, TO) ?? super.to;
  }

  override get via(): Via[] {
    const hit = this.cacheGet(H.Via);
    if (hit !== undefined) return hit as Via[];
    let list: Via[] | undefined;
    for (let i = this.nextOf(H.Via, 0); i >= 0; i = this.nextOf(H.Via, i + 1)) {
      if ((this.ix[i * W + 3]! & FOLDED) !== 0) return super.via;
      const s = this.valueStart(i);
      const v = parseViaIn(this.text, s, this.valueEnd(i, s));
      if (v === undefined) return super.via;
      if (list === undefined) list = [v];
      else list.push(v);
    }
    if (list === undefined) return super.via;
    this.cacheSet(H.Via, list);
    return list;
  }

  private nameAddrIn(id: H, what: string): NameAddr | undefined {
    const hit = this.cacheGet(id);
    if (hit !== undefined) return undefined; // the general getter answers from the cache
    const i = this.nextOf(id, 0);
    if (i < 0 || (this.ix[i * W + 3]! & FOLDED) !== 0) return undefined;
    const s = this.valueStart(i);
    const v = parseNameAddrIn(this.text, s, this.valueEnd(i, s), what);
    if (v !== undefined) this.cacheSet(id, v);
    return v;
  }

  /** Where the value of field i starts (after the colon and whitespace). */
  private valueStart(i: number): number {
    const t = this.text;
    let s = this.ix[i * W + 1]! + 1;
    const e = this.ix[i * W + 2]!;
    for (let c = charCodeAt.call(t, s); s < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++s));
    return s;
  }

  /** Where the value of field i ends (before trailing whitespace), not before s. */
  private valueEnd(i: number, s: number): number {
    const t = this.text;
    let e = this.ix[i * W + 2]!;
    for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
    return e;
  }

  /** The method name text[s, e): the request's own or a known one when equal (no copy), else a slice. */
  private methodAt(s: number, e: number): string {
    const t = this.text;
    const own = this instanceof ParsedRequest ? this.method : EMPTY;
    if (lastIndexOf.call(own, EMPTY) === e - s && startsWith.call(t, own, s)) return own;
    for (let k = 0; k < METHODS.length; k++) {
      if (METHOD_LENGTHS[k] === e - s && startsWith.call(t, METHODS[k]!, s)) return METHODS[k]!;
    }
    return slice.call(t, s, e);
  }
}

const MAX_SEQ = 2 ** 31 - 1;
// Header names built at load time: XS copies a string literal argument on every call.
const FROM = 'From'.slice(0);
const TO = 'To'.slice(0);
const RE_CALL_ID = /[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?/y;
const RE_TOKEN = /[A-Za-z0-9\-.!%*_+`'~]+/y;

export class ParsedRequest extends ParsedBase implements SipRequest, RequestLine {
  method = '';
  /** @internal Request-URI offsets in text. */
  us = 0;
  /** @internal */
  ue = 0;

  get kind(): 'request' {
    return 'request';
  }

  /** The Request-URI as received. */
  get uriText(): string {
    return slice.call(this.text, this.us, this.ue);
  }

  /** The Request-URI, parsed on first read (SipError 400 when malformed). */
  get uri(): Uri {
    let u = this.cacheGet(0) as Uri | undefined;
    if (u === undefined) {
      try {
        u = parseUri(this.uriText);
      } catch (e) {
        if (e instanceof SipError) throw new SipError(`bad Request-URI: ${e.message}`, e.status, 'Request-URI');
        throw e;
      }
      this.cacheSet(0, u);
    }
    return u;
  }
}

export class ParsedResponse extends ParsedBase implements SipResponse, StatusLine {
  status = 0;
  /** @internal Reason-Phrase offsets in text. */
  rs = 0;
  /** @internal */
  re = 0;

  get kind(): 'response' {
    return 'response';
  }

  get reason(): string {
    return slice.call(this.text, this.rs, this.re);
  }
}

export type ParsedMessage = ParsedRequest | ParsedResponse;

function nameEnd(t: string, s: number, colon: number): number {
  let e = colon;
  for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
  return e;
}

/** Replaces each line break and the whitespace around it with one SP (RFC 3261 §7.3.1). */
function unfold(v: string): string {
  let out = '';
  let p = 0;
  for (;;) {
    const nl = indexOf.call(v, LF, p);
    if (nl < 0) return out + slice.call(v, p);
    let e = nl;
    for (let c = charCodeAt.call(v, e - 1); e > p && (c === 13 || c === 32 || c === 9); c = charCodeAt.call(v, --e - 1));
    out += slice.call(v, p, e);
    p = nl + 1;
    for (let c = charCodeAt.call(v, p); p < v.length && (c === 32 || c === 9); c = charCodeAt.call(v, ++p));
    if (e > 0 || out.length > 0) out += ' ';
  }
}

/**
 * Builds a message from the header section the scan found (start line and header fields, each line ended
 * by LF). Fills in `s.contentLength`. Only Content-Length is identified here; other names are classified
 * when first looked up.
 */
export function buildHead(bytes: Uint8Array, s: HeadScan): ParsedMessage {
  const text = utf8Decoder().decode(bytes.subarray(s.start, s.headerEnd));
  const msg = buildMessage(text, lastIndexOf.call(text, EMPTY), s.fields, s.fields);
  s.contentLength = msg.cl;
  return msg;
}

/**
 * Builds a message from text[0, headerEnd): the start line and the header fields, each line ended by LF
 * (text may go on with the body). `fields` is the number of header fields when known (a scan counted
 * them), else -1; more than `maxFields` is a 513.
 */
export function buildMessage(text: string, headerEnd: number, fields: number, maxFields: number): ParsedMessage {
  const len = headerEnd;
  let sl0 = indexOf.call(text, LF);
  if (sl0 >= len) sl0 = -1;
  let sle = sl0 < 0 ? len : sl0;
  if (sle > 0 && charCodeAt.call(text, sle - 1) === 13) sle--;
  let msg: ParsedMessage;
  if (isStatusLine(text, sle)) {
    const r = new ParsedResponse(text);
    parseStatusLine(text, sle, r);
    msg = r;
  } else {
    const r = new ParsedRequest(text);
    parseRequestLine(text, sle, r);
    msg = r;
  }
  let p = sl0 < 0 ? len : sl0 + 1;
  // Without a count, room for lines of 32 bytes on average; grown if they are shorter.
  let ix = new Int32Array((fields >= 0 ? (fields > 0 ? fields : 1) : ((len - p) >> 5) + 2) * W);
  let n = 0;
  let cl = -1;
  while (p < len) {
    let nl = indexOf.call(text, LF, p);
    if (nl < 0 || nl >= len) nl = len;
    let e = nl;
    if (e > p && charCodeAt.call(text, e - 1) === 13) e--;
    const c0 = charCodeAt.call(text, p);
    if (c0 === 32 || c0 === 9) {
      if (n === 0) throw new SipError('bad header: continuation line before any header field');
      ix[(n - 1) * W + 2] = e;
      ix[(n - 1) * W + 3]! |= FOLDED;
    } else {
      if (n >= maxFields) throw new SipError('too many header fields', 513);
      const colon = indexOf.call(text, COLON, p);
      if (colon < 0 || colon > e) throw new SipError(`bad header field: missing colon in ${JSON.stringify(slice.call(text, p, Math.min(e, p + 40)))}`);
      if (n * W >= ix.length) {
        if (fields >= 0) throw new SipError('bad header section: too many fields');
        const bigger = new Int32Array(ix.length * 2);
        bigger.set(ix);
        ix = bigger;
      }
      let ne = colon;
      for (let c = charCodeAt.call(text, ne - 1); ne > p && (c === 32 || c === 9); c = charCodeAt.call(text, --ne - 1));
      if (ne === p) throw new SipError('bad header field: empty header name');
      const k = n * W;
      ix[k] = p;
      ix[k + 1] = colon;
      ix[k + 2] = e;
      const nlen = ne - p;
      const c1 = c0 | 0x20;
      const key = nameKey(nlen, c1);
      // Content-Length (needed now) and the headers read from every message are identified here, mostly by
      // one comparison with the usual spelling; other names when first looked up.
      const hot = hotId(c1, nlen);
      if (hot === H.Other) ix[k + 3] = key;
      else {
        const id = nlen === 1 || startsWith.call(text, CANONICAL[hot]!, p) ? hot : idAt(text, p, ne);
        ix[k + 3] = key | (id + 1);
        if (id === H.ContentLength) {
          if (cl >= 0) throw new SipError('multiple Content-Length headers', 400, 'Content-Length');
          cl = n;
        }
      }
      n++;
    }
    p = nl + 1;
  }
  msg.ix = ix;
  msg.n = n;
  msg.cl = cl < 0 ? -1 : contentLengthAt(msg, text, ix, cl);
  return msg;
}

/** The known header a name of this length and lower-cased first letter may be, among those identified at once. */
function hotId(c1: number, len: number): H {
  switch (c1) {
    case 0x63: return len === 7 ? H.CallId : len === 4 ? H.CSeq : len === 14 ? H.ContentLength : H.Other;
    case 0x69: return len === 1 ? H.CallId : H.Other;
    case 0x66: return len === 4 || len === 1 ? H.From : H.Other;
    case 0x74: return len === 2 || len === 1 ? H.To : H.Other;
    case 0x76: return len === 3 || len === 1 ? H.Via : H.Other;
    case 0x6c: return len === 1 ? H.ContentLength : H.Other;
    default: return H.Other;
  }
}

/** Content-Length of field i read in place (1 to 9 digits, not folded); anything else by readContentLength. */
function contentLengthAt(msg: ParsedMessage, t: string, ix: Int32Array, i: number): number {
  if ((ix[i * W + 3]! & FOLDED) === 0) {
    let s = ix[i * W + 1]! + 1;
    let e = ix[i * W + 2]!;
    for (let c = charCodeAt.call(t, s); s < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++s));
    for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
    if (e > s && e - s < 10) {
      let x = 0;
      let k = s;
      for (; k < e; k++) {
        const c = charCodeAt.call(t, k);
        if (c < 48 || c > 57) break;
        x = x * 10 + c - 48;
      }
      if (k === e) return x;
    }
  }
  return readContentLength(msg.fieldValue(i));
}

function readContentLength(v: string): number {
  const n = v.length;
  if (n === 0 || n > 10) throw new SipError(`bad Content-Length: ${JSON.stringify(v)}`, 400, 'Content-Length');
  let x = 0;
  for (let i = 0; i < n; i++) {
    const c = charCodeAt.call(v, i);
    if (c < 48 || c > 57) throw new SipError(`bad Content-Length: ${JSON.stringify(v)} is not a number`, 400, 'Content-Length');
    x = x * 10 + c - 48;
  }
  return x;
}
