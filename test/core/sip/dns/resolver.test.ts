import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { DnsError, RCODE, TYPE_CODE, encodeMessage } from '../../../../src/sip/dns/message.js';
import { DnsResolver, type ResolverOptions } from '../../../../src/sip/dns/resolver.js';
import { FakeDnsNetwork, SeededRandom, drive, failure, rr } from './fake-dns.js';

const NS1 = { address: '192.0.2.53', port: 53 };
const NS2 = { address: '198.51.100.53', port: 53 };

const zone = [
  rr.soa('example.test', 60),
  rr.a('pbx.example.test', '192.0.2.10', 120),
  rr.a('pbx.example.test', '192.0.2.11', 30),
  rr.cname('sip.example.test', 'pbx.example.test', 600),
];

function setup(extra: Partial<ResolverOptions> = {}) {
  const clock = new VirtualClock();
  const net = new FakeDnsNetwork(clock);
  const resolver = new DnsResolver({ network: net, clock, random: new SeededRandom(7), servers: [NS1, NS2], ...extra });
  return { clock, net, resolver };
}

test('an A query is answered and the records come back', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone });
  const r = await drive(clock, resolver.query('PBX.example.test.', 'A'));
  t.deepEqual(r.records.map((x) => x.address), ['192.0.2.10', '192.0.2.11']);
  t.is(r.name, 'pbx.example.test');
  t.is(r.negative, undefined);
  t.is(net.sent.length, 1);
  t.is(net.sent[0]!.server, '192.0.2.53:53');
});

test('answers are cached for the smallest TTL, then asked again', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone });
  await drive(clock, resolver.query('pbx.example.test', 'A'));
  clock.advance(29_000);
  const cached = await drive(clock, resolver.query('pbx.example.test', 'A'));
  t.is(cached.records.length, 2);
  t.is(net.sent.length, 1, 'served from the cache within the TTL');
  clock.advance(1_000); // 30 s TTL of the second record has run out
  await drive(clock, resolver.query('pbx.example.test', 'A'));
  t.is(net.sent.length, 2, 'expired entry fetched again');
});

test('NXDOMAIN and NODATA are cached for min(SOA TTL, SOA MINIMUM)', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone });
  const nx = await drive(clock, resolver.query('nope.example.test', 'A'));
  t.is(nx.negative, 'NXDOMAIN');
  t.deepEqual(nx.records, []);
  const nodata = await drive(clock, resolver.query('pbx.example.test', 'AAAA'));
  t.is(nodata.negative, 'NODATA');
  t.is(net.sent.length, 2);
  clock.advance(59_000);
  await drive(clock, resolver.query('nope.example.test', 'A'));
  await drive(clock, resolver.query('pbx.example.test', 'AAAA'));
  t.is(net.sent.length, 2, 'negative answers cached');
  clock.advance(1_000);
  await drive(clock, resolver.query('nope.example.test', 'A'));
  t.is(net.sent.length, 3, 'negative entry expired after SOA minimum (60 s)');
});

test('a lost query is sent again with doubled waits, then the next server, then fails', async (t) => {
  const { clock, net, resolver } = setup({ servers: [NS1], timeoutMs: 1000, attempts: 3 });
  net.serve(NS1.address, NS1.port, { zone, drop: () => true });
  const p = resolver.query('pbx.example.test', 'A');
  const err = await failure(clock, p);
  t.true(err instanceof DnsError);
  t.regex(err.message, /timed out/);
  t.deepEqual(net.sent.map((s) => s.at), [0, 1000, 3000]);
  t.is(clock.now(), 7000, 'gave up after 1 + 2 + 4 s');
});

test('a silent first server is left for the second within one round', async (t) => {
  const { clock, net, resolver } = setup({ timeoutMs: 800 });
  net.serve(NS1.address, NS1.port, { zone, drop: () => true });
  net.serve(NS2.address, NS2.port, { zone });
  const r = await drive(clock, resolver.query('pbx.example.test', 'A'));
  t.is(r.records.length, 2);
  t.deepEqual(net.sent.map((s) => [s.at, s.server]), [[0, '192.0.2.53:53'], [800, '198.51.100.53:53']]);
});

test('a reply lost once is retransmitted to the same server in the next round', async (t) => {
  const { clock, net, resolver } = setup({ servers: [NS1], timeoutMs: 500 });
  net.serve(NS1.address, NS1.port, { zone, drop: (n) => n === 1 });
  const r = await drive(clock, resolver.query('pbx.example.test', 'A'));
  t.is(r.records.length, 2);
  t.deepEqual(net.sent.map((s) => s.at), [0, 500]);
});

test('SERVFAIL moves on to the next server at once', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone, rcode: RCODE.SERVFAIL });
  net.serve(NS2.address, NS2.port, { zone });
  const r = await drive(clock, resolver.query('pbx.example.test', 'A'));
  t.is(r.records.length, 2);
  t.deepEqual(net.sent.map((s) => [s.at, s.server]), [[0, '192.0.2.53:53'], [5, '198.51.100.53:53']]);
});

test('every server refusing fails with the rcode named', async (t) => {
  const { clock, net, resolver } = setup({ attempts: 1 });
  net.serve(NS1.address, NS1.port, { zone, rcode: RCODE.REFUSED });
  net.serve(NS2.address, NS2.port, { zone, rcode: RCODE.REFUSED });
  t.regex((await failure(clock, resolver.query('pbx.example.test', 'A'))).message, /rcode 5/);
});

