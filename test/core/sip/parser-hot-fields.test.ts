// The fields read from every received message (Call-ID, CSeq, the From and To tags, the top Via and its
// branch) are read in place by fast paths; whatever they do not take goes to the general value parsers.
// On seeded mutations of those lines, the fast path must give what the general parser gives.
import test from 'ava';
import { StreamParser, parseMessage } from '../../../src/sip/parser/index.js';
import type { ParsedMessage } from '../../../src/sip/parser/index.js';
import { parseCallId } from '../../../src/sip/headers/dialog-headers.js';
import { parseCSeq } from '../../../src/sip/headers/cseq.js';
import { parseNameAddr } from '../../../src/sip/headers/name-addr.js';
import { parseTopVia } from '../../../src/sip/headers/via.js';
import { ALPHABET, mutate, outcome, rng } from './mutation.js';

const enc = new TextEncoder();

function message(lines: Record<string, string>): Uint8Array {
  const head = ['INVITE sip:bob@biloxi.example.com SIP/2.0'];
  for (const [name, value] of Object.entries(lines)) head.push(`${name}: ${value}`);
  head.push('Content-Length: 0');
  return enc.encode(`${head.join('\r\n')}\r\n\r\n`);
}

const BASE: Record<string, string> = {
  Via: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  From: '"Alice A." <sip:alice@atlanta.example.com>;tag=1928301774',
  To: 'Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'Call-ID': 'a84b4c76e66710@pc33.atlanta.example.com',
  CSeq: '314159 INVITE',
};

const HOT_ALPHABET = [...ALPHABET.filter((c) => c !== '\r\n '), 'tag', 'TAG', 'branch', 'Branch', ';tag=', ';branch=x', '{', '}'];

const tagOf = (value: string) => parseNameAddr(value).params['tag'] ?? undefined;

test('the usual values are read in place', (t) => {
  const m = parseMessage(message(BASE));
  t.is(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  t.deepEqual(m.cseq, { seq: 314159, method: 'INVITE' });
  t.is(m.fromTag, '1928301774');
  t.is(m.toTag, 'a6c85cf');
  t.is(m.branch, 'z9hG4bK776asdhds');
  t.is(m.topVia?.host, '192.0.2.1');
  t.is(m.topVia?.port, 5060);
});

test('absent tags and branch are undefined; only the top Via is parsed for topVia', (t) => {
  const m = parseMessage(message({ ...BASE, Via: 'SIP/2.0/TCP h.example.com;rport, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKlow',
    From: '<sip:a@b.example.com>', To: 'sip:bob@biloxi.example.com' }));
  t.is(m.fromTag, undefined);
  t.is(m.toTag, undefined);
  t.is(m.branch, undefined);
  t.is(m.topVia?.transport, 'TCP');
  t.is(m.via.length, 2);
  t.is(m.via[1]!.branch, 'z9hG4bKlow');
});

test('parameter names are case-insensitive; URI parameters inside <> are not header parameters', (t) => {
  const m = parseMessage(message({ ...BASE, Via: 'SIP/2.0/UDP 192.0.2.1;BRANCH=z9hG4bKup', From: '<sip:a@b.example.com;tag=inside>;TAG=outside',
    To: '"x;tag=q" <sip:b@c.example.com>;tag=real' }));
  t.is(m.branch, 'z9hG4bKup');
  t.is(m.fromTag, 'outside');
  t.is(m.toTag, 'real');
});

test('a repeated tag or branch is an error, as the general parser says', (t) => {
  const m = parseMessage(message({ ...BASE, Via: 'SIP/2.0/UDP 192.0.2.1;branch=a;branch=b', From: '<sip:a@b.example.com>;tag=1;tag=2' }));
  t.throws(() => m.branch);
  t.throws(() => m.fromTag);
});

test('fast paths agree with the general parsers on mutated values', (t) => {
  const next = rng(20261125);
  let fast = 0;
  for (let round = 0; round < 400; round++) {
    const field = ['Via', 'From', 'To', 'Call-ID', 'CSeq'][round % 5]!;
    const value = mutate(BASE[field]!, next, HOT_ALPHABET);
    let m;
    try {
      m = parseMessage(message({ ...BASE, [field]: value }));
    } catch {
      continue; // the mutation broke the line itself (a line break, a non-header line)
    }
    const raw = m.header(field)!;
    let got: unknown;
    let want: unknown;
    switch (field) {
      case 'Via': {
        want = outcome(() => parseTopVia(raw).branch);
        got = outcome(() => m.branch);
        break;
      }
      case 'From':
      case 'To': {
        want = outcome(() => tagOf(raw));
        got = outcome(() => (field === 'From' ? m.fromTag : m.toTag));
        break;
      }
      case 'Call-ID': {
        want = outcome(() => parseCallId(raw));
        got = outcome(() => m.callId);
        break;
      }
      default: {
        want = outcome(() => parseCSeq(raw));
        got = outcome(() => m.cseq);
      }
    }
    // The tag and branch readers check what they read, not the rest of the value (the URI, the sent-by):
    // where the general parser rejects the value, they may still answer.
    if ((field === 'Via' || field === 'From' || field === 'To') && 'error' in (want as object)) continue;
    t.deepEqual(got, want, `${field}: ${JSON.stringify(value)}`);
    fast++;
  }
  t.true(fast > 200, `${fast} values compared`);
});

test('a header section of 64 KiB or more is refused with 513', (t) => {
  const big = 'X-Pad: ' + 'a'.repeat(1000);
  const lines = Array.from({ length: 70 }, () => big);
  const text = `OPTIONS sip:a@b.example.com SIP/2.0\r\n${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
  const e = t.throws(() => parseMessage(enc.encode(text), { headerBytes: 200000 })) as { status?: number; message: string };
  t.is(e.status, 513);
});

test('a message of more fields than the first index holds is indexed in full', (t) => {
  const extra: Record<string, string> = { ...BASE };
  for (let i = 0; i < 100; i++) extra[`X-H${i}`] = `v${i}`;
  const m = parseMessage(message(extra));
  t.is(m.header('x-h99'), 'v99');
  t.is(m.header('X-H0'), 'v0');
  t.is(m.callId, BASE['Call-ID']);
  const small = parseMessage(message(BASE));
  t.is(small.fieldCount, 6);
  t.is(small.header('cseq'), '314159 INVITE');
});

test('the same reads from a non-ASCII message and from a stream split anywhere', (t) => {
  const utf8 = message({ 'User-Agent': 'Téléphone ☎', ...BASE, Subject: 'ünïcödé' });
  const read = (m: ParsedMessage) => [m.callId, m.cseq.seq, m.fromTag, m.toTag, m.branch];
  const want = ['a84b4c76e66710@pc33.atlanta.example.com', 314159, '1928301774', 'a6c85cf', 'z9hG4bK776asdhds'];
  t.deepEqual(read(parseMessage(utf8)), want);
  for (const bytes of [utf8, message(BASE)]) {
    const whole: ParsedMessage[] = [];
    new StreamParser((m) => whole.push(m)).feed(bytes);
    t.deepEqual(read(whole[0]!), want, 'in one chunk');
    for (let cut = 1; cut < bytes.length; cut += 37) {
      const got: ParsedMessage[] = [];
      const p = new StreamParser((m) => got.push(m));
      p.feed(bytes.subarray(0, cut));
      p.feed(bytes.subarray(cut));
      t.is(got.length, 1);
      t.deepEqual(read(got[0]!), want, `split at ${cut}`);
    }
  }
});
