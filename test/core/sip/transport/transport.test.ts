import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import type { SipMessage } from '../../../../src/sip/message.js';
import { SipTransport, type SipTransportOptions } from '../../../../src/sip/transport/transport.js';
import type { Source, Target } from '../../../../src/sip/transport/types.js';
import { FakeInternet, type FakeNetwork } from './fake-network.js';
import { bytes, msg, req, res, SeededRandom, testCodec, text } from './helpers.js';

const A = '192.0.2.1';
const B = '192.0.2.2';

async function pair(extra: Partial<SipTransportOptions> = {}) {
  const clock = new VirtualClock();
  const inet = new FakeInternet(clock);
  const open = (net: FakeNetwork) =>
    SipTransport.open({ network: net, clock, random: new SeededRandom(3), codec: testCodec, udp: { port: 5060 }, ...extra });
  const a = await open(inet.host(A));
  const b = await open(inet.host(B));
  const got = { a: [] as Array<[SipMessage, Source]>, b: [] as Array<[SipMessage, Source]> };
  a.onMessage((m, s) => got.a.push([m, s]));
  b.onMessage((m, s) => got.b.push([m, s]));
  return { clock, inet, a, b, got };
}

const toB = (protocol: 'UDP' | 'TCP' = 'UDP', more: Partial<Target> = {}): Target => ({ protocol, address: B, port: 5060, ...more });

/** A response to the request received at `source`, as a UAS would build it (copied Via). */
function answer(request: SipMessage, status = 200): ReturnType<typeof res> {
  return res(status, request.headers('via').join(', '));
}

test('UDP: request arrives with its source; the response is routed back by rport and stamped', async (t) => {
  const { clock, inet, a, b, got } = await pair();
  const errors: Error[] = [];
  a.send(req({ via: `SIP/2.0/UDP ${A}:5060;branch=z9hG4bKu1;rport` }), toB(), (e) => errors.push(e));
  clock.advance(1);
  t.is(got.b.length, 1);
  const [m, src] = got.b[0]!;
  t.deepEqual(src, { protocol: 'UDP', address: A, port: 5060, local: { address: '0.0.0.0', port: 5060 } });
  b.send(answer(m), src);
  clock.advance(1);
  t.is(got.a.length, 1);
  const r = got.a[0]![0];
  t.is(r.kind === 'response' && r.status, 200);
  t.is(r.via[0]!.rport, 5060);
  t.is(r.via[0]!.received, A);
  t.deepEqual(inet.datagrams.map((d) => `${d.from.address}:${d.from.port}>${d.to.address}:${d.to.port}`), [`${A}:5060>${B}:5060`, `${B}:5060>${A}:5060`]);
  t.deepEqual(errors, []);
});

test('UDP: a NATed client (private sent-by) gets its response at the public source address and port', async (t) => {
  const clock = new VirtualClock();
  const inet = new FakeInternet(clock);
  const server = await SipTransport.open({ network: inet.host(B), clock, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 }, tcp: false });
  // The phone's private sent-by is 10.1.1.1:5060; the NAT maps it to 203.0.113.50:61000.
  const inbound: string[] = [];
  const nat = await inet.host('203.0.113.50').openUdp({ port: 61000, onMessage: (d) => inbound.push(text(d)) });
  let src: Source | undefined;
  let request: SipMessage | undefined;
  server.onMessage((m, s) => ((src = s), (request = m)));
  nat.send(req({ via: 'SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKnat;rport' }).raw, B, 5060);
  clock.advance(1);
  server.send(answer(request!), src!);
  clock.advance(1);
  t.is(inbound.length, 1);
  t.true(inbound[0]!.includes('Via: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKnat;rport=61000;received=203.0.113.50'));
  t.false(inet.datagrams.some((d) => d.to.address === '10.1.1.1'), 'nothing sent to the private sent-by');
});

test('TCP: one connection carries the request, the response and the next request', async (t) => {
  const { clock, inet, a, b, got } = await pair();
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKt1;rport` }), toB('TCP'));
  clock.advance(5);
  t.is(got.b.length, 1);
  const [m, src] = got.b[0]!;
  t.is(src.protocol, 'TCP');
  t.is(typeof src.connection, 'number');
  b.send(answer(m), src);
  clock.advance(5);
  t.is(got.a.length, 1);
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKt2;rport` }), toB('TCP'));
  clock.advance(5);
  t.is(got.b.length, 2);
  t.is(got.b[1]![1].connection, src.connection);
  t.is(inet.streams.length, 1, 'a single TCP connection');
  t.is(a.connections.size, 1);
  t.is(b.connections.size, 1);
});

