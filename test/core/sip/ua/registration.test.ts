import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import { DigestVerifier } from '../../../../src/sip/auth/verify.js';
import { parseAuth } from '../../../../src/sip/headers/auth.js';
import type { SipRequest } from '../../../../src/sip/message.js';
import { sipCodec, SipTransport } from '../../../../src/sip/transport/index.js';
import { buildRequest } from '../../../../src/sip/build.js';
import type { SipResponse } from '../../../../src/sip/message.js';
import { Registration, refreshDelayMs, type RegistrationOptions, type RegistrationState } from '../../../../src/sip/ua/registration.js';
import { UserAgent } from '../../../../src/sip/ua/user-agent.js';
import { formatUri, parseUri, type SipUri } from '../../../../src/sip/uri.js';
import { FakeInternet } from '../transport/fake-network.js';
import { SeededRandom } from '../transport/helpers.js';

interface RegistrarBehaviour {
  grant?: number;
  minExpires?: number;
  silent?: boolean;
  serviceRoute?: string;
}

async function setup(behaviour: RegistrarBehaviour = {}, password = 'alicepw', backup = false, options: RegistrationOptions = {}) {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const phoneTransport = await SipTransport.open({ network: internet.host('10.0.0.1'), clock, random: new SeededRandom(1), codec: sipCodec(), udp: { port: 5062 }, tcp: false });
  const phone = new UserAgent({ clock, random: new SeededRandom(1), crypto, transport: phoneTransport, host: '10.0.0.1' });
  const registrars: UserAgent[] = [];
  const seen: SipRequest[] = [];
  for (const addr of backup ? ['10.0.0.2', '10.0.0.3'] : ['10.0.0.2']) {
    const t = await SipTransport.open({ network: internet.host(addr), clock, random: new SeededRandom(7), codec: sipCodec(), udp: { port: 5060 }, tcp: false });
    const ua = new UserAgent({ clock, random: new SeededRandom(8), crypto, transport: t, host: addr });
    const verifier = new DigestVerifier({ crypto, random: new SeededRandom(9), clock, realm: 'lab', passwordFor: (u) => (u === 'alice' ? 'alicepw' : undefined) });
    ua.handle('REGISTER', (req, tx) => {
      seen.push(req);
      if (behaviour.silent && addr === '10.0.0.2') return;
      const cred = req.header('Authorization');
      if (!cred || !verifier.verify(parseAuth(cred), { method: 'REGISTER', uri: formatUri(req.uri) }).ok)
        return void ua.respond(tx, req, 401, undefined, { headers: { 'WWW-Authenticate': verifier.challenge() } });
      const asked = req.expires ?? 3600;
      if (behaviour.minExpires && asked !== 0 && asked < behaviour.minExpires)
        return void ua.respond(tx, req, 423, undefined, { headers: { 'Min-Expires': String(behaviour.minExpires) } });
      const c = req.contact;
      const contactUri = c === '*' ? '*' : formatUri(c[0]!.uri);
      const granted = asked === 0 || c !== '*' && c[0]!.params['expires'] === '0' ? 0 : Math.min(asked, behaviour.grant ?? asked);
      const headers: Record<string, string> = { Contact: `<${contactUri}>;expires=${granted}` };
      if (behaviour.serviceRoute) headers['Service-Route'] = behaviour.serviceRoute;
      ua.respond(tx, req, 200, undefined, { headers });
    });
    registrars.push(ua);
  }
  const states: RegistrationState[] = [];
  const reg = new Registration(
    phone,
    {
      user: 'alice', password, domain: 'lab', registrar: parseUri('sip:10.0.0.2') as SipUri, expires: 600,
      ...(backup ? { backupRegistrar: parseUri('sip:10.0.0.3') as SipUri } : {}),
    },
    { ...options, onState: (s) => states.push(s) },
  );
  const step = async (ms: number) => {
    for (let i = 0; i < 4; i++) await Promise.resolve();
    clock.advance(ms);
  };
  return { clock, internet, reg, states, seen, step, phone, registrars };
}

test('refresh timing: half-way for short registrations, ten minutes early for long ones', (t) => {
  t.is(refreshDelayMs(60), 30_000);
  t.is(refreshDelayMs(600), 300_000);
  t.is(refreshDelayMs(3600), 3_000_000);
  t.is(refreshDelayMs(7200), 6_480_000); // 90% caps "ten minutes early"
});

