/**
 * Received messages. The header section is decoded to one string (a datagram's text goes on with its body when
 * that is small: it was decoded in one go); a Uint16Array records, per header field, where its name starts, where
 * its colon is and which known header it is. Values are sliced (and typed values parsed) only when read. The body
 * is a view into the received bytes.
 */
import type { CSeq, NameAddr, SipRequest, SipResponse, Via } from '../message.js';
import { parseNameAddrIn } from '../headers/name-addr.js';
import { parseTopVia, parseViaIn } from '../headers/via.js';
import { CHAR_CLASS, C_TOKEN, C_WORD, classRun } from '../headers/scan.js';
import type { Uri } from '../uri.js';
import { parseUri } from '../uri.js';
import { SipError } from '../errors.js';
import { COMPACT_KEY, FULL_KEY, H, idAt, sameLower } from '../header-names.js';
import { TypedHeaders } from './typed.js';
import type { RequestLine, StatusLine } from './start-line.js';
import { METHOD_LENGTHS, METHODS, SIP_2_0, isStatusLine, parseRequestLine, parseStatusLine } from './start-line.js';
import type { HeadScan } from './scan.js';
import { utf8Decoder } from '../../utf8.js';

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

/**
 * The header index is a Uint16Array: for field i, word 2i is where its name starts and word 2i+1 holds
 * bits 0-6 known-header id + 1 once classified (0: not yet), bit 7 folded, bits 8-15 the colon's offset from
 * the name's start (255: farther, found by a search); word 2n is where the header section ends. 16-bit words
 * keep it small (and, for up to 15 fields, inside V8's heap, where a typed array is cheap to make).
 */
const ID_MASK = 0x7f;
const FOLDED = 0x80;
const FAR_COLON = 0xff;
/** Offsets in a header index are 16-bit: a header section may not reach this size. */
export const MAX_INDEXED = 0x10000;
export const EMPTY_BODY: Uint8Array = new Uint8Array(0);
const EMPTY_INDEX = new Uint16Array(1);
const EMPTY = String.fromCharCode();

abstract class ParsedBase extends TypedHeaders {
  /** The received bytes and where this message's start line, body and end are in them. */
  private declare src: Uint8Array;
  private declare so: number;
  private declare bo: number;
  private declare eo: number;
  private declare bv: Uint8Array | undefined;
  /** The top via-parm once read (the other Via values are parsed only when `via` is read). */
  private declare tv: Via | undefined;
  /** @internal Whether text[i] is src[so + i] (the header section was ASCII, decoded one byte to one unit). */
  declare al: boolean;
  /** Start line and header fields, decoded, each line with its CRLF; after them the body may follow (read-only). */
  declare text: string;
  /** @internal Header index (filled by buildMessage; see ID_MASK). */
  declare ix: Uint16Array;
  declare version: string;

  constructor(text: string) {
    super();
    this.src = EMPTY_BODY;
    this.so = 0;
    this.bo = 0;
    this.eo = 0;
    this.bv = undefined;
    this.tv = undefined;
    this.al = false;
    this.text = text;
    this.ix = EMPTY_INDEX;
    this.version = SIP_2_0;
  }

