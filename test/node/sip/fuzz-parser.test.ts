// Mutational fuzzing of the parser, seeded from the RFC 4475 corpus and a realistic call mix:
// 1,000,000 mutated datagrams plus random stream chunkings per run. Only SipError may escape the parser,
// validate() must never hit an internal error, a valid stream split anywhere parses as the whole buffer
// does, and the stream parser never buffers more than its limits allow. Seed: FUZZ_SEED (default fixed).
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { SipError } from '../../../src/sip/errors.js';
import { parseMessage, StreamParser, DEFAULT_LIMITS } from '../../../src/sip/parser/index.js';
import type { ParsedMessage } from '../../../src/sip/parser/index.js';
import { validate } from '../../../src/sip/validate.js';
import { rng } from '../../core/sip/mutation.js';

const DIR = new URL('../../../../../shared/corpus/rfc4475/', import.meta.url);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20260425);
const DATAGRAMS = Number(process.env['FUZZ_DATAGRAMS'] ?? 1_000_000);
const STREAMS = Number(process.env['FUZZ_STREAMS'] ?? 60_000);
const enc = new TextEncoder();

const SDP = 'v=0\r\no=a 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n';
const HEAD = (m: string, seq: number): string => `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK77${seq};rport\r\nMax-Forwards: 70\r\n` +
  `From: "Alice" <sip:alice@example.com>;tag=19283\r\nTo: <sip:bob@example.com>\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: ${seq} ${m}\r\n`;
