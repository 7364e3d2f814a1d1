// Property tests for the DNS codec: arbitrary bytes and mutated real replies either decode or throw DnsError
// (never another error, never a hang), and generated messages survive encode/decode unchanged.
import test from 'ava';
import fc from 'fast-check';
import {
  CLASS_IN, DnsError, decodeMessage, encodeMessage, type DnsMessage, type ResourceRecord,
} from '../../../src/sip/dns/message.js';

const label = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const ttl = fc.integer({ min: 0, max: 0x7fffffff });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const text = fc.stringMatching(/^[ -~]{0,30}$/);

const record: fc.Arbitrary<ResourceRecord> = fc.oneof(
  fc.record({ name, ttl, address: ipv4 }).map((r) => ({ ...r, class: CLASS_IN, type: 'A' as const })),
  fc.record({ name, ttl, target: name }).map((r) => ({ ...r, class: CLASS_IN, type: 'CNAME' as const })),
  fc.record({ name, ttl, priority: u16, weight: u16, port: u16, target: name })
    .map((r) => ({ ...r, class: CLASS_IN, type: 'SRV' as const })),
  fc.record({ name, ttl, order: u16, preference: u16, flags: text, services: text, regexp: text, replacement: name })
    .map((r) => ({ ...r, class: CLASS_IN, type: 'NAPTR' as const })),
);

const message: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  rcode: fc.integer({ min: 0, max: 5 }),
  answers: fc.array(record, { maxLength: 6 }),
  authority: fc.array(record, { maxLength: 2 }),
  q: name,
}).map(({ id, rcode, answers, authority, q }) => ({
  id, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode,
  questions: [{ name: q, type: 33, class: CLASS_IN }], answers, authority, additional: [],
}));

function decodesOrDnsError(bytes: Uint8Array): boolean {
  try {
    decodeMessage(bytes);
    return true;
  } catch (e) {
    return e instanceof DnsError;
  }
}

test('generated messages round-trip through the wire format', (t) => {
  fc.assert(fc.property(message, (m) => {
    t.deepEqual(decodeMessage(encodeMessage(m)), m);
  }), { numRuns: 500 });
  t.pass();
});

test('random bytes decode or raise DnsError, nothing else', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodesOrDnsError(b)), { numRuns: 3000 });
  t.pass();
});

test('real replies with bytes flipped or cut decode or raise DnsError', (t) => {
  fc.assert(
    fc.property(message, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat(), (m, flips, cut) => {
      const wire = encodeMessage(m);
      for (const [at, v] of flips) wire[at % wire.length] = v;
      return decodesOrDnsError(wire.subarray(0, wire.length - (cut % wire.length)));
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