  /** @internal Number of header fields. */
  get n(): number {
    return (this.ix.length - 1) >> 1;
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

  /**
   * Where the bytes under the text start (text[i] is byte base + i), or -1 when they do not line up. Runs of
   * characters are checked on the bytes: in XS a string index costs a walk from the start of the string.
   */
  private base(): number {
    return this.al ? this.so : -1;
  }

  /** Where the colon after field i's name is. */
  private colonOf(i: number): number {
    const s = this.ix[2 * i]!;
    const off = this.ix[2 * i + 1]! >> 8;
    return off !== FAR_COLON ? s + off : indexOf.call(this.text, COLON, s);
  }

  /** Where field i's value ends: before the line break ending its (last) line. */
  private lineEnd(i: number): number {
    const t = this.text;
    let e = this.ix[2 * i + 2]!;
    if (charCodeAt.call(t, e - 1) === 10) e--;
    if (charCodeAt.call(t, e - 1) === 13) e--;
    return e;
  }

  protected nextOf(id: H, from: number): number {
    const ix = this.ix;
    const t = this.text;
    const want = id + 1;
    // Only a name with the right first letter is classified (once; the id is kept in the index).
    const full = (FULL_KEY[id]! >> 16) & 0xff;
    const compact = (COMPACT_KEY[id]! >> 16) & 0xff;
    for (let i = from, n = this.n; i < n; i++) {
      const cls = ix[2 * i + 1]! & ID_MASK;
      if (cls === want) return i;
      if (cls !== 0) continue;
      const c = charCodeAt.call(t, ix[2 * i]!) | 0x20;
      if ((c === full || c === compact) && this.classify(i) === want) return i;
    }
    return -1;
  }

  /** Works out (once) which known header field i is; returns id + 1. */
  private classify(i: number): number {
    const ix = this.ix;
    const s = ix[2 * i]!;
    const m = idAt(this.text, s, nameEnd(this.text, s, this.colonOf(i))) + 1;
    ix[2 * i + 1]! |= m;
    return m;
  }

  protected nextNamed(lower: string, from: number): number {
    const ix = this.ix;
    const t = this.text;
    const len = lower.length;
    const first = lower.charCodeAt(0) | 0x20;
    for (let i = from, n = this.n; i < n; i++) {
      const s = ix[2 * i]!;
      if ((charCodeAt.call(t, s) | 0x20) !== first) continue;
      const e = nameEnd(t, s, this.colonOf(i));
      if (e - s !== len) continue;
      let m = ix[2 * i + 1]! & ID_MASK;
      if (m === 0) m = this.classify(i);
      if (m !== H.Other + 1) continue;
      if (sameLower(t, s, lower, len)) return i;
    }
    return -1;
  }

  protected valueAt(i: number): string {
    const t = this.text;
    let s = this.colonOf(i) + 1;
    let e = this.lineEnd(i);
    for (let c = charCodeAt.call(t, s); s < e && (c === 32 || c === 9 || c === 13 || c === 10); c = charCodeAt.call(t, ++s));
    for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
    const v = slice.call(t, s, e);
    return (this.ix[2 * i + 1]! & FOLDED) !== 0 ? unfold(v) : v;
  }

  /** Number of header fields. */
  get fieldCount(): number {
    return this.n;
  }

  /** Name of header field i as on the wire. */
  nameAt(i: number): string {
    const s = this.ix[2 * i]!;
    return slice.call(this.text, s, nameEnd(this.text, s, this.colonOf(i)));
  }

  /** Value of header field i (unfolded). */
  fieldValue(i: number): string {
    return this.valueAt(i);
  }

  /** Known-header id of field i (0 for other headers). */
  idAt(i: number): H {
    let m = this.ix[2 * i + 1]! & ID_MASK;
    if (m === 0) m = this.classify(i);
    return (m - 1) as H;
  }

  headerLines(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.n; i++) out.push([this.nameAt(i), this.valueAt(i)]);
    return out;
  }

