import test from 'ava';
import { parseMessage } from '../../../../src/sip/parser/index.js';
import { formatVia } from '../../../../src/sip/headers/via.js';
import { newBranch, ourVia, randomToken, receivedParams, rewriteTopVia, setViaTransport, stampResponseVia } from '../../../../src/sip/transport/via.js';
import type { Source } from '../../../../src/sip/transport/types.js';
import { bytes, res, SeededRandom, text } from './helpers.js';

const src = (address: string, port: number, protocol: 'UDP' | 'TCP' = 'UDP'): Source => ({ protocol, address, port, local: { address: '192.0.2.2', port: 5060 } });

test('branches start with the magic cookie, are tokens, and differ', (t) => {
  const r = new SeededRandom(7);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const b = newBranch(r);
    t.regex(b, /^z9hG4bK[a-z0-9]{20}$/);
    seen.add(b);
  }
  t.is(seen.size, 200);
  t.is(randomToken(r, 8).length, 8);
});

test('ourVia asks for rport', (t) => {
  t.is(formatVia(ourVia('UDP', '192.0.2.1', 5060, 'z9hG4bKx')), 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx;rport');
  t.is(formatVia(ourVia('TCP', 'host.example.com', undefined, 'z9hG4bKy', false)), 'SIP/2.0/TCP host.example.com;branch=z9hG4bKy');
});

test('received is added when sent-by differs from the source; rport filled with the source port', (t) => {
  const m = (via: string) => parseMessage(bytes(`OPTIONS sip:a@b SIP/2.0\r\nVia: ${via}\r\n\r\n`)).via[0]!;
  t.deepEqual(receivedParams(m('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa'), src('192.0.2.1', 5060)), {});
  t.deepEqual(receivedParams(m('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa'), src('203.0.113.7', 5060)), { received: '203.0.113.7' });
  t.deepEqual(receivedParams(m('SIP/2.0/UDP phone.example.com;branch=z9hG4bKa'), src('203.0.113.7', 5060)), { received: '203.0.113.7' });
  // RFC 3581 §4: with rport, received is added even when it equals sent-by.
  t.deepEqual(receivedParams(m('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa;rport'), src('192.0.2.1', 61000)), { received: '192.0.2.1', rport: 61000 });
});

test('stampResponseVia rewrites only the top Via of the serialized response', (t) => {
  const r = res(200, 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKt1;rport, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKlower');
  const out = stampResponseVia(r.raw, r.via[0]!, src('203.0.113.7', 40123));
  const s = text(out);
  t.true(s.includes('Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKt1;rport=40123;received=203.0.113.7, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKlower\r\n'));
  const again = parseMessage(out);
  t.is(again.via[0]!.rport, 40123);
  t.is(again.via[0]!.received, '203.0.113.7');
  t.is(again.via[1]!.branch, 'z9hG4bKlower');
  t.is(again.callId, 'c1@example.com');
  t.is(text(out).slice(s.indexOf('\r\nFrom')), text(r.raw).slice(text(r.raw).indexOf('\r\nFrom')), 'the rest is untouched');
});

test('stampResponseVia leaves the bytes alone when nothing needs adding', (t) => {
  const r = res(200, 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1');
  const raw = r.raw;
  t.is(stampResponseVia(raw, r.via[0]!, src('192.0.2.1', 5060)), raw);
});

test('rewriteTopVia handles the compact form and keeps the body', (t) => {
  const raw = bytes('SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKc\r\nContent-Length: 4\r\n\r\nbody');
  const out = setViaTransport(raw, 'TCP');
  t.is(text(out), 'SIP/2.0 200 OK\r\nv: SIP/2.0/TCP 10.0.0.5;branch=z9hG4bKc\r\nContent-Length: 4\r\n\r\nbody');
  const none = bytes('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
  t.is(rewriteTopVia(none, (v) => v), none);
});

test('IPv6 sent-by and received survive the rewrite', (t) => {
  const r = res(200, 'SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKv6;rport');
  const out = parseMessage(stampResponseVia(r.raw, r.via[0]!, src('2001:db8::99', 5070)));
  t.is(out.via[0]!.host, '2001:db8::1');
  t.is(out.via[0]!.received, '2001:db8::99');
  t.is(out.via[0]!.rport, 5070);
});
