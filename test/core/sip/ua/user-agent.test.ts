import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import { CredentialsCache } from '../../../../src/sip/auth/credentials-cache.js';
import { DigestVerifier } from '../../../../src/sip/auth/verify.js';
import { buildRequest, buildResponse } from '../../../../src/sip/build.js';
import { parseAuth } from '../../../../src/sip/headers/auth.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message.js';
import { sipCodec, SipTransport } from '../../../../src/sip/transport/index.js';
import { Dialog } from '../../../../src/sip/ua/dialog.js';
import { UserAgent, type OutgoingUser } from '../../../../src/sip/ua/user-agent.js';
import { formatUri } from '../../../../src/sip/uri.js';
import { FakeInternet } from '../transport/fake-network.js';
import { SeededRandom } from '../transport/helpers.js';

async function pair() {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const make = async (address: string, seed: number) => {
    const random = new SeededRandom(seed);
    const transport = await SipTransport.open({ network: internet.host(address), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
    return new UserAgent({ clock, random, crypto, transport, host: address });
  };
  return { clock, internet, crypto, alice: await make('10.0.0.1', 1), bob: await make('10.0.0.2', 2) };
}

function request(ua: UserAgent, method: string, to = 'sip:bob@10.0.0.2', extra: Record<string, string> = {}) {
  return buildRequest({
    method, uri: to, from: `<sip:alice@10.0.0.1>;tag=${ua.newTag()}`, to: `<${to}>`, callId: ua.newCallId(), cseq: 1, headers: extra,
  });
}

function collect(): OutgoingUser & { responses: SipResponse[]; failures: number[] } {
  const responses: SipResponse[] = [];
  const failures: number[] = [];
  return { responses, failures, onResponse: (r) => responses.push(r), onFailure: (f) => failures.push(f.status) };
}

test('OPTIONS is answered 200 with Allow, Accept, Supported and Server', async (t) => {
  const { clock, alice } = await pair();
  const u = collect();
  alice.send(request(alice, 'OPTIONS'), u);
  await Promise.resolve();
  clock.advance(10);
  t.is(u.responses.length, 1);
  const r = u.responses[0]!;
  t.is(r.status, 200);
  t.is(r.header('Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS');
  t.is(r.header('Accept'), 'application/sdp');
  t.regex(r.header('Supported')!, /100rel/);
  t.regex(r.header('Server')!, /^xsphone\//);
  t.truthy(r.to.params['tag']);
});

test('unknown methods get 501, known but unhandled ones 405 with Allow', async (t) => {
  const { clock, alice, bob } = await pair();
  bob.handle('MESSAGE', (req, tx) => bob.respond(tx, req, 200));
  const a = collect();
  const b = collect();
  alice.send(request(alice, 'FOO'), a);
  alice.send(request(alice, 'SUBSCRIBE'), b);
  await Promise.resolve();
  clock.advance(10);
  t.is(a.responses[0]!.status, 501);
  t.is(b.responses[0]!.status, 405);
  t.is(b.responses[0]!.header('Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE');
});

test('an in-dialog request for an unknown dialog gets 481; an unsupported Require gets 420', async (t) => {
  const { clock, alice } = await pair();
  const a = collect();
  const bye = request(alice, 'BYE');
  bye.setHeader('To', '<sip:bob@10.0.0.2>;tag=nosuch');
  alice.send(bye, a);
  const b = collect();
  alice.send(request(alice, 'OPTIONS', 'sip:bob@10.0.0.2', { Require: 'foo, 100rel' }), b);
  await Promise.resolve();
  clock.advance(10);
  t.is(a.responses[0]!.status, 481);
  t.is(b.responses[0]!.status, 420);
  t.is(b.responses[0]!.header('Unsupported'), 'foo');
});

test('a 401 is answered with digest credentials and a new CSeq; the user sees only the final response', async (t) => {
  const { clock, alice, bob, crypto } = await pair();
  const verifier = new DigestVerifier({ crypto, random: new SeededRandom(9), clock, realm: 'lab', passwordFor: (u) => (u === 'alice' ? 'secret' : undefined) });
  const seen: SipRequest[] = [];
  bob.handle('MESSAGE', (req, tx) => {
    seen.push(req);
    const cred = req.header('Authorization');
    if (!cred) return void bob.respond(tx, req, 401, undefined, { headers: { 'WWW-Authenticate': verifier.challenge() } });
    const result = verifier.verify(parseAuth(cred), { method: req.method, uri: formatUri(req.uri) });
    bob.respond(tx, req, result.ok ? 200 : 403);
  });
  const credentials = new CredentialsCache({ crypto, random: new SeededRandom(5), credentials: () => ({ username: 'alice', password: 'secret' }) });
  const u = collect();
  alice.send(request(alice, 'MESSAGE'), u, { credentials });
  await Promise.resolve();
  clock.advance(50);
  t.deepEqual(u.responses.map((r) => r.status), [200]);
  t.is(seen.length, 2);
  t.is(seen[1]!.cseq.seq, seen[0]!.cseq.seq + 1);
  t.is(seen[1]!.callId, seen[0]!.callId);
  t.not(seen[1]!.via[0]!.branch, seen[0]!.via[0]!.branch);

  // A wrong password is not retried in a loop: the 401 reaches the user.
  const wrong = new CredentialsCache({ crypto, random: new SeededRandom(6), credentials: () => ({ username: 'alice', password: 'nope' }) });
  const w = collect();
  seen.length = 0;
  bob.handle('MESSAGE', (req, tx) => {
    seen.push(req);
    const cred = req.header('Authorization');
    const ok = cred !== undefined && verifier.verify(parseAuth(cred), { method: req.method, uri: formatUri(req.uri) }).ok;
    if (ok) bob.respond(tx, req, 200);
    else bob.respond(tx, req, 401, undefined, { headers: { 'WWW-Authenticate': verifier.challenge() } });
  });
  alice.send(request(alice, 'MESSAGE'), w, { credentials: wrong });
  await Promise.resolve();
  clock.advance(50);
  t.deepEqual(w.responses.map((r) => r.status), [401]);
  t.is(seen.length, 2);
});

test('fails over to the next target when one does not answer, and reports 408 when none does', async (t) => {
  const { clock, alice } = await pair();
  const u = collect();
  alice.send(request(alice, 'OPTIONS'), u, {
    targets: [{ protocol: 'UDP', address: '10.0.0.9', port: 5060 }, { protocol: 'UDP', address: '10.0.0.2', port: 5060 }],
  });
  await Promise.resolve();
  clock.advance(32_000 + 20);
  t.deepEqual(u.responses.map((r) => r.status), [200]);
  const none = collect();
  alice.send(request(alice, 'OPTIONS', 'sip:x@10.0.0.7'), none);
  await Promise.resolve();
  clock.advance(32_001);
  t.deepEqual(none.failures, [408]);
});

test('dialog requests: route set, tags, CSeq and target refresh (§12)', (t) => {
  const invite = buildRequest({
    method: 'INVITE', uri: 'sip:bob@example.com', from: '"Alice" <sip:alice@example.com>;tag=a1', to: '<sip:bob@example.com>',
    callId: 'c1', cseq: 10, contact: '<sip:alice@10.0.0.1>',
  });
  // Build a 200 with Record-Route and Contact as the UAC would receive it.
  const resp = buildResponseFor(invite);
  const d = Dialog.asUac(invite, resp);
  t.is(d.state, 'confirmed');
  t.is(d.key, 'c1\na1\nb7');
  const bye = d.createRequest('BYE');
  t.is(formatUri(bye.uri), 'sip:bob@10.0.0.2:5062');
  t.deepEqual(bye.headers('Route'), ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
  t.is(bye.cseq.seq, 11);
  t.is(bye.to.params['tag'], 'b7');
  t.is(bye.from.params['tag'], 'a1');
  t.is(bye.from.displayName, 'Alice');
  const ack = d.createRequest('ACK', { cseq: 10 });
  t.is(ack.cseq.seq, 10);
  // A re-INVITE from the peer with a lower CSeq than one already seen is refused with 500.
  const uas = Dialog.asUas(invite, 'b7', false);
  const reinvite = uas.createRequest('INVITE');
  t.is(uas.receive(buildRequest({ method: 'INVITE', uri: 'sip:bob@x', from: '<sip:alice@example.com>;tag=a1', to: '<sip:bob@example.com>;tag=b7', callId: 'c1', cseq: 9, contact: '<sip:alice@10.9.9.9>' })), 500);
  t.is(uas.receive(buildRequest({ method: 'INVITE', uri: 'sip:bob@x', from: '<sip:alice@example.com>;tag=a1', to: '<sip:bob@example.com>;tag=b7', callId: 'c1', cseq: 11, contact: '<sip:alice@10.9.9.9>' })), undefined);
  t.is(formatUri(uas.remoteTarget), 'sip:alice@10.9.9.9');
  t.is(reinvite.cseq.seq, 1);
});

test('strict routing puts the first route in the Request-URI and the remote target last', (t) => {
  const invite = buildRequest({ method: 'INVITE', uri: 'sip:bob@example.com', from: '<sip:alice@example.com>;tag=a1', to: '<sip:bob@example.com>', callId: 'c2', cseq: 1 });
  const resp = buildResponseFor(invite, ['<sip:strict.example.com>']);
  const d = Dialog.asUac(invite, resp);
  const bye = d.createRequest('BYE');
  t.is(formatUri(bye.uri), 'sip:strict.example.com');
  t.deepEqual(bye.headers('Route'), ['<sip:bob@10.0.0.2:5062>']);
});

function buildResponseFor(invite: SipRequest, rr = ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']): SipResponse {
  const r = buildResponse(invite, 200, 'OK', { toTag: 'b7' });
  for (const x of rr) r.addHeader('Record-Route', x);
  r.addHeader('Contact', '<sip:bob@10.0.0.2:5062>');
  return r;
}

test('an outbound proxy is a loose route: the request goes to the proxy with Route <proxy;lr> and its Request-URI unchanged', async (t) => {
  const { clock, internet, alice, bob } = await pair();
  const seen: string[] = [];
  bob.handle('MESSAGE', (req, tx) => {
    seen.push(formatUri(req.uri), ...req.headers('Route'));
    bob.respond(tx, req, 200);
  });
  const u = collect();
  alice.send(request(alice, 'MESSAGE', 'sip:carol@example.com'), u, { outboundProxy: { scheme: 'sip', host: '10.0.0.2', params: {}, headers: {} } });
  await Promise.resolve();
  clock.advance(10);
  t.deepEqual(u.responses.map((r) => r.status), [200]);
  t.deepEqual(seen, ['sip:carol@example.com', '<sip:10.0.0.2;lr>']);
  t.true(internet.datagrams.some((d) => d.from.address === '10.0.0.1' && d.to.address === '10.0.0.2'));
});
