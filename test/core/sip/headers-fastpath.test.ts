// The header parsers try a native-match fast path and fall back to an exact character-by-character parser.
// Both must agree: on seeded mutations of valid values, the public parser and the exact parser give the
// same value, or both throw the same message.
import test from 'ava';
import { parseCSeq, parseCSeqExact } from '../../../src/sip/headers/cseq.js';
import { type NameAddrResult, parseNameAddrAt, parseNameAddrExact } from '../../../src/sip/headers/name-addr.js';
import { parseParams, parseParamsExact } from '../../../src/sip/headers/params.js';
import { parseViaAt, parseViaExact } from '../../../src/sip/headers/via.js';
import { hostDefect, hostDefectExact, isIPv4, parseIPv4 } from '../../../src/sip/uri.js';
import { mutate, outcome, rng } from './mutation.js';

function viewNameAddr(r: NameAddrResult): unknown {
  const v = r.value;
  return { displayName: v.displayName, uriText: v.uriText, angle: v.angle, params: { ...v.params }, end: r.end };
}

function differential<T>(
  t: { deepEqual(a: unknown, b: unknown, m?: string): void; true(v: boolean, m?: string): void },
  seeds: string[],
  fast: (s: string) => T,
  exact: (s: string) => T,
  view: (v: T) => unknown,
  rounds: number,
  seed: number,
): void {
  const next = rng(seed);
  let oks = 0;
  for (let r = 0; r < rounds; r++) {
    const text = r < seeds.length ? seeds[r]! : mutate(seeds[r % seeds.length]!, next);
    const a = outcome(() => view(fast(text)));
    const b = outcome(() => view(exact(text)));
    if ('ok' in (a as object)) oks++;
    t.deepEqual(a, b, JSON.stringify(text));
  }
  t.true(oks > rounds / 10, 'enough mutated values stay valid to compare values, not just errors');
}

test('params: fast path and exact parser agree', (t) => {
  const seeds = [';tag=1928301774', ' ; a = 1 ;B; c="x;y\\"z" ;d=[::1], next', ';lr;maddr=10.0.0.1', ';branch=z9hG4bK776;rport;received=192.0.2.1', ';x="a b"', ';q=0.5;expires=60'];
  differential(t, seeds, (s) => parseParams(s, 0, 'X'), (s) => parseParamsExact(s, 0, 'X'), (r) => ({ params: { ...r.params }, end: r.end }), 1500, 1);
});

test('Via: fast path and exact parser agree', (t) => {
  const seeds = [
    'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
    'SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  , SIP/2.0/UDP 192.168.255.111;branch=z9hG4bK30239',
    'SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111;rport;received=2001:db8::9:255',
    'SIP/2.0/TLS host.example.com:5061;maddr=224.2.0.1;ttl=16;branch=z9hG4bK%fz',
    'SIP/2.0/UDP 192.0.2.1:5060;received=192.0.2.207;branch=z9hG4bK77asjd',
  ];
  differential(t, seeds, (s) => parseViaAt(s, 0), (s) => parseViaExact(s, 0), (r) => r, 1500, 2);
});

test('name-addr: fast path and exact parser agree', (t) => {
  const seeds = [
    '"Alice Smith" <sip:alice@atlanta.example.com>;tag=1928301774',
    'Bob <sip:bob@biloxi.com>',
    'sip:caller@example.net;tag=341518',
    '<sip:a@x;lr>, <sip:b@y?h=1>;expires=60',
    '"J \\"R\\"" <sip:a@x> ; tag = 1',
    'The Operator <sip:operator@cs.columbia.edu>;tag=287447',
    'tel:+1-201-555-0123;tag=x',
  ];
  differential(t, seeds, (s) => parseNameAddrAt(s, 0, 'From'), (s) => parseNameAddrExact(s, 0, 'From'), viewNameAddr, 2000, 3);
});

test('CSeq: fast path and exact parser agree', (t) => {
  const seeds = ['4711 INVITE', '0009\r\n  INVITE', '  1   REGISTER  ', '2147483647 BYE', '2147483648 BYE'];
  differential(t, seeds, parseCSeq, parseCSeqExact, (r) => r, 800, 4);
});

test('host names and IPv4: fast check and label-by-label check agree', (t) => {
  const seeds = ['example.com', 'a.b.c', 'host-of-the-hour.example.com', '192.0.2.1', '255.255.255.255', 'x1.y-2.z3.', 'a', '1.2.3.4'];
  const next = rng(5);
  const HOST_ALPHABET = ['.', '-', 'a', 'Z', '0', '9', '2', '5', '6', '_', ''];
  let valid = 0;
  for (let r = 0; r < 3000; r++) {
    let h = seeds[r % seeds.length]!;
    if (r >= seeds.length) {
      for (let k = 0; k < 1 + Math.floor(next() * 3); k++) {
        const pos = Math.floor(next() * (h.length + 1));
        const ch = HOST_ALPHABET[Math.floor(next() * HOST_ALPHABET.length)]!;
        h = next() < 0.5 ? h.slice(0, pos) + ch + h.slice(pos) : h.slice(0, pos) + ch + h.slice(pos + 1);
      }
    }
    const ok = hostDefect(h) === undefined;
    if (ok) valid++;
    t.is(ok, hostDefectExact(h) === undefined, h);
    t.is(isIPv4(h), parseIPv4(h) !== undefined, h);
  }
  t.true(valid > 300);
});