test('registers through a digest challenge, then refreshes with the same Call-ID before expiry', async (t) => {
  const s = await setup({ grant: 120 });
  s.reg.start();
  await s.step(20);
  t.deepEqual(s.reg.state, { state: 'registered', expires: 120, registrar: 'sip:10.0.0.2' });
  t.deepEqual(s.states.map((x) => x.state), ['registering', 'registered']);
  t.is(s.seen.length, 2);
  const [first, second] = s.seen;
  t.is(first!.callId, second!.callId);
  t.is(second!.cseq.seq, first!.cseq.seq + 1);
  t.is(formatUri(first!.uri), 'sip:10.0.0.2');
  t.is(formatUri(first!.to.uri), 'sip:alice@lab');
  t.is(first!.expires, 600);
  // Refresh at half of the granted 120 s, sending credentials up front (no new challenge).
  await s.step(59_000);
  t.is(s.seen.length, 2);
  await s.step(1_050);
  t.is(s.seen.length, 3);
  t.is(s.seen[2]!.callId, first!.callId);
  t.truthy(s.seen[2]!.header('Authorization'));
  t.is(s.reg.state.state, 'registered');
});

test('423 Interval Too Brief: asks again with Min-Expires', async (t) => {
  const s = await setup({ minExpires: 1800 });
  s.reg.start();
  await s.step(50);
  t.is(s.reg.state.state, 'registered');
  t.is(s.seen.at(-1)!.expires, 1800);
  t.deepEqual(s.reg.state, { state: 'registered', expires: 1800, registrar: 'sip:10.0.0.2' });
});

test('a wrong password fails with the status and retries with a growing, capped delay — never a tight loop', async (t) => {
  const s = await setup({}, 'wrong');
  s.reg.start();
  await s.step(20);
  const failed = s.reg.state;
  t.is(failed.state, 'failed');
  if (failed.state !== 'failed') return;
  t.is(failed.status, 401);
  t.true(failed.retryInMs >= 1000 && failed.retryInMs <= 2000);
  const sent = s.seen.length;
  t.is(sent, 2);
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    const st = s.reg.state;
    if (st.state === 'failed') delays.push(st.retryInMs);
    await s.step((st.state === 'failed' ? st.retryInMs : 0) + 20);
  }
  t.true(delays.every((d, i) => i === 0 || d >= delays[i - 1]! * 0.5));
  t.true(delays.every((d) => d <= 60_000));
  t.true(Math.max(...delays) >= 30_000);
});

test('a silent registrar: 408 after Timer F, then recovery once it answers again', async (t) => {
  const s = await setup({ silent: true });
  s.reg.start();
  await s.step(32_100);
  const st = s.reg.state;
  t.is(st.state, 'failed');
  if (st.state === 'failed') t.is(st.status, 408);
  const sent = s.internet.datagrams.filter((d) => d.from.address === '10.0.0.1' && d.to.address === '10.0.0.2');
  t.is(sent.length, 11); // the REGISTER and its Timer E retransmissions (0, .5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s)
});

test('fails over to the backup registrar when the primary is silent', async (t) => {
  const s = await setup({ silent: true }, 'alicepw', true);
  s.reg.start();
  await s.step(32_100);
  t.is(s.reg.state.state, 'failed');
  const st = s.reg.state;
  await s.step((st.state === 'failed' ? st.retryInMs : 0) + 50);
  t.deepEqual(s.reg.state, { state: 'registered', expires: 600, registrar: 'sip:10.0.0.3' });
});

test('unregisters with expires=0 on stop', async (t) => {
  const s = await setup();
  s.reg.start();
  await s.step(20);
  const done = s.reg.stop();
  await s.step(20);
  await done;
  t.is(s.reg.state.state, 'unregistered');
  const last = s.seen.at(-1)!;
  const c = last.contact;
  t.true(c !== '*' && c[0]!.params['expires'] === '0');
  t.is(last.expires, 0);
});

