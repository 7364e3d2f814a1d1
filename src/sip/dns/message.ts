/** DNS wire format (RFC 1035 §4, RFC 2782 SRV, RFC 3403 NAPTR, RFC 3596 AAAA): the subset a SIP locator needs. */

export type RecordTypeName = 'A' | 'NS' | 'CNAME' | 'SOA' | 'AAAA' | 'SRV' | 'NAPTR';

/** Type codes on the wire. */
export const TYPE_CODE: Readonly<Record<RecordTypeName, number>> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, NAPTR: 35,
};

export const CLASS_IN = 1;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** A malformed, truncated or unexpected DNS message. */
export class DnsError extends Error {
  override get name(): string {
    return 'DnsError';
  }
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

interface RrBase {
  name: string;
  class: number;
  ttl: number; // seconds
}

export type ResourceRecord = RrBase & (
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'NS'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'NAPTR'; order: number; preference: number; flags: string; services: string; regexp: string; replacement: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'OTHER'; code: number; data: Uint8Array }
);

export type RecordOf<T extends ResourceRecord['type']> = Extract<ResourceRecord, { type: T }>;

export interface DnsHeader {
  id: number;
  qr: boolean; // response
  opcode: number;
  aa: boolean;
  tc: boolean; // truncated: the full answer needs TCP
  rd: boolean;
  ra: boolean;
  rcode: number;
}

export interface DnsMessage extends DnsHeader {
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

const MAX_NAME = 255;
const MAX_LABEL = 63;
const TYPE_NAME: ReadonlyMap<number, RecordTypeName> = new Map(
  (Object.keys(TYPE_CODE) as RecordTypeName[]).map((n) => [TYPE_CODE[n], n] as const),
);

/** Canonical form for comparisons and cache keys: lower-case, no trailing dot. */
export function canonicalName(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase();
}

// ---------------------------------------------------------------- decode

/** Parses a whole DNS message; throws DnsError on anything truncated or malformed. */
export function decodeMessage(buf: Uint8Array): DnsMessage {
  if (buf.length < 12) throw new DnsError(`DNS message too short: ${buf.length} bytes, header needs 12`);
  const r = new Reader(buf);
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const msg: DnsMessage = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: [],
    authority: [],
    additional: [],
  };
  // A truncated reply may stop mid-section: keep what parsed whole, the caller sees tc.
  try {
    for (let i = 0; i < an; i++) msg.answers.push(r.record());
    for (let i = 0; i < ns; i++) msg.authority.push(r.record());
    for (let i = 0; i < ar; i++) msg.additional.push(r.record());
  } catch (e) {
    if (!msg.tc) throw e;
  }
  return msg;
}

class Reader {
  pos = 0;
  readonly #view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw new DnsError(`DNS message truncated reading ${what} at offset ${this.pos} (${this.buf.length} bytes)`);
    }
  }
  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2, 'u16');
    const v = this.#view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'u32');
    const v = this.#view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A possibly compressed domain name; leaves pos after the name as it appears at the current position. */
  name(limit = this.buf.length): string {
    return readName(this.buf, this, limit);
  }

  characterString(end: number): string {
    if (this.pos >= end) throw new DnsError(`DNS character-string missing at offset ${this.pos}`);
    const len = this.buf[this.pos]!;
    if (this.pos + 1 + len > end) throw new DnsError(`DNS character-string overruns its record at offset ${this.pos}`);
    const s = latin1(this.buf, this.pos + 1, this.pos + 1 + len);
    this.pos += 1 + len;
    return s;
  }

  record(): ResourceRecord {
    const name = this.name();
    const code = this.u16();
    const cls = this.u16();
    const ttlRaw = this.u32();
    // RFC 2181 §8: a TTL with the top bit set is treated as zero.
    const ttl = ttlRaw > 0x7fffffff ? 0 : ttlRaw;
    const rdlen = this.u16();
    this.need(rdlen, 'RDATA');
    const start = this.pos;
    const end = start + rdlen;
    const base = { name, class: cls, ttl };
    let rr: ResourceRecord;
    switch (TYPE_NAME.get(code)) {
      case 'A':
        if (rdlen !== 4) throw new DnsError(`A record with RDLENGTH ${rdlen}, expected 4`);
        rr = { ...base, type: 'A', address: formatIpv4(this.buf, start) };
        this.pos = end;
        break;
      case 'AAAA':
        if (rdlen !== 16) throw new DnsError(`AAAA record with RDLENGTH ${rdlen}, expected 16`);
        rr = { ...base, type: 'AAAA', address: formatIpv6(this.buf, start) };
        this.pos = end;
        break;
      case 'CNAME':
      case 'NS': {
        const target = this.name(end);
        rr = { ...base, type: TYPE_NAME.get(code) as 'CNAME' | 'NS', target };
        break;
      }
      case 'SRV': {
        if (rdlen < 7) throw new DnsError(`SRV record with RDLENGTH ${rdlen}, too short`);
        const priority = this.u16();
        const weight = this.u16();
        const port = this.u16();
        rr = { ...base, type: 'SRV', priority, weight, port, target: this.name(end) };
        break;
      }
      case 'NAPTR': {
        if (rdlen < 7) throw new DnsError(`NAPTR record with RDLENGTH ${rdlen}, too short`);
        const order = this.u16();
        const preference = this.u16();
        const flags = this.characterString(end);
        const services = this.characterString(end);
        const regexp = this.characterString(end);
        rr = { ...base, type: 'NAPTR', order, preference, flags, services, regexp, replacement: this.name(end) };
        break;
      }
      case 'SOA': {
        const mname = this.name(end);
        const rname = this.name(end);
        if (this.pos + 20 > end) throw new DnsError('SOA record too short for its five counters');
        rr = {
          ...base, type: 'SOA', mname, rname,
          serial: this.u32(), refresh: this.u32(), retry: this.u32(), expire: this.u32(), minimum: this.u32(),
        };
        break;
      }
      default:
        rr = { ...base, type: 'OTHER', code, data: this.buf.subarray(start, end) };
    }
    if (this.pos > end) throw new DnsError(`DNS record for ${name} overruns its RDLENGTH`);
    if (this.pos < end && rr.type !== 'OTHER') throw new DnsError(`DNS ${rr.type} record for ${name} has trailing bytes`);
    this.pos = end;
    return rr;
  }
}