test('TCP: the request is queued while connecting and a refused connection reports an error', async (t) => {
  const { clock, a } = await pair();
  const errors: string[] = [];
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKr;rport` }), { protocol: 'TCP', address: '192.0.2.77', port: 5060 }, (e) => errors.push(e.message));
  t.deepEqual(errors, []);
  clock.advance(1);
  t.is(errors.length, 1);
  t.regex(errors[0]!, /refused/);
  t.is(a.connections.size, 0);
});

test('TCP: when the connection is gone, the response opens a new one to received and the sent-by port', async (t) => {
  const { clock, inet, a, b, got } = await pair();
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKc1;rport` }), toB('TCP'));
  clock.advance(5);
  const [m, src] = got.b[0]!;
  inet.streams[0]!.close();
  clock.advance(5);
  t.is(b.connections.size, 0);
  t.is(a.connections.size, 0);
  b.send(answer(m), src);
  clock.advance(5);
  t.is(got.a.length, 1);
  t.is(inet.streams.length, 2);
  t.deepEqual(inet.streams[1]!.remote, { address: A, port: 5060 });
});

test('TCP: idle connections close after the idle timeout; the next send reconnects', async (t) => {
  const { clock, inet, a, got } = await pair({ idleTimeoutMs: 60_000 });
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKi1;rport` }), toB('TCP'));
  clock.advance(30_000);
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKi2;rport` }), toB('TCP'));
  clock.advance(59_000);
  t.is(a.connections.size, 1, 'traffic at 30 s kept it open');
  clock.advance(1_001);
  t.is(a.connections.size, 0);
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKi3;rport` }), toB('TCP'));
  clock.advance(5);
  t.is(got.b.length, 3);
  t.is(inet.streams.length, 2);
});

test('TCP reset: the connection leaves the table and the next request reconnects', async (t) => {
  const { clock, inet, a, got } = await pair();
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKx1;rport` }), toB('TCP'));
  clock.advance(5);
  inet.streams[0]!.reset();
  clock.advance(5);
  t.is(a.connections.size, 0);
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKx2;rport` }), toB('TCP'));
  clock.advance(5);
  t.is(got.b.length, 2);
});

test('§18.1.1: a request over 1300 bytes goes over TCP when allowed, with the Via rewritten', async (t) => {
  const { clock, inet, a, got } = await pair();
  const big = req({ method: 'MESSAGE', via: `SIP/2.0/UDP ${A}:5060;branch=z9hG4bKbig;rport`, body: 'x'.repeat(1400) });
  const out = a.prepareRequest(big, toB('UDP', { tcpAllowed: true }));
  t.is(out.protocol, 'TCP');
  t.true(out.reliable);
  a.transmit(out, () => t.fail());
  clock.advance(5);
  t.is(inet.datagrams.length, 0);
  t.is(got.b.length, 1);
  t.is(got.b[0]![0].via[0]!.transport, 'TCP');
  t.is(got.b[0]![0].body.length, 1400);
  const small = a.prepareRequest(req(), toB('UDP', { tcpAllowed: true }));
  t.is(small.protocol, 'UDP');
  const noTcp = a.prepareRequest(big, toB('UDP'));
  t.is(noTcp.protocol, 'UDP');
});

test('responses with more than one Via and requests without one are dropped; bad datagrams reported', async (t) => {
  const { clock, a, b, got } = await pair();
  const errors: string[] = [];
  b.onReceiveError((e, from, protocol) => errors.push(`${protocol} ${from.address} ${e.message}`));
  a.send(res(200, 'SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKb'), { protocol: 'UDP', address: B, port: 5060 } as Source);
  clock.advance(1);
  t.is(got.b.length, 0);
  const noVia = msg(['OPTIONS sip:b@x SIP/2.0', 'CSeq: 1 OPTIONS']) as ReturnType<typeof req>;
  a.transmit({ ...a.prepareRequest(noVia, toB()) }, () => {});
  clock.advance(1);
  t.is(got.b.length, 0);
  a.transmit({ bytes: bytes('GARBAGE\r\n\r\n'), protocol: 'UDP', reliable: false, address: B, port: 5060, kind: 'request' }, () => {});
  clock.advance(1);
  t.is(errors.length, 1);
  t.regex(errors[0]!, /^UDP 192\.0\.2\.1 /);
});

test('a stream that cannot be framed is closed', async (t) => {
  const { clock, inet, a, b } = await pair();
  const errors: string[] = [];
  b.onReceiveError((e, _from, protocol) => errors.push(`${protocol} ${e.message}`));
  a.transmit({ bytes: bytes('NOT SIP AT ALL\r\nContent-Length: x\r\n\r\n'), protocol: 'TCP', reliable: true, address: B, port: 5060, kind: 'request' }, () => {});
  clock.advance(5);
  t.is(errors.length, 1);
  t.is(b.connections.size, 0);
  t.true(inet.streams[0]!.peer.closed);
});

test('a server answers a CRLFCRLF ping with a CRLF pong (RFC 5626 §3.5.1)', async (t) => {
  const { clock, inet, a, b } = await pair();
  a.transmit({ bytes: bytes('\r\n\r\n'), protocol: 'TCP', reliable: true, address: B, port: 5060, kind: 'request' }, () => {});
  clock.advance(5);
  t.is(inet.streams[0]!.peer.text, '\r\n');
  t.is(b.connections.size, 1);
});

test('TCP keep-alive: pings between 80% and 100% of the interval, pongs keep the flow alive', async (t) => {
  const { clock, inet, a } = await pair();
  const failures: string[] = [];
  const ka = a.keepAlive(toB('TCP'), { intervalMs: 100_000, onFailure: (e) => failures.push(e.message) });
  clock.advance(400_000);
  t.deepEqual(failures, []);
  const pings = inet.streams[0]!.written.filter((w) => text(w) === '\r\n\r\n');
  t.true(pings.length >= 4 && pings.length <= 5, `pings: ${pings.length}`);
  t.is(inet.streams[0]!.peer.text, '\r\n'.repeat(pings.length), 'one pong per ping');
  t.true(ka.active);
  ka.stop();
  clock.advance(400_000);
  t.is(inet.streams[0]!.written.length, pings.length);
});

test('TCP keep-alive: a missing pong fails the flow after 10 s', async (t) => {
  const clock = new VirtualClock();
  const inet = new FakeInternet(clock);
  const a = await SipTransport.open({ network: inet.host(A), clock, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 } });
  // A server that accepts and never answers.
  await inet.host(B).listen({ port: 5060, onConnection: () => ({ onData: () => {}, onClose: () => {} }) });
  const failures: string[] = [];
  a.keepAlive(toB('TCP'), { intervalMs: 50_000, onFailure: (e) => failures.push(`${clock.now()} ${e.message}`) });
  clock.advance(70_000);
  t.is(failures.length, 1);
  t.regex(failures[0]!, /no keep-alive pong within 10000 ms/);
  const at = Number(failures[0]!.split(' ')[0]);
  t.true(at >= 50_000 && at <= 60_000);
});

test('TCP keep-alive: a closed connection fails the flow; pongTimeoutMs 0 tolerates a silent server', async (t) => {
  const { clock, inet, a } = await pair();
  const failures: string[] = [];
  a.keepAlive(toB('TCP'), { onFailure: (e) => failures.push(e.message) });
  clock.advance(5);
  inet.streams[0]!.peer.close();
  clock.advance(5);
  t.is(failures.length, 1);

  const c2 = new VirtualClock();
  const i2 = new FakeInternet(c2);
  const x = await SipTransport.open({ network: i2.host(A), clock: c2, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 } });
  await i2.host(B).listen({ port: 5060, onConnection: () => ({ onData: () => {}, onClose: () => {} }) });
  const f2: string[] = [];
  x.keepAlive(toB('TCP'), { intervalMs: 10_000, pongTimeoutMs: 0, onFailure: (e) => f2.push(e.message) });
  c2.advance(100_000);
  t.deepEqual(f2, []);
});

test('UDP keep-alive: a CRLFCRLF datagram about every 30 s, or the caller\'s own ping (e.g. OPTIONS)', async (t) => {
  const { clock, inet, a } = await pair();
  const ka = a.keepAlive(toB());
  clock.advance(300_000);
  const sent = inet.datagrams.filter((d) => text(d.data) === '\r\n\r\n');
  t.true(sent.length >= 10 && sent.length <= 12, `sent ${sent.length}`);
  for (let i = 1; i < sent.length; i++) {
    const gap = sent[i]!.at - sent[i - 1]!.at;
    t.true(gap >= 24_000 && gap <= 30_000, `gap ${gap}`);
  }
  ka.stop();
  let options = 0;
  a.keepAlive(toB(), { intervalMs: 15_000, ping: () => options++ });
  clock.advance(60_000);
  t.true(options >= 4 && options <= 5);
});

test('close() releases sockets and rejects later sends', async (t) => {
  const { clock, inet, a } = await pair();
  a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bKz;rport` }), toB('TCP'));
  clock.advance(5);
  a.close();
  t.is(a.connections.size, 0);
  t.false(inet.udp.has(`${A} 5060`));
  t.false(inet.listeners.has(`${A} 5060`));
  const errors: string[] = [];
  a.send(req(), toB(), (e) => errors.push(e.message));
  t.deepEqual(errors, ['transport closed']);
});

