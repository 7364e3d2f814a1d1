import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { DnsError, type RecordOf, type ResourceRecord } from '../../../../src/sip/dns/message.js';
import { DnsResolver } from '../../../../src/sip/dns/resolver.js';
import { SipLocator, TargetCursor, orderSrv, type Target, type Transport } from '../../../../src/sip/dns/sip-locator.js';
import type { SipUri } from '../../../../src/sip/uri.js';
import { FakeDnsNetwork, SeededRandom, drive, failure, rr } from './fake-dns.js';

const NS = { address: '192.0.2.53', port: 53 };

function uri(host: string, extra: Partial<SipUri> = {}): SipUri {
  return { scheme: 'sip', user: 'alice', host, params: {}, headers: {}, ...extra };
}

function setup(zone: ResourceRecord[], transports?: Transport[], seed = 1) {
  const clock = new VirtualClock();
  const net = new FakeDnsNetwork(clock).serve(NS.address, NS.port, { zone });
  const random = new SeededRandom(seed);
  const resolver = new DnsResolver({ network: net, clock, random, servers: [NS] });
  const locator = new SipLocator({ resolver, random, ...(transports ? { transports } : {}) });
  const resolve = (u: SipUri) => drive(clock, locator.resolve(u));
  return { clock, net, locator, resolve };
}

const brief = (ts: Target[]) => ts.map((x) => `${x.transport} ${x.address}:${x.port}`);

const example = [
  rr.soa('example.test', 30),
  rr.naptr('example.test', 10, 50, 'SIP+D2T', '_sip._tcp.example.test'),
  rr.naptr('example.test', 10, 10, 'SIP+D2U', '_sip._udp.example.test'),
  rr.naptr('example.test', 20, 10, 'SIPS+D2T', '_sips._tcp.example.test'),
  rr.naptr('example.test', 5, 10, 'SIP+D2S', '_sip._sctp.example.test'), // SCTP: not supported, skipped
  rr.srv('_sip._udp.example.test', 10, 0, 5060, 'pbx1.example.test'),
  rr.srv('_sip._udp.example.test', 20, 0, 5080, 'pbx2.example.test'),
  rr.srv('_sip._tcp.example.test', 10, 0, 5060, 'pbx1.example.test'),
  rr.srv('_sips._tcp.example.test', 10, 0, 5061, 'pbx1.example.test'),
  rr.srv('_sip._sctp.example.test', 10, 0, 5060, 'pbx1.example.test'),
  rr.a('pbx1.example.test', '192.0.2.1'),
  rr.a('pbx2.example.test', '192.0.2.2'),
  rr.aaaa('pbx2.example.test', '2001:db8::2'),
];

test('a numeric host needs no DNS: port and transport default per scheme', async (t) => {
  const { net, resolve } = setup([], ['UDP', 'TCP', 'TLS']);
  t.deepEqual(brief(await resolve(uri('192.0.2.7'))), ['UDP 192.0.2.7:5060']);
  t.deepEqual(brief(await resolve(uri('2001:db8::7', { port: 5070 }))), ['UDP 2001:db8::7:5070']);
  t.deepEqual(brief(await resolve(uri('192.0.2.7', { params: { transport: 'tcp' } }))), ['TCP 192.0.2.7:5060']);
  t.deepEqual(brief(await resolve(uri('192.0.2.7', { scheme: 'sips' }))), ['TLS 192.0.2.7:5061']);
  t.is(net.sent.length, 0);
});

test('a name with a port skips NAPTR and SRV: A then AAAA', async (t) => {
  const { net, resolve } = setup(example);
  t.deepEqual(brief(await resolve(uri('pbx2.example.test', { port: 5090 }))), ['UDP 192.0.2.2:5090', 'UDP 2001:db8::2:5090']);
  t.deepEqual(net.sent.map((s) => s.type).sort(), [1, 28]);
});

test('NAPTR order and preference pick the transport, then SRV priority the servers (RFC 3263 §4.1)', async (t) => {
  const { resolve } = setup(example, ['UDP', 'TCP']);
  t.deepEqual(brief(await resolve(uri('example.test'))), [
    'UDP 192.0.2.1:5060', // order 10 pref 10, SRV priority 10
    'UDP 192.0.2.2:5080', // same NAPTR, SRV priority 20
    'UDP 2001:db8::2:5080',
    'TCP 192.0.2.1:5060', // order 10 pref 50
    // SIPS+D2T (order 20) left out: TLS not enabled; SIP+D2S left out: SCTP unsupported
  ]);
});