test('replies from the wrong port, with the wrong id or the wrong question are ignored', async (t) => {
  const { clock, net, resolver } = setup({ servers: [NS1], timeoutMs: 1000, attempts: 1 });
  net.serve(NS1.address, NS1.port, { zone, wrongPort: true });
  t.true((await failure(clock, resolver.query('pbx.example.test', 'A'))) instanceof DnsError);

  const s2 = setup({ servers: [NS1], timeoutMs: 1000, attempts: 1 });
  s2.net.serve(NS1.address, NS1.port, { zone, delayMs: 500 });
  const p = s2.resolver.query('pbx.example.test', 'A');
  await drive(s2.clock, Promise.resolve()); // let the query go out
  const sent = s2.net.sent[0]!;
  t.is(sent.type, TYPE_CODE.A);
  // Forged replies arrive before the real one: right id but another name, right name but another id,
  // and right id and name from another address. All must be ignored.
  const forged = (id: number, name: string) =>
    encodeMessage({
      id, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: 0,
      questions: [{ name, type: 1, class: 1 }], answers: [rr.a(name, '203.0.113.66')], authority: [], additional: [],
    });
  s2.net.inject(forged(sent.id, 'evil.example.test'), NS1);
  s2.net.inject(forged(sent.id ^ 1, 'pbx.example.test'), NS1);
  s2.net.inject(forged(sent.id, 'pbx.example.test'), { address: '203.0.113.1', port: 53 });
  s2.net.inject(new Uint8Array([sent.id >> 8, sent.id & 0xff, 0x81, 0x80, 0, 1]), NS1); // garbage, same id
  const r = await drive(s2.clock, p);
  t.deepEqual(r.records.map((x) => x.address), ['192.0.2.10', '192.0.2.11']);
});

test('a CNAME in the reply is followed to the records', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone });
  const r = await drive(clock, resolver.query('sip.example.test', 'A'));
  t.is(r.name, 'pbx.example.test');
  t.is(r.records.length, 2);
});

test('a truncated UDP reply is asked again over TCP and the full answer used', async (t) => {
  const many = Array.from({ length: 6 }, (_, i) => rr.a('big.example.test', `192.0.2.${100 + i}`));
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone: [...zone, ...many], udpLimit: 2 });
  const r = await drive(clock, resolver.query('big.example.test', 'A'));
  t.is(r.records.length, 6);
  t.falsy(r.partial);
  t.deepEqual(net.sent.map((s) => s.tcp), [false, true]);
});

test('without TCP fallback a truncated answer is returned as partial and not cached', async (t) => {
  const many = Array.from({ length: 6 }, (_, i) => rr.a('big.example.test', `192.0.2.${100 + i}`));
  const { clock, net, resolver } = setup({ tcpFallback: false });
  net.serve(NS1.address, NS1.port, { zone: [...zone, ...many], udpLimit: 2 });
  const r = await drive(clock, resolver.query('big.example.test', 'A'));
  t.true(r.partial);
  t.is(r.records.length, 2);
  await drive(clock, resolver.query('big.example.test', 'A'));
  t.is(net.sent.length, 2);
});

test('when TCP is refused the truncated UDP answer is used, marked partial', async (t) => {
  const many = Array.from({ length: 6 }, (_, i) => rr.a('big.example.test', `192.0.2.${100 + i}`));
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone: [...zone, ...many], udpLimit: 3, tcpRefused: true });
  const r = await drive(clock, resolver.query('big.example.test', 'A'));
  t.true(r.partial);
  t.is(r.records.length, 3);
});

test('concurrent identical queries share one packet', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone });
  const [a, b] = await drive(clock, Promise.all([resolver.query('pbx.example.test', 'A'), resolver.query('PBX.example.test', 'A')]));
  t.is(a, b);
  t.is(net.sent.length, 1);
});

test('the cache holds at most cacheSize names, dropping the least recently used', async (t) => {
  const names = ['a', 'b', 'c'].map((n) => `${n}.example.test`);
  const { clock, net, resolver } = setup({ cacheSize: 2 });
  net.serve(NS1.address, NS1.port, { zone: [...zone, ...names.map((n) => rr.a(n, '192.0.2.1'))] });
  await drive(clock, resolver.query(names[0]!, 'A'));
  await drive(clock, resolver.query(names[1]!, 'A'));
  await drive(clock, resolver.query(names[0]!, 'A')); // a is now the most recent
  await drive(clock, resolver.query(names[2]!, 'A')); // pushes out b
  t.is(resolver.cacheSize, 2);
  t.is(net.sent.length, 3);
  await drive(clock, resolver.query(names[0]!, 'A'));
  t.is(net.sent.length, 3, 'a still cached');
  await drive(clock, resolver.query(names[1]!, 'A'));
  t.is(net.sent.length, 4, 'b was evicted');
});

test('close() fails queries in flight', async (t) => {
  const { clock, net, resolver } = setup();
  net.serve(NS1.address, NS1.port, { zone, delayMs: 100 });
  const p = resolver.query('pbx.example.test', 'A');
  await drive(clock, Promise.resolve());
  resolver.close();
  t.regex((await failure(clock, p)).message, /closed/);
});