  /** Where the value of field i starts (after the colon and whitespace); -1 when the field is folded. */
  private valueStart(i: number): number {
    if ((this.ix[2 * i + 1]! & FOLDED) !== 0) return -1;
    const t = this.text;
    let s = this.colonOf(i) + 1;
    const e = this.ix[2 * i + 2]!;
    for (let c = charCodeAt.call(t, s); s < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++s));
    return s;
  }

  /** Where the value of field i ends (before trailing whitespace), not before s. */
  private valueEnd(i: number, s: number): number {
    const t = this.text;
    let e = this.lineEnd(i);
    for (let c = charCodeAt.call(t, e - 1); e > s && (c === 32 || c === 9); c = charCodeAt.call(t, --e - 1));
    return e;
  }

  // The headers read for every message (Call-ID, CSeq, the tags, the top Via) are checked where they lie in the
  // message text with table scans, without slicing the value first or running a RegExp (in XS each match
  // allocates); anything unusual goes to the general value parsers, which name the defect.

  override get callId(): string {
    const hit = this.cacheGet(H.CallId);
    if (typeof hit === 'string') return hit;
    const t = this.text;
    const i = this.nextOf(H.CallId, 0);
    const s = i < 0 ? -1 : this.valueStart(i);
    if (s >= 0) {
      const e = this.valueEnd(i, s);
      const b = this.src;
      const base = this.base();
      let w = run(t, b, base, s, e, C_WORD);
      if (w < e && w > s && charCodeAt.call(t, w) === 64) w = w + 1 < e ? run(t, b, base, w + 1, e, C_WORD) : -1;
      if (w === e && e > s) {
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
    const i = this.nextOf(H.CSeq, 0);
    let s = i < 0 ? -1 : this.valueStart(i);
    if (s >= 0) {
      const e = this.valueEnd(i, s);
      let c = charCodeAt.call(t, s);
      let k = s;
      let seq = 0;
      for (; k < e && c >= 48 && c <= 57; c = charCodeAt.call(t, ++k)) seq = seq * 10 + c - 48;
      if (k > s && k - s <= 10 && seq <= MAX_SEQ && (c === 32 || c === 9)) {
        for (; k < e && (c === 32 || c === 9); c = charCodeAt.call(t, ++k));
        if (k < e) {
          const method = this.methodAt(k, e);
          if (method !== undefined) {
            const v: CSeq = { seq, method };
            this.cacheSet(H.CSeq, v);
            return v;
          }
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

  override get fromTag(): string | undefined {
    return this.tagIn(H.From);
  }

  override get toTag(): string | undefined {
    return this.tagIn(H.To);
  }

  override get via(): Via[] {
    const hit = this.cacheGet(H.Via);
    if (hit !== undefined) return hit as Via[];
    let list: Via[] | undefined;
    for (let i = this.nextOf(H.Via, 0); i >= 0; i = this.nextOf(H.Via, i + 1)) {
      const s = this.valueStart(i);
      const v = s < 0 ? undefined : parseViaIn(this.text, s, this.valueEnd(i, s));
      if (v === undefined) return super.via;
      if (list === undefined) list = [v];
      else list.push(v);
    }
    if (list === undefined) return super.via;
    this.cacheSet(H.Via, list);
    return list;
  }

  override get topVia(): Via | undefined {
    let v = this.tv;
    if (v !== undefined) return v;
    const list = this.cacheGet(H.Via) as Via[] | undefined;
    if (list !== undefined) return list[0];
    const i = this.nextOf(H.Via, 0);
    if (i < 0) return undefined;
    const s = this.valueStart(i);
    v = (s < 0 ? undefined : parseViaIn(this.text, s, this.valueEnd(i, s))) ?? parseTopVia(this.valueAt(i));
    this.tv = v;
    return v;
  }

  override get branch(): string | undefined {
    const v = this.tv ?? (this.cacheGet(H.Via) as Via[] | undefined)?.[0];
    if (v !== undefined) return v.branch;
    // The usual top Via, "SIP/2.0/transport sent-by;params" alone on its line: only its parameters are scanned.
    const i = this.nextOf(H.Via, 0);
    const s = i < 0 ? -1 : this.valueStart(i);
    if (s >= 0 && startsWith.call(this.text, SIP_2_0_SLASH, s)) {
      const e = this.valueEnd(i, s);
      const semi = indexOf.call(this.text, SEMI, s);
      if (semi >= 0 && semi < e) {
        const b = paramIn(this.text, this.src, this.base(), semi, e, BRANCH);
        if (b !== undefined) return b === EMPTY ? undefined : b;
      }
    }
    return this.topVia?.branch;
  }

  private nameAddrIn(id: H, what: string): NameAddr | undefined {
    const hit = this.cacheGet(id);
    if (hit !== undefined) return undefined; // the general getter answers from the cache
    const i = this.nextOf(id, 0);
    const s = i < 0 ? -1 : this.valueStart(i);
    if (s < 0) return undefined;
    const v = parseNameAddrIn(this.text, s, this.valueEnd(i, s), what);
    if (v !== undefined) this.cacheSet(id, v);
    return v;
  }

  /** The tag of the From or To field, read in place from the usual name-addr or addr-spec value. */
  private tagIn(id: H): string | undefined {
    const hit = this.cacheGet(id) as NameAddr | undefined;
    if (hit === undefined) {
      const t = this.text;
      const i = this.nextOf(id, 0);
      const s = i < 0 ? -1 : this.valueStart(i);
      if (s >= 0) {
        const e = this.valueEnd(i, s);
        // Header parameters follow the URI: after '>' when there is one, after a quoted display name if any.
        let p = s;
        if (charCodeAt.call(t, s) === 34) {
          const q = indexOf.call(t, DQUOTE, s + 1);
          const bs = indexOf.call(t, BACKSLASH, s + 1);
          p = q > s && q < e && (bs < 0 || bs > q) ? q + 1 : e;
        }
        const lt = indexOf.call(t, LT, p);
        const gt = indexOf.call(t, GT, p);
        if (p < e && (lt < 0 || lt >= e ? gt < 0 || gt >= e : gt > lt && gt < e)) {
          const semi = indexOf.call(t, SEMI, gt >= 0 && gt < e ? gt : p);
          const tag = semi < 0 || semi >= e ? EMPTY : paramIn(t, this.src, this.base(), semi, e, TAG);
          if (tag !== undefined && (tag !== EMPTY || gt >= 0)) return tag === EMPTY ? undefined : tag;
        }
      }
    }
    const tag = (id === H.From ? this.from : this.to).params['tag'];
    return tag === null ? undefined : tag;
  }

  /** @internal Where the header section ends in text (the empty line, or the end of the text when none). */
  get headEnd(): number {
    return this.ix[2 * this.n]!;
  }

  /** @internal Keeps only text[0, end) (a large body is not kept in the decoded text). */
  keepText(end: number): void {
    this.text = slice.call(this.text, 0, end);
  }

  /** @internal Content-Length of field i: 1 to 9 digits read in place, anything else by readContentLength. */
  contentLengthAt(i: number): number {
    const t = this.text;
    const s = this.valueStart(i);
    if (s >= 0) {
      const e = this.valueEnd(i, s);
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
    return readContentLength(this.valueAt(i));
  }

  /** The method name text[s, e): the request's own or a known one when equal (no copy), else a slice; undefined when not a token. */
  private methodAt(s: number, e: number): string | undefined {
    const t = this.text;
    const own = this instanceof ParsedRequest ? this.method : EMPTY;
    if (lastIndexOf.call(own, EMPTY) === e - s && startsWith.call(t, own, s)) return own;
    for (let k = 0; k < METHODS.length; k++) {
      if (METHOD_LENGTHS[k] === e - s && startsWith.call(t, METHODS[k]!, s)) return METHODS[k]!;
    }
    return classRun(t, s, e, C_TOKEN) === e ? slice.call(t, s, e) : undefined;
  }
}

/**
 * The value of parameter `name` (lower-case, a token value) among the parameters in text[semi, e), semi at the
 * first ';': EMPTY when absent; undefined when the general parser must decide (the name repeats or has no
 * value, the value is not a token, a quote or comma could hide or split parameters).
 */
function paramIn(t: string, b: Uint8Array, base: number, semi: number, e: number, name: string): string | undefined {
  const q = indexOf.call(t, DQUOTE, semi);
  if (q >= 0 && q < e) return undefined;
  const comma = indexOf.call(t, COMMA, semi);
  if (comma >= 0 && comma < e) return undefined;
  const len = lastIndexOf.call(name, EMPTY);
  let found: string | undefined;
  for (let p = semi; p < e;) {
    let next = indexOf.call(t, SEMI, p + 1);
    if (next < 0 || next > e) next = e;
    if (next - p - 1 >= len && (startsWith.call(t, name, p + 1) || sameLower(t, p + 1, name, len))) {
      const v = p + 1 + len;
      const c = v < next ? charCodeAt.call(t, v) : -1;
      if (c === 61) {
        if (found !== undefined || run(t, b, base, v + 1, next, C_TOKEN) !== next || next === v + 1) return undefined;
        found = slice.call(t, v + 1, next);
      } else if (c < 0 || c >= 128 || (CHAR_CLASS[c]! & C_TOKEN) === 0) return undefined; // no value, or LWS
    }
    p = next;
  }
  return found ?? EMPTY;
}

/** classRun over text[s, e), on the bytes under the text when they line up (base >= 0). */
function run(t: string, b: Uint8Array, base: number, s: number, e: number, bit: number): number {
  if (base < 0) return classRun(t, s, e, bit);
  let i = s;
  for (; i < e; i++) {
    const c = b[base + i]!;
    if (c >= 128 || (CHAR_CLASS[c]! & bit) === 0) break;
  }
  return i;
}

const MAX_SEQ = 2 ** 31 - 1;
// Header names built at load time: XS copies a string literal argument on every call.
const FROM = 'From'.slice(0);
const TO = 'To'.slice(0);
const TAG = 'tag'.slice(0);
const BRANCH = 'branch'.slice(0);
const SIP_2_0_SLASH = 'SIP/2.0/'.slice(0);
const SEMI = String.fromCharCode(59);
const GT = String.fromCharCode(62);
const LT = String.fromCharCode(60);
const DQUOTE = String.fromCharCode(34);
const COMMA = String.fromCharCode(44);
const BACKSLASH = String.fromCharCode(92);

export class ParsedRequest extends ParsedBase implements SipRequest, RequestLine {
  declare method: string;
  /** @internal Request-URI offsets in text. */
  declare us: number;
  /** @internal */
  declare ue: number;

  constructor(text: string) {
    super(text);
    this.method = EMPTY;
    this.us = 0;
    this.ue = 0;
  }

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
  declare status: number;
  /** @internal Reason-Phrase offsets in text. */
  declare rs: number;
  /** @internal */
  declare re: number;

  constructor(text: string) {
    super(text);
    this.status = 0;
    this.rs = 0;
    this.re = 0;
  }

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
  const len = lastIndexOf.call(text, EMPTY);
  const msg = buildMessage(text, len, s.fields, MAX_INDEXED);
  msg.al = len === s.headerEnd - s.start;
  s.contentLength = builtContentLength;
  return msg;
}

/** Content-Length of the message buildMessage last built, -1 when it has none (read right after the call). */
export let builtContentLength = -1;

/** Scratch index that buildMessage fills before copying out the used part; made on first use, grown when needed. */
let scratch: Uint16Array | null = null;

/**
 * Builds a message from text[0, end): the start line, then header fields line by line (each ended by LF) until
 * an empty line or `end`. Word 2n of the index is where the header section ends (the empty line, or `end`).
 * More than `maxFields` fields is a 513, and so is a header section (after the start line, its LF included)
 * longer than `maxBytes`. Only Content-Length (needed for framing) is identified here; other names are
 * classified when first looked up.
 */
export function buildMessage(text: string, end: number, maxFields: number, maxBytes: number): ParsedMessage {
  const len = end;
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
  const limit = p + maxBytes;
  let ix = (scratch ??= new Uint16Array(32));
  let n = 0;
  let cl = -1;
  while (p < len) {
    let nl = indexOf.call(text, LF, p);
    if (nl < 0 || nl >= len) nl = len;
    if (nl >= limit) throw new SipError('header section too large', 513);
    const c0 = charCodeAt.call(text, p);
    if (nl === p || (c0 === 13 && nl === p + 1)) break;
    if (p >= MAX_INDEXED) throw new SipError('header section too large', 513);
    if (c0 === 32 || c0 === 9) {
      if (n === 0) throw new SipError('bad header: continuation line before any header field');
      ix[2 * n - 1]! |= FOLDED;
    } else {
      if (n >= maxFields) throw new SipError('too many header fields', 513);
      const colon = indexOf.call(text, COLON, p);
      if (colon < 0 || colon >= nl) {
        let e = nl;
        if (e > p && charCodeAt.call(text, e - 1) === 13) e--;
        throw new SipError(`bad header field: missing colon in ${JSON.stringify(slice.call(text, p, Math.min(e, p + 40)))}`);
      }
      if (2 * n + 2 >= ix.length) {
        const bigger = new Uint16Array(ix.length * 2);
        bigger.set(ix);
        ix = scratch = bigger;
      }
      let ne = colon;
      for (let c = charCodeAt.call(text, ne - 1); ne > p && (c === 32 || c === 9); c = charCodeAt.call(text, --ne - 1));
      if (ne === p) throw new SipError('bad header field: empty header name');
      ix[2 * n] = p;
      let meta = (colon - p < FAR_COLON ? colon - p : FAR_COLON) << 8;
      const c1 = c0 | 0x20;
      if (((c1 === 0x63 && ne - p === 14) || (c1 === 0x6c && ne - p === 1)) && idAt(text, p, ne) === H.ContentLength) {
        if (cl >= 0) throw new SipError('multiple Content-Length headers', 400, 'Content-Length');
        cl = n;
        meta |= H.ContentLength + 1;
      }
      ix[2 * n + 1] = meta;
      n++;
    }
    p = nl + 1;
  }
  if (p >= MAX_INDEXED) throw new SipError('header section too large', 513);
  ix[2 * n] = p < len ? p : len;
  msg.ix = ix.slice(0, 2 * n + 1);
  builtContentLength = cl < 0 ? -1 : msg.contentLengthAt(cl);
  return msg;
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