test('our transport list limits NAPTR choices, and a SIPS URI only takes SIPS+D2T', async (t) => {
  const tcpOnly = setup(example, ['TCP']);
  t.deepEqual(brief(await tcpOnly.resolve(uri('example.test'))), ['TCP 192.0.2.1:5060']);
  const tls = setup(example, ['UDP', 'TCP', 'TLS']);
  t.deepEqual(brief(await tls.resolve(uri('example.test', { scheme: 'sips' }))), ['TLS 192.0.2.1:5061']);
  const target = (await tls.resolve(uri('example.test', { scheme: 'sips' })))[0]!;
  t.is(target.host, 'pbx1.example.test', 'the SRV target the address came from');
  t.is(target.domain, 'example.test', 'the certificate must match the URI domain (RFC 5922)');
});

test('without NAPTR an SRV query per supported transport, in our preference order', async (t) => {
  const zone = [
    rr.soa('nonaptr.test', 30),
    rr.srv('_sip._tcp.nonaptr.test', 1, 0, 5070, 'b.nonaptr.test'),
    rr.srv('_sip._udp.nonaptr.test', 1, 0, 5060, 'a.nonaptr.test'),
    rr.a('a.nonaptr.test', '192.0.2.20'),
    rr.a('b.nonaptr.test', '192.0.2.21'),
  ];
  t.deepEqual(brief(await setup(zone, ['TCP', 'UDP']).resolve(uri('nonaptr.test'))), ['TCP 192.0.2.21:5070', 'UDP 192.0.2.20:5060']);
  t.deepEqual(brief(await setup(zone, ['UDP', 'TCP']).resolve(uri('nonaptr.test'))), ['UDP 192.0.2.20:5060', 'TCP 192.0.2.21:5070']);
});

test('without NAPTR or SRV the A record on 5060 over UDP (5061 TLS for SIPS)', async (t) => {
  const zone = [rr.soa('plain.test', 30), rr.a('plain.test', '192.0.2.30')];
  const s = setup(zone, ['UDP', 'TCP', 'TLS']);
  t.deepEqual(brief(await s.resolve(uri('plain.test'))), ['UDP 192.0.2.30:5060']);
  t.deepEqual(brief(await s.resolve(uri('plain.test', { scheme: 'sips' }))), ['TLS 192.0.2.30:5061']);
  // Queries: NAPTR, then _sip._udp, _sip._tcp, _sips._tcp SRV, then A and AAAA.
  t.deepEqual(s.net.sent.slice(0, 6).map((q) => q.name), [
    'plain.test', '_sip._udp.plain.test', '_sip._tcp.plain.test', '_sips._tcp.plain.test', 'plain.test', 'plain.test',
  ]);
});

test('a transport parameter without port: SRV for that transport, else A on its default port', async (t) => {
  const s = setup(example, ['UDP', 'TCP', 'TLS']);
  t.deepEqual(brief(await s.resolve(uri('example.test', { params: { transport: 'tcp' } }))), ['TCP 192.0.2.1:5060']);
  t.false(s.net.sent.some((q) => q.type === 35), 'no NAPTR query');
  const zone = [rr.soa('plain.test', 30), rr.a('plain.test', '192.0.2.30')];
  t.deepEqual(brief(await setup(zone, ['UDP', 'TCP', 'TLS']).resolve(uri('plain.test', { params: { transport: 'tls' } }))), [
    'TLS 192.0.2.30:5061',
  ]);
});

test('maddr overrides the host, and bad transports are refused', async (t) => {
  const s = setup(example);
  t.deepEqual(brief(await s.resolve(uri('example.test', { params: { maddr: '192.0.2.99' } }))), ['UDP 192.0.2.99:5060']);
  const e1 = await failure(s.clock, s.locator.resolve(uri('example.test', { params: { transport: 'sctp' } })));
  t.regex(e1.message, /not supported/);
  const e2 = await failure(s.clock, s.locator.resolve(uri('example.test', { scheme: 'sips', params: { transport: 'udp' } })));
  t.regex(e2.message, /SIPS/);
  const e3 = await failure(s.clock, s.locator.resolve(uri('example.test', { params: { transport: 'tls' } })));
  t.regex(e3.message, /not enabled/);
  const e4 = await failure(s.clock, s.locator.resolve(uri('192.0.2.1', { scheme: 'sips' })));
  t.regex(e4.message, /needs TLS/);
});