test('network change while a refresh is in flight starts a fresh attempt and never leaves it stuck', async (t) => {
  const s = await setup({ grant: 60 });
  s.reg.start();
  await s.step(20);
  s.internet.dropNext = 3; // the refresh and its first retransmissions vanish
  await s.step(30_000);
  s.reg.networkChanged();
  await s.step(50);
  t.is(s.reg.state.state, 'registered');
  // Still refreshing on schedule afterwards.
  const before = s.seen.length;
  await s.step(31_000);
  t.true(s.seen.length > before);
  t.is(s.reg.state.state, 'registered');
});

test('keeps the NAT binding open with CRLF keep-alives every 24-30 s while registered', async (t) => {
  const s = await setup({ grant: 3600 });
  s.reg.start();
  await s.step(20);
  const start = s.clock.now();
  await s.step(95_000);
  const pings = s.internet.datagrams.filter((d) => d.from.address === '10.0.0.1' && d.data.length <= 4 && d.at > start);
  t.true(pings.length >= 3 && pings.length <= 4, `${pings.length} keep-alives`);
  for (const p of pings) t.is(p.to.address, '10.0.0.2');
});

/** What an OPTIONS from the registrar to `uri` gets: the final status, or the failure's (408 when nothing answers). */
async function probe(s: Awaited<ReturnType<typeof setup>>, uri: string): Promise<number> {
  const ua = s.registrars[0]!;
  let status = 0;
  ua.send(buildRequest({ method: 'OPTIONS', uri, from: `<sip:registrar@10.0.0.2>;tag=${ua.newTag()}`, to: `<${uri}>`, callId: ua.newCallId(), cseq: 1 }), {
    onResponse: (r: SipResponse) => void (r.status >= 200 && (status = r.status)),
    onFailure: (f) => void (status = f.status),
  });
  for (let i = 0; i < 40 && status === 0; i++) await s.step(1000);
  return status;
}

test('behind a NAT: registers the address the registrar saw (received/rport) in place of the private one, and is reachable there', async (t) => {
  const s = await setup({ grant: 120 });
  s.internet.nat('10.0.0.1', '198.51.100.7');
  s.reg.start();
  await s.step(20);
  t.is(s.reg.state.state, 'registered');
  // Challenged, registered with the private address, then with the public one (removing the private binding).
  t.is(s.seen.length, 3);
  const c = s.seen[2]!.contact;
  if (c === '*') return t.fail('Contact: *');
  t.is(c.length, 2);
  t.is(formatUri(c[0]!.uri), 'sip:alice@198.51.100.7:61000');
  t.false('expires' in c[0]!.params);
  t.is(formatUri(c[1]!.uri), 'sip:alice@10.0.0.1:5062');
  t.is(c[1]!.params['expires'], '0');
  // Calls and other requests of this account carry the public Contact too (over UDP: TCP keeps its connection).
  t.is(formatUri(s.phone.contactUri('alice', 'UDP')), 'sip:alice@198.51.100.7:61000');
  t.is(formatUri(s.phone.contactUri('alice', 'TCP')), 'sip:alice@10.0.0.1:5062;transport=tcp');
  // The refresh (at 60 s) registers the public address alone.
  await s.step(60_000);
  t.is(s.seen.length, 4);
  const refreshed = s.seen[3]!.contact;
  t.deepEqual(refreshed === '*' ? [] : refreshed.map((x) => formatUri(x.uri)), ['sip:alice@198.51.100.7:61000']);
  // What the registrar routes to the registered Contact reaches the phone; the private address cannot be reached.
  t.is(await probe(s, 'sip:alice@198.51.100.7:61000'), 200);
  t.is(await probe(s, 'sip:alice@10.0.0.1:5062'), 408);
  // A network change starts again from the private address (removing the public one, which may be dead now), and
  // learns the mapping anew.
  const before = s.seen.length;
  s.reg.networkChanged();
  t.is(formatUri(s.phone.contactUri('alice', 'UDP')), 'sip:alice@10.0.0.1:5062');
  await s.step(50);
  t.is(s.reg.state.state, 'registered');
  t.is(formatUri(s.phone.contactUri('alice', 'UDP')), 'sip:alice@198.51.100.7:61000');
  const contacts = s.seen.slice(before).map((r) => r.header('Contact'));
  t.deepEqual(contacts, [
    '<sip:alice@10.0.0.1:5062>, <sip:alice@198.51.100.7:61000>;expires=0',
    '<sip:alice@198.51.100.7:61000>, <sip:alice@10.0.0.1:5062>;expires=0',
  ]);
});