function readName(buf: Uint8Array, r: Reader, limit: number): string {
  let pos = r.pos;
  let after = -1; // where the reader continues once the first pointer is followed
  let out = '';
  let length = 0;
  // Each pointer must go strictly backwards, so a name can never loop; the jump count is a second guard.
  let lowest = pos;
  for (let jumps = 0; ; ) {
    if (pos >= buf.length || (after < 0 && pos >= limit)) throw new DnsError(`DNS name truncated at offset ${pos}`);
    const len = buf[pos]!;
    if (len === 0) {
      pos++;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsError(`DNS compression pointer truncated at offset ${pos}`);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= lowest) throw new DnsError(`DNS compression pointer at offset ${pos} does not point backwards (${target})`);
      if (++jumps > 64) throw new DnsError('DNS name has too many compression pointers');
      if (after < 0) after = pos + 2;
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new DnsError(`DNS label type 0x${kind.toString(16)} not supported at offset ${pos}`);
    if (pos + 1 + len > buf.length || (after < 0 && pos + 1 + len > limit)) {
      throw new DnsError(`DNS label truncated at offset ${pos}`);
    }
    length += len + 1;
    if (length > MAX_NAME) throw new DnsError('DNS name longer than 255 octets');
    if (out) out += '.';
    out += latin1(buf, pos + 1, pos + 1 + len);
    pos += 1 + len;
  }
  r.pos = after >= 0 ? after : pos;
  if (r.pos > limit) throw new DnsError('DNS name overruns its record');
  return out;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

function formatIpv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
function formatIpv6(b: Uint8Array, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

// ---------------------------------------------------------------- encode

/** A query with one question and RD set, as a stub resolver sends it. */
export function encodeQuery(id: number, name: string, type: number): Uint8Array {
  return encodeMessage({
    id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0,
    questions: [{ name, type, class: CLASS_IN }], answers: [], authority: [], additional: [],
  });
}

/** Encodes any message (queries, and replies for tests and fakes), compressing repeated name suffixes. */
export function encodeMessage(msg: DnsMessage): Uint8Array {
  const w = new Writer();
  w.u16(msg.id);
  w.u16(
    (msg.qr ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.aa ? 0x0400 : 0) | (msg.tc ? 0x0200 : 0) |
      (msg.rd ? 0x0100 : 0) | (msg.ra ? 0x0080 : 0) | (msg.rcode & 0xf),
  );
  w.u16(msg.questions.length);
  w.u16(msg.answers.length);
  w.u16(msg.authority.length);
  w.u16(msg.additional.length);
  for (const q of msg.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of msg.answers) w.record(rr);
  for (const rr of msg.authority) w.record(rr);
  for (const rr of msg.additional) w.record(rr);
  return w.done();
}

class Writer {
  #buf = new Uint8Array(512);
  #len = 0;
  // Offsets of name suffixes already written (lower-case text -> offset), for compression.
  readonly #names = new Map<string, number>();

  private room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    bigger.set(this.#buf.subarray(0, this.#len));
    this.#buf = bigger;
  }
  u8(v: number): void {
    this.room(1);
    this.#buf[this.#len++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.#buf[this.#len++] = (v >> 8) & 0xff;
    this.#buf[this.#len++] = v & 0xff;
  }
  u32(v: number): void {
    this.u16((v >>> 16) & 0xffff);
    this.u16(v & 0xffff);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  get length(): number {
    return this.#len;
  }
  patch16(at: number, v: number): void {
    this.#buf[at] = (v >> 8) & 0xff;
    this.#buf[at + 1] = v & 0xff;
  }

  name(name: string, compress: boolean): void {
    const labels = name === '' || name === '.' ? [] : (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
    let total = 1;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      const suffix = labels.slice(i).join('.').toLowerCase();
      const seen = compress ? this.#names.get(suffix) : undefined;
      if (seen !== undefined) {
        this.u16(0xc000 | seen);
        return;
      }
      if (label.length === 0 || label.length > MAX_LABEL) throw new DnsError(`bad DNS label in "${name}"`);
      total += label.length + 1;
      if (total > MAX_NAME) throw new DnsError(`DNS name "${name}" longer than 255 octets`);
      if (compress && this.#len < 0x4000) this.#names.set(suffix, this.#len);
      this.u8(label.length);
      for (let k = 0; k < label.length; k++) {
        const c = label.charCodeAt(k);
        if (c > 0xff) throw new DnsError(`non-ASCII character in DNS name "${name}"`);
        this.u8(c);
      }
    }
    this.u8(0);
  }

  characterString(s: string): void {
    if (s.length > 255) throw new DnsError('DNS character-string longer than 255');
    this.u8(s.length);
    for (let k = 0; k < s.length; k++) this.u8(s.charCodeAt(k));
  }

  record(rr: ResourceRecord): void {
    this.name(rr.name, true);
    this.u16(rr.type === 'OTHER' ? rr.code : TYPE_CODE[rr.type]);
    this.u16(rr.class);
    this.u32(rr.ttl);
    const lenAt = this.length;
    this.u16(0);
    const start = this.length;
    switch (rr.type) {
      case 'A':
        for (const part of parseIpv4(rr.address)) this.u8(part);
        break;
      case 'AAAA':
        this.bytes(parseIpv6(rr.address));
        break;
      case 'CNAME':
      case 'NS':
        this.name(rr.target, true);
        break;
      case 'SRV':
        this.u16(rr.priority);
        this.u16(rr.weight);
        this.u16(rr.port);
        this.name(rr.target, false); // RFC 2782: no compression of the SRV target
        break;
      case 'NAPTR':
        this.u16(rr.order);
        this.u16(rr.preference);
        this.characterString(rr.flags);
        this.characterString(rr.services);
        this.characterString(rr.regexp);
        this.name(rr.replacement, false); // RFC 3403: no compression of the replacement
        break;
      case 'SOA':
        this.name(rr.mname, true);
        this.name(rr.rname, true);
        this.u32(rr.serial);
        this.u32(rr.refresh);
        this.u32(rr.retry);
        this.u32(rr.expire);
        this.u32(rr.minimum);
        break;
      case 'OTHER':
        this.bytes(rr.data);
        break;
    }
    this.patch16(lenAt, this.length - start);
  }

  done(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

// ---------------------------------------------------------------- addresses

/** The four octets of a dotted IPv4 address; throws DnsError if the text is not one. */
export function parseIpv4(text: string): number[] {
  const parts = text.split('.');
  if (parts.length !== 4) throw new DnsError(`not an IPv4 address: ${text}`);
  return parts.map((p) => {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new DnsError(`not an IPv4 address: ${text}`);
    return Number(p);
  });
}

/** The 16 octets of an IPv6 address in text form (with "::", optionally an embedded IPv4 tail). */
export function parseIpv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const bad = () => new DnsError(`not an IPv6 address: ${text}`);
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const g: number[] = [];
    const parts = s.split(':');
    parts.forEach((p, i) => {
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        g.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) throw bad();
        g.push(parseInt(p, 16));
      }
    });
    return g;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) throw bad();
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  all.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** True when host is a numeric IPv4 or IPv6 address (no name lookup needed). */
export function isIpAddress(host: string): boolean {
  try {
    if (host.includes(':')) parseIpv6(host);
    else parseIpv4(host);
    return true;
  } catch {
    return false;
  }
}