test('an unknown name fails with DnsError naming it', async (t) => {
  const s = setup([rr.soa('example.test', 30)]);
  const e = await failure(s.clock, s.locator.resolve(uri('ghost.example.test')));
  t.true(e instanceof DnsError);
  t.regex(e.message, /ghost\.example\.test/);
});

test('an SRV target of "." means no service there', async (t) => {
  const zone = [
    rr.soa('dot.test', 30),
    rr.srv('_sip._udp.dot.test', 0, 0, 0, '.'),
    rr.a('dot.test', '192.0.2.40'),
  ];
  t.deepEqual(brief(await setup(zone).resolve(uri('dot.test'))), ['UDP 192.0.2.40:5060']);
});

test('the cursor walks targets in order for failover (RFC 3263 §4.3)', async (t) => {
  const s = setup(example);
  const cursor = await drive(s.clock, s.locator.locate(uri('example.test')));
  t.is(cursor.remaining, 4);
  t.is(cursor.current!.address, '192.0.2.1');
  t.is(cursor.next()!.port, 5080); // 503 from the first: next SRV
  t.is(cursor.next()!.address, '2001:db8::2');
  t.is(cursor.next()!.transport, 'TCP');
  t.is(cursor.next(), undefined);
  t.is(cursor.next(), undefined);
  t.is(cursor.remaining, 0);
  const seen: string[] = [];
  for (const target of new TargetCursor(await s.resolve(uri('example.test')))) seen.push(target.address);
  t.deepEqual(seen, ['192.0.2.1', '192.0.2.2', '2001:db8::2', '192.0.2.1']);
});

test('duplicate targets are tried once', async (t) => {
  const zone = [
    rr.soa('dup.test', 30),
    rr.srv('_sip._udp.dup.test', 1, 10, 5060, 'a.dup.test'),
    rr.srv('_sip._udp.dup.test', 2, 10, 5060, 'b.dup.test'),
    rr.a('a.dup.test', '192.0.2.50'),
    rr.a('b.dup.test', '192.0.2.50'),
  ];
  t.deepEqual(brief(await setup(zone, ['UDP']).resolve(uri('dup.test'))), ['UDP 192.0.2.50:5060']);
});

test('SRV weights share the first pick in proportion (RFC 2782), priorities never mix', (t) => {
  const srv = (target: string, priority: number, weight: number) =>
    rr.srv('_sip._udp.w.test', priority, weight, 5060, target) as RecordOf<'SRV'>;
  const records = [srv('a', 1, 60), srv('b', 1, 30), srv('c', 1, 10), srv('z', 1, 0), srv('backup', 2, 100)];
  const random = new SeededRandom(12345);
  const bytes = new Uint8Array(4);
  const below = (n: number) => {
    random.fill(bytes);
    return (((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0) % n;
  };
  const first = new Map<string, number>();
  const N = 2000;
  let misplaced = 0;
  for (let i = 0; i < N; i++) {
    const order = orderSrv(records, below).map((r) => r.target);
    if (order.length !== 5 || order[4] !== 'backup') misplaced++;
    first.set(order[0]!, (first.get(order[0]!) ?? 0) + 1);
  }
  t.is(misplaced, 0, 'priority 2 always last, nothing lost');
  const share = (k: string) => (first.get(k) ?? 0) / N;
  t.log(Object.fromEntries(first));
  // Expected 60/101, 30/101, 10/101, 1/101 (weight 0 wins only when the draw is 0).
  t.true(Math.abs(share('a') - 60 / 101) < 0.04, `a ${share('a')}`);
  t.true(Math.abs(share('b') - 30 / 101) < 0.04, `b ${share('b')}`);
  t.true(Math.abs(share('c') - 10 / 101) < 0.03, `c ${share('c')}`);
  t.true(share('z') < 0.03, `z ${share('z')}`);
});

test('the locator uses the HAL random source for SRV order: different seeds, different orders', async (t) => {
  const zone = [
    rr.soa('lb.test', 30),
    rr.srv('_sip._udp.lb.test', 1, 50, 5060, 'a.lb.test'),
    rr.srv('_sip._udp.lb.test', 1, 50, 5060, 'b.lb.test'),
    rr.a('a.lb.test', '192.0.2.61'),
    rr.a('b.lb.test', '192.0.2.62'),
  ];
  const firsts = new Set<string>();
  for (let seed = 1; seed <= 12; seed++) {
    const ts = await setup(zone, ['UDP'], seed).resolve(uri('lb.test'));
    t.is(ts.length, 2);
    firsts.add(ts[0]!.address);
  }
  t.is(firsts.size, 2);
});