test('a NAT that maps every datagram anew costs one extra REGISTER, not a loop', async (t) => {
  const s = await setup({ grant: 120 });
  s.internet.nat('10.0.0.1', '198.51.100.7', true);
  s.reg.start();
  await s.step(20);
  t.is(s.reg.state.state, 'registered');
  t.is(s.seen.length, 3);
  await s.step(60_000);
  t.is(s.seen.length, 4);
  t.is(s.reg.state.state, 'registered');
});

test('rewriteContact: false keeps the private Contact behind a NAT', async (t) => {
  const s = await setup({ grant: 600 }, 'alicepw', false, { rewriteContact: false });
  s.internet.nat('10.0.0.1', '198.51.100.7');
  s.reg.start();
  await s.step(20);
  t.is(s.reg.state.state, 'registered');
  t.is(s.seen.length, 2);
  t.is(formatUri(s.phone.contactUri('alice', 'UDP')), 'sip:alice@10.0.0.1:5062');
});

test('a registrar whose answers carry a malformed received address: they are dropped as malformed, the REGISTER times out and is retried', async (t) => {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const phoneTransport = await SipTransport.open({ network: internet.host('10.0.0.1'), clock, random: new SeededRandom(1), codec: sipCodec(), udp: { port: 5062 }, tcp: false });
  const phone = new UserAgent({ clock, random: new SeededRandom(1), crypto: new SoftCrypto(), transport: phoneTransport, host: '10.0.0.1' });
  // A raw registrar: answers every REGISTER 200, its Via carrying a received value that is no address.
  const net = internet.host('10.0.0.2');
  const sock = await net.openUdp({
    address: '10.0.0.2', port: 5060,
    onMessage: (data, from) => {
      const text = new TextDecoder().decode(data);
      const header = (name: string) => new RegExp(`^${name}:.*$`, 'mi').exec(text)?.[0] ?? '';
      const via = header('Via').replace(/;rport\b/, ';rport=40000;received=not-an-address');
      const contact = /^Contact:\s*(<[^>]*>)/mi.exec(text)?.[1] ?? '';
      const reply = `SIP/2.0 200 OK\r\n${via}\r\n${header('From')}\r\n${header('To')};tag=r1\r\n${header('Call-ID')}\r\n${header('CSeq')}\r\nContact: ${contact};expires=600\r\nContent-Length: 0\r\n\r\n`;
      sock.send(new TextEncoder().encode(reply), from.address, from.port);
    },
  });
  const states: RegistrationState[] = [];
  const reg = new Registration(phone, { user: 'alice', password: 'x', domain: 'lab', registrar: parseUri('sip:10.0.0.2') as SipUri, expires: 600 }, { onState: (x) => states.push(x) });
  reg.start();
  for (let i = 0; i < 360; i++) {
    for (let k = 0; k < 4; k++) await Promise.resolve();
    clock.advance(100);
  }
  const failed = states.find((x) => x.state === 'failed');
  t.truthy(failed && failed.state === 'failed' && failed.status === 408, JSON.stringify(states));
  t.true(states.filter((x) => x.state === 'registering').length >= 1);
  t.is(formatUri(phone.contactUri('alice', 'UDP')), 'sip:alice@10.0.0.1:5062');
});

test('Service-Route from the 200 is kept for the account', async (t) => {
  const s = await setup({ serviceRoute: '<sip:orig@10.0.0.2;lr>' });
  s.reg.start();
  await s.step(20);
  t.deepEqual(s.reg.serviceRoute, ['<sip:orig@10.0.0.2;lr>']);
});

test('two accounts register at once on one user agent', async (t) => {
  const s = await setup();
  const bob = new Registration(s.phone, { user: 'alice', password: 'alicepw', domain: 'lab', registrar: parseUri('sip:10.0.0.2') as SipUri, expires: 300 });
  s.reg.start();
  bob.start();
  await s.step(30);
  t.is(s.reg.state.state, 'registered');
  t.is(bob.state.state, 'registered');
  t.not(s.seen[0]!.callId, s.seen.at(-1)!.callId);
});