const MIX = [
  `INVITE sip:bob@example.com SIP/2.0\r\n${HEAD('INVITE', 1)}Contact: <sip:alice@192.0.2.10>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
  `SIP/2.0 100 Trying\r\n${HEAD('INVITE', 1)}Content-Length: 0\r\n\r\n`,
  `SIP/2.0 200 OK\r\n${HEAD('INVITE', 1)}Contact: <sip:bob@192.0.2.20>\r\nc: application/sdp\r\nl: ${SDP.length}\r\n\r\n${SDP}`,
  `BYE sip:bob@192.0.2.20 SIP/2.0\r\n${HEAD('BYE', 2)}Content-Length: 0\r\n\r\n`,
  `REGISTER sip:example.com SIP/2.0\r\n${HEAD('REGISTER', 3)}Contact: <sip:alice@192.0.2.10>;expires=3600\r\n` +
    'Authorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response="0123"\r\nContent-Length: 0\r\n\r\n',
  `SIP/2.0 401 Unauthorized\r\n${HEAD('REGISTER', 3)}WWW-Authenticate: Digest realm="example.com", nonce="abc", qop="auth"\r\nContent-Length: 0\r\n\r\n`,
].map((s) => enc.encode(s));
const CORPUS = readdirSync(DIR).filter((f) => f.endsWith('.dat')).map((f) => new Uint8Array(readFileSync(new URL(f, DIR))));
const SEEDS = [...MIX, ...CORPUS];
const INTERESTING = [13, 10, 32, 9, 58, 59, 44, 34, 60, 62, 92, 37, 48, 57, 0, 255, 0x80, 0xc3, 61, 64, 47, 42, 45];

function splice(b: Uint8Array, pos: number, del: number, ins: Uint8Array | undefined): Uint8Array {
  const add = ins === undefined ? 0 : ins.length;
  const out = new Uint8Array(b.length - del + add);
  out.set(b.subarray(0, pos), 0);
  if (ins !== undefined) out.set(ins, pos);
  out.set(b.subarray(pos + del), pos + add);
  return out;
}

function mutate(src: Uint8Array, next: () => number): Uint8Array {
  let b: Uint8Array = src.slice();
  const edits = 1 + Math.floor(next() * 4);
  for (let k = 0; k < edits; k++) {
    const pos = Math.floor(next() * (b.length + 1));
    const op = next();
    const byte = next() < 0.7 ? INTERESTING[Math.floor(next() * INTERESTING.length)]! : Math.floor(next() * 256);
    if (op < 0.3) b = splice(b, pos, 0, Uint8Array.of(byte));
    else if (op < 0.55) {
      if (b.length > 0) b[Math.min(pos, b.length - 1)] = byte;
    } else if (op < 0.7) b = splice(b, pos, Math.min(b.length - pos, 1 + Math.floor(next() * 8)), undefined);
    else if (op < 0.8) b = b.subarray(0, pos); // truncate
    else if (op < 0.9) {
      const from = Math.floor(next() * b.length);
      b = splice(b, pos, 0, b.slice(from, from + 1 + Math.floor(next() * 40))); // duplicate a run (headers, CRLFs)
    } else {
      const other = SEEDS[Math.floor(next() * SEEDS.length)]!;
      const from = Math.floor(next() * other.length);
      b = splice(b, pos, 0, other.subarray(from, from + 1 + Math.floor(next() * 60)));
    }
  }
  return b;
}

/** Reads what callers read; any failure must be a SipError. */
function touch(m: ParsedMessage): void {
  const reads: Array<() => unknown> = [
    () => m.callId, () => m.cseq, () => m.from.params['tag'], () => m.to.uri, () => m.via[0]?.branch, () => m.contact,
    () => m.contentType, () => m.contentLength, () => m.maxForwards, () => m.route, () => (m.kind === 'request' ? m.uri : m.reason),
    () => m.headerLines(), () => m.headers('Via'), () => m.body.length,
  ];
  for (const r of reads) {
    try {
      r();
    } catch (e) {
      if (!(e instanceof SipError)) throw e;
    }
  }
}

function summary(m: ParsedMessage): string {
  return JSON.stringify([m.kind === 'request' ? m.method : m.status, m.headerLines(), Array.from(m.body)]);
}

test(`${DATAGRAMS} mutated datagrams: only SipError escapes, validate() never fails internally (seed ${SEED})`, (t) => {
  const next = rng(SEED);
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < DATAGRAMS; i++) {
    const input = mutate(SEEDS[i % SEEDS.length]!, next);
    let m: ParsedMessage;
    try {
      m = parseMessage(input);
    } catch (e) {
      if (!(e instanceof SipError)) t.fail(`seed ${SEED} case ${i}: ${String(e)} for ${JSON.stringify(new TextDecoder().decode(input))}`);
      rejected++;
      continue;
    }
    parsed++;
    touch(m);
    if (i % 8 === 0) {
      const v = validate(m);
      const internal = v.errors.find((e) => e.status === 500);
      if (internal) t.fail(`seed ${SEED} case ${i}: ${internal.message} for ${JSON.stringify(new TextDecoder().decode(input))}`);
    }
  }
  t.log(`parsed ${parsed}, rejected ${rejected}`);
  t.true(parsed > DATAGRAMS / 10 && rejected > DATAGRAMS / 10, 'mutations exercise both paths');
});

test(`${STREAMS} random stream chunkings: splits never change the result, buffers stay bounded (seed ${SEED})`, (t) => {
  const next = rng(SEED ^ 0x5a5a5a5a);
  const limits = { startLineBytes: 1024, headerBytes: 4096, bodyBytes: 2048 };
  const bound = limits.startLineBytes + limits.headerBytes + limits.bodyBytes;
  // Seeds a stream parser takes as exactly one message on its own (framed by Content-Length, blank line present).
  const streamable: Uint8Array[] = [];
  for (const s of SEEDS) {
    try {
      const m = parseMessage(s);
      if (m.contentLength === undefined || m.raw.length > 3000) continue;
      const raw = m.raw.slice();
      const alone: ParsedMessage[] = [];
      new StreamParser((x) => alone.push(x), limits).feed(raw);
      if (alone.length === 1 && alone[0]!.raw.length === raw.length) streamable.push(raw);
    } catch {
      // not a stream seed
    }
  }
  t.true(streamable.length >= 20);
  for (let i = 0; i < STREAMS; i++) {
    // A connection's worth of messages with keep-alives between them; mutated half of the time.
    const parts: Uint8Array[] = [];
    const count = 1 + Math.floor(next() * 4);
    for (let k = 0; k < count; k++) {
      if (next() < 0.2) parts.push(enc.encode(next() < 0.5 ? '\r\n\r\n' : '\r\n'));
      parts.push(streamable[Math.floor(next() * streamable.length)]!);
    }
    let all: Uint8Array = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    const mutated = next() < 0.5;
    if (mutated) all = mutate(all, next);
    const whole: string[] = [];
    let wholeError: unknown;
    try {
      new StreamParser((m) => whole.push(summary(m)), limits).feed(all);
    } catch (e) {
      wholeError = e;
    }
    if (wholeError !== undefined && !(wholeError instanceof SipError)) t.fail(`seed ${SEED} stream ${i}: ${String(wholeError)}`);
    const got: string[] = [];
    let splitError: unknown;
    const p = new StreamParser((m) => got.push(summary(m)), limits);
    try {
      let at = 0;
      while (at < all.length) {
        const size = next() < 0.3 ? 1 + Math.floor(next() * 3) : 1 + Math.floor(next() * 300);
        p.feed(all.subarray(at, at + size));
        at += size;
        if (p.bufferedBytes > bound) t.fail(`seed ${SEED} stream ${i}: buffered ${p.bufferedBytes} > ${bound}`);
      }
    } catch (e) {
      splitError = e;
    }
    if (splitError !== undefined && !(splitError instanceof SipError)) t.fail(`seed ${SEED} stream ${i}: ${String(splitError)}`);
    // Same messages before any error, and an error in one feeding pattern means an error in the other.
    if (JSON.stringify(got) !== JSON.stringify(whole) || (splitError === undefined) !== (wholeError === undefined)) {
      t.fail(`seed ${SEED} stream ${i} (${mutated ? 'mutated' : 'valid'}): split parse differs from whole parse`);
    }
    if (!mutated && wholeError !== undefined) t.fail(`seed ${SEED} stream ${i}: valid stream rejected: ${String(wholeError)}`);
  }
  t.pass();
});

test('an endless header section or body cannot grow the buffer past the limits', (t) => {
  const p = new StreamParser(() => {}, DEFAULT_LIMITS);
  const max = DEFAULT_LIMITS.startLineBytes + DEFAULT_LIMITS.headerBytes + DEFAULT_LIMITS.bodyBytes;
  p.feed(enc.encode('INVITE sip:a@b SIP/2.0\r\n'));
  const line = enc.encode('X-Flood: ' + 'y'.repeat(100) + '\r\n');
  const e = t.throws(() => {
    for (let i = 0; i < 100_000; i++) {
      p.feed(line);
      if (p.bufferedBytes > max) throw new Error('unbounded');
    }
  });
  t.true(e instanceof SipError && e.status === 513);
  const q = new StreamParser(() => {});
  t.throws(() => q.feed(enc.encode(`MESSAGE sip:a@b SIP/2.0\r\nContent-Length: ${DEFAULT_LIMITS.bodyBytes + 1}\r\n\r\n`)), { message: /body too large/ });
});