test('a client running keep-alives still answers the server\'s own pings between its pings', async (t) => {
  const { clock, inet, a } = await pair();
  a.keepAlive(toB('TCP'), { intervalMs: 100_000 });
  clock.advance(5);
  const serverEnd = inet.streams[0]!.peer;
  serverEnd.write(bytes('\r\n\r\n'));
  clock.advance(5);
  t.is(inet.streams[0]!.text, '\r\n', 'pong for the server ping');
});

test('a handler that throws is reported as a receive error and later messages still arrive', async (t) => {
  const { clock, a, b, got } = await pair();
  const errors: string[] = [];
  b.onReceiveError((e) => errors.push(e.message));
  let first = true;
  b.onMessage(() => {
    if (first) {
      first = false;
      throw new Error('handler bug');
    }
  });
  a.send(req({ via: `SIP/2.0/UDP ${A}:5060;branch=z9hG4bKh1;rport` }), toB());
  a.send(req({ via: `SIP/2.0/UDP ${A}:5060;branch=z9hG4bKh2;rport` }), toB());
  clock.advance(1);
  t.deepEqual(errors, ['handler bug']);
  t.is(got.b.length, 2);
});

test('the connection table is capped: a new connection closes the least recently active one', async (t) => {
  const clock = new VirtualClock();
  const inet = new FakeInternet(clock);
  const a = await SipTransport.open({ network: inet.host(A), clock, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 }, maxConnections: 2 });
  const peers = ['192.0.2.11', '192.0.2.12', '192.0.2.13'];
  for (const p of peers) await SipTransport.open({ network: inet.host(p), clock, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 } });
  for (const p of peers) {
    a.send(req({ via: `SIP/2.0/TCP ${A}:5060;branch=z9hG4bK${p};rport` }), { protocol: 'TCP', address: p, port: 5060 });
    clock.advance(10);
  }
  t.is(a.connections.size, 2);
  t.is(a.connections.find('TCP', peers[0]!, 5060), undefined, 'the oldest went');
  t.truthy(a.connections.find('TCP', peers[2]!, 5060));
});

test('§18.1.1: when TCP fails for a request moved off UDP for its size, it is retried over UDP', async (t) => {
  const clock = new VirtualClock();
  const inet = new FakeInternet(clock);
  const a = await SipTransport.open({ network: inet.host(A), clock, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 } });
  const b = await SipTransport.open({ network: inet.host(B), clock, random: new SeededRandom(), codec: testCodec, udp: { port: 5060 }, tcp: false });
  const got: SipMessage[] = [];
  b.onMessage((m) => got.push(m));
  const big = req({ method: 'MESSAGE', via: `SIP/2.0/UDP ${A}:5060;branch=z9hG4bKfb;rport`, body: 'y'.repeat(1400) });
  const errors: string[] = [];
  const out = a.prepareRequest(big, toB('UDP', { tcpAllowed: true }));
  a.transmit(out, (e) => errors.push(e.message));
  a.watchClose(out, (e) => errors.push(`closed: ${e.message}`));
  clock.advance(5);
  t.deepEqual(errors, []);
  t.is(got.length, 1);
  t.is(got[0]!.via[0]!.transport, 'UDP');
  t.is(inet.datagrams.length, 1);
});
