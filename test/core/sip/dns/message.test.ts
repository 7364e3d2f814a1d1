import test from 'ava';
import {
  CLASS_IN, DnsError, TYPE_CODE, decodeMessage, encodeMessage, encodeQuery, isIpAddress, parseIpv6,
  type DnsMessage, type ResourceRecord,
} from '../../../../src/sip/dns/message.js';
import { rr } from './fake-dns.js';

const hex = (s: string) => new Uint8Array(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));

function reply(answers: ResourceRecord[], extra: Partial<DnsMessage> = {}): DnsMessage {
  return {
    id: 0x1234, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: 0,
    questions: [{ name: 'example.test', type: TYPE_CODE.NAPTR, class: CLASS_IN }],
    answers, authority: [], additional: [], ...extra,
  };
}

test('a query is one question with RD set, laid out as RFC 1035 §4.1 draws it', (t) => {
  const q = encodeQuery(0xbeef, '_sip._udp.Example.TEST', TYPE_CODE.SRV);
  t.deepEqual(
    q,
    hex('beef 0100 0001 0000 0000 0000 04 5f736970 04 5f756470 07 4578616d706c65 04 54455354 00 0021 0001'),
  );
  const back = decodeMessage(q);
  t.is(back.id, 0xbeef);
  t.true(back.rd);
  t.false(back.qr);
  t.deepEqual(back.questions, [{ name: '_sip._udp.Example.TEST', type: 33, class: 1 }]);
});

test('every record type survives an encode/decode round trip', (t) => {
  const answers: ResourceRecord[] = [
    rr.naptr('example.test', 10, 20, 'SIP+D2U', '_sip._udp.example.test'),
    rr.srv('_sip._udp.example.test', 1, 60, 5060, 'pbx1.example.test'),
    rr.a('pbx1.example.test', '192.0.2.10', 77),
    rr.aaaa('pbx1.example.test', '2001:db8::10'),
    rr.cname('alias.example.test', 'pbx1.example.test'),
  ];
  const msg = reply(answers, {
    authority: [rr.soa('example.test', 120)],
    additional: [{ name: 'x.example.test', class: CLASS_IN, ttl: 1, type: 'OTHER', code: 16, data: hex('03616263') }],
  });
  const back = decodeMessage(encodeMessage(msg));
  t.deepEqual(back, msg);
});

test('repeated suffixes are compressed and the pointers are followed on decode', (t) => {
  const answers = [rr.a('pbx1.example.test', '192.0.2.1'), rr.a('pbx1.example.test', '192.0.2.2'), rr.a('pbx2.example.test', '192.0.2.3')];
  const msg = reply(answers, { questions: [{ name: 'pbx1.example.test', type: 1, class: 1 }] });
  const wire = encodeMessage(msg);
  // Header 12 + question 23 + first answer name as a 2-byte pointer (3 x (2+10+4)) + "pbx2" label + pointer.
  t.is(wire.length, 12 + 23 + 16 + 16 + (5 + 2 + 10 + 4));
  t.is(wire[35], 0xc0); // first answer's owner name points back to the question
  t.is(wire[36], 12);
  t.deepEqual(decodeMessage(wire).answers, answers);
});

test('a hand-made reply with a pointer into the middle of a name decodes', (t) => {
  // Question "sip.example.test" A; answer owner "pbx.<ptr to example.test at offset 16>".
  const wire = hex(
    'abcd 8180 0001 0001 0000 0000' +
      '03 736970 07 6578616d706c65 04 74657374 00 0001 0001' +
      '03 706278 c010 0001 0001 0000003c 0004 c0000201',
  );
  const m = decodeMessage(wire);
  t.is(m.answers[0]!.name, 'pbx.example.test');
  t.deepEqual(m.answers[0], { name: 'pbx.example.test', class: 1, ttl: 60, type: 'A', address: '192.0.2.1' });
  t.is(m.rcode, 0);
  t.true(m.ra);
});

test('compression loops and forward pointers are rejected, not followed forever', (t) => {
  // The question name is a pointer to itself.
  const self = hex('0001 8100 0001 0000 0000 0000 c00c 0001 0001');
  t.throws(() => decodeMessage(self), { instanceOf: DnsError, message: /does not point backwards/ });
  // Two names pointing at each other: label "a" then a pointer forward.
  const pair = hex('0001 8100 0002 0000 0000 0000 0161 c014 0001 0001 0162 c00c 0001 0001');
  t.throws(() => decodeMessage(pair), { instanceOf: DnsError });
});

test('truncated and malformed replies raise DnsError with a clear message', (t) => {
  const good = encodeMessage(reply([rr.srv('_sip._udp.example.test', 1, 1, 5060, 'pbx.example.test')]));
  t.throws(() => decodeMessage(good.subarray(0, 8)), { instanceOf: DnsError, message: /too short/ });
  t.throws(() => decodeMessage(good.subarray(0, good.length - 3)), { instanceOf: DnsError, message: /truncated/ });
  // An A record whose RDLENGTH says 5.
  const badA = hex('0001 8180 0000 0001 0000 0000 00 0001 0001 00000001 0005 0102030405');
  t.throws(() => decodeMessage(badA), { instanceOf: DnsError, message: /RDLENGTH 5/ });
  // A label type 0x40 (extended labels) is not supported.
  t.throws(() => decodeMessage(hex('0001 8100 0001 0000 0000 0000 41 00 0001 0001')), { message: /label type/ });
});

test('a reply with TC set keeps the records that arrived whole', (t) => {
  const full = encodeMessage(reply([rr.a('a.test', '192.0.2.1'), rr.a('a.test', '192.0.2.2')], { tc: true }));
  const m = decodeMessage(full.subarray(0, full.length - 6));
  t.true(m.tc);
  t.is(m.answers.length, 1);
});

test('AAAA text follows RFC 5952 and IPv6 parsing accepts the usual forms', (t) => {
  const cases: Array<[string, string]> = [
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:DB8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::1', '::1'],
    ['::', '::'],
    ['fe80::', 'fe80::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
  ];
  for (const [input, text] of cases) {
    const m = decodeMessage(encodeMessage(reply([rr.aaaa('h.test', input)])));
    t.is((m.answers[0] as { address: string }).address, text, input);
  }
  t.throws(() => parseIpv6('1::2::3'), { instanceOf: DnsError });
  t.throws(() => parseIpv6('12345::'), { instanceOf: DnsError });
  t.true(isIpAddress('10.0.0.1'));
  t.true(isIpAddress('fe80::1'));
  t.false(isIpAddress('pbx.example.test'));
  t.false(isIpAddress('10.0.0.256'));
});

test('TTLs with the top bit set count as zero (RFC 2181 §8)', (t) => {
  const wire = hex('0001 8180 0000 0001 0000 0000 00 0001 0001 80000000 0004 01020304');
  t.is(decodeMessage(wire).answers[0]!.ttl, 0);
});
