import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import { StreamParser, parseMessage } from '../../../src/sip/parser/index.js';
import type { SipMessage } from '../../../src/sip/message.js';
import type { ParsedMessage } from '../../../src/sip/parser/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const A = 'INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKa\r\nf: <sip:a@x>;tag=1\r\nt: <sip:b@y>\r\n' +
  'i: call-a\r\nCSeq: 1 INVITE\r\nSubject: folded\r\n  line\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
const B = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKb\r\nCall-ID: call-b\r\nCSeq: 2 BYE\r\nl: 0\r\n\r\n';
const C = 'MESSAGE sip:c@example.com SIP/2.0\r\nCall-ID: call-c\r\nCSeq: 3 MESSAGE\r\nContent-Length: 4\r\n\r\n\r\n\r\n';

function summary(m: SipMessage): string {
  return `${m.callId}|${m.cseq.seq}|${dec.decode(m.body)}|${m.header('Subject') ?? ''}|${m.headerLines().length}`;
}

test('several messages and keep-alives in one chunk', (t) => {
  const got: SipMessage[] = [];
  const kas: string[] = [];
  const p = new StreamParser((m) => got.push(m), undefined, (k) => kas.push(k));
  p.feed(enc.encode('\r\n\r\n' + A + B + '\r\n\r\n' + C));
  t.deepEqual(got.map((m) => m.callId), ['call-a', 'call-b', 'call-c']);
  t.is(dec.decode(got[2]!.body), '\r\n\r\n', 'a body made of CRLFs is body, not keep-alive');
  t.deepEqual(kas, ['ping', 'ping']);
  t.is(p.bufferedBytes, 0);
});

test('a single CRLF is reported as a pong', (t) => {
  const kas: string[] = [];
  const p = new StreamParser(() => {}, undefined, (k) => kas.push(k));
  p.feed(enc.encode('\r\n'));
  t.deepEqual(kas, ['pong']);
});

test('every split point gives the same messages as the whole buffer', (t) => {
  const all = enc.encode(A + B + '\r\n\r\n' + C);
  const whole: string[] = [];
  new StreamParser((m) => whole.push(summary(m))).feed(all);
  t.is(whole.length, 3);
  for (let i = 1; i < all.length; i++) {
    for (const j of [i + 1, i + 7, all.length]) {
      if (j > all.length || j <= i) continue;
      const got: string[] = [];
      const p = new StreamParser((m) => got.push(summary(m)));
      p.feed(all.subarray(0, i));
      p.feed(all.subarray(i, j));
      p.feed(all.subarray(j));
      t.deepEqual(got, whole, `split at ${i}/${j}`);
      t.is(p.bufferedBytes, 0);
    }
  }
});

test('byte-by-byte feeding', (t) => {
  const all = enc.encode(A + B + C);
  const got: string[] = [];
  const p = new StreamParser((m) => got.push(summary(m)));
  for (let i = 0; i < all.length; i++) p.feed(all.subarray(i, i + 1));
  t.deepEqual(got, [A, B, C].map((s) => summary(parseMessage(enc.encode(s)))));
});

test('messages emitted from the internal buffer own their bytes', (t) => {
  const got: ParsedMessage[] = [];
  const p = new StreamParser((m) => got.push(m));
  const all = enc.encode(A + A.replace('call-a', 'call-z').replace('hello', 'HELLO'));
  for (let i = 0; i < all.length; i += 10) p.feed(all.slice(i, i + 10));
  t.deepEqual(got.map((m) => dec.decode(m.body)), ['hello', 'HELLO']);
  t.is(dec.decode(got[0]!.raw), A);
});

test('Content-Length is required on streams', (t) => {
  const p = new StreamParser(() => {});
  const e = t.throws(() => p.feed(enc.encode('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n')), { instanceOf: SipError });
  t.regex(e!.message, /missing Content-Length/);
});

test('limits bound the buffered bytes', (t) => {
  const p = new StreamParser(() => {}, { startLineBytes: 64, headerBytes: 256, bodyBytes: 100 });
  // Endless header section, fed in small chunks: rejected once it exceeds the header limit.
  p.feed(enc.encode('OPTIONS sip:a@b SIP/2.0\r\n'));
  let err: unknown;
  try {
    for (let i = 0; i < 1000; i++) {
      p.feed(enc.encode('X-Pad: 0123456789\r\n'));
      t.true(p.bufferedBytes <= 64 + 256 + 100);
    }
  } catch (e) {
    err = e;
  }
  t.true(err instanceof SipError && err.status === 513);
  const q = new StreamParser(() => {}, { bodyBytes: 100 });
  t.is((t.throws(() => q.feed(enc.encode('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1000\r\n\r\n'))) as SipError).status, 413);
  const r = new StreamParser(() => {}, { startLineBytes: 32 });
  t.is((t.throws(() => r.feed(enc.encode('OPTIONS sip:' + 'x'.repeat(100)))) as SipError).status, 513);
});

test('reset() forgets a partial message', (t) => {
  const got: string[] = [];
  const p = new StreamParser((m) => got.push(m.callId));
  p.feed(enc.encode(A.slice(0, 40)));
  t.true(p.bufferedBytes > 0);
  p.reset();
  t.is(p.bufferedBytes, 0);
  p.feed(enc.encode(B));
  t.deepEqual(got, ['call-b']);
});
