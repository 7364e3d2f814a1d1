// Transactions over SipTransport on the in-memory network: lost datagrams are recovered by the timers.
import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import type { SipResponse } from '../../../../src/sip/message.js';
import type { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server.js';
import { DEFAULT_TIMERS } from '../../../../src/sip/transaction/timers.js';
import { TransactionLayer, type ServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import { SipTransport } from '../../../../src/sip/transport/transport.js';
import { parseMessage } from '../../../../src/sip/parser/index.js';
import { FakeInternet } from '../transport/fake-network.js';
import { SeededRandom, testCodec, text } from '../transport/helpers.js';
import { createMessageFactory } from '../../../../src/sip/transaction/messages.js';
import { request, response } from './helpers.js';

const A = '192.0.2.1';
const B = '192.0.2.2';

async function world() {
  const clock = new VirtualClock();
  const inet = new FakeInternet(clock);
  const ta = await SipTransport.open({ network: inet.host(A), clock, random: new SeededRandom(1), codec: testCodec, udp: { port: 5060 } });
  const tb = await SipTransport.open({ network: inet.host(B), clock, random: new SeededRandom(2), codec: testCodec, udp: { port: 5060 } });
  const ctx = (transport: SipTransport) => ({ clock, timers: DEFAULT_TIMERS, transport, factory: createMessageFactory(new SeededRandom(4)) });
  const serverTxs: ServerTransaction[] = [];
  let answer = 200;
  const la = new TransactionLayer(ctx(ta), { onRequest: () => {} });
  const lb = new TransactionLayer(ctx(tb), {
    onRequest: (req, tx) => {
      if (!tx) return;
      serverTxs.push(tx);
      if (answer) tx.respond(response(req, answer));
    },
  });
  ta.onMessage((m, s) => la.receive(m, s));
  tb.onMessage((m, s) => lb.receive(m, s));
  return { clock, inet, la, lb, serverTxs, setAnswer: (s: number) => (answer = s) };
}

const wire = (inet: FakeInternet, from: string) =>
  inet.datagrams.filter((d) => d.from.address === from).map((d) => `${d.at} ${text(d.data).split('\r\n')[0]}`);

test('non-INVITE over lossy UDP: two lost requests, the third gets through and the 200 comes back', async (t) => {
  const { clock, inet, la } = await world();
  const got: string[] = [];
  inet.dropNext = 2;
  la.request(request('OPTIONS', { branch: 'z9hG4bKlossy', sentBy: `${A}:5060` }), { protocol: 'UDP', address: B, port: 5060 }, {
    onResponse: (r: SipResponse) => got.push(`${clock.now()} ${r.status}`),
    onFailure: () => t.fail(),
  });
  clock.advance(10_000);
  t.deepEqual(wire(inet, A), ['0 OPTIONS sip:bob@example.com SIP/2.0', '500 OPTIONS sip:bob@example.com SIP/2.0', '1500 OPTIONS sip:bob@example.com SIP/2.0']);
  t.deepEqual(got, ['1502 200']);
});

test('INVITE rejected over lossy UDP: the lost 486 is retransmitted by Timer G and the ACK confirms', async (t) => {
  const { clock, inet, la, serverTxs, setAnswer } = await world();
  setAnswer(486);
  const got: string[] = [];
  la.request(request('INVITE', { branch: 'z9hG4bKbusy', sentBy: `${A}:5060` }), { protocol: 'UDP', address: B, port: 5060 }, {
    onResponse: (r: SipResponse) => got.push(`${clock.now()} ${r.status}`),
    onFailure: () => t.fail(),
  });
  let lost = 0;
  inet.drop = (d) => d.from.address === B && lost++ === 0; // B's first 486 is lost
  clock.advance(2000);
  t.deepEqual(got, ['502 486'], 'A receives the Timer G retransmission, T1 after the first');
  const tx = serverTxs[0] as InviteServerTransaction;
  t.is(tx.state, 'confirmed');
  // At 501 both Timer G and A's retransmitted INVITE (Timer A, sent at 500) make B repeat the 486;
  // A passes the first up and answers each with an ACK.
  t.deepEqual(wire(inet, B), ['1 SIP/2.0 486 486', '501 SIP/2.0 486 486', '501 SIP/2.0 486 486']);
  t.deepEqual(wire(inet, A), [
    '0 INVITE sip:bob@example.com SIP/2.0',
    '500 INVITE sip:bob@example.com SIP/2.0',
    '502 ACK sip:bob@example.com SIP/2.0',
    '502 ACK sip:bob@example.com SIP/2.0',
  ]);
  clock.advance(60_000);
  t.is(tx.state, 'terminated');
});

test('TCP: the connection closing before any response fails the transaction at once (503), not after Timer F', async (t) => {
  const { clock, inet, la, serverTxs, setAnswer } = await world();
  setAnswer(0);
  const got: string[] = [];
  const user = {
    onResponse: (r: SipResponse) => got.push(`${clock.now()} ${r.status}`),
    onFailure: (f: { status: number }) => got.push(`${clock.now()} failure ${f.status}`),
  };
  la.request(request('REGISTER', { branch: 'z9hG4bKtcp1', transport: 'TCP', sentBy: `${A}:5060` }), { protocol: 'TCP', address: B, port: 5060 }, user);
  clock.advance(10);
  t.is(serverTxs.length, 1);
  inet.streams[0]!.peer.reset();
  clock.advance(10);
  t.deepEqual(got, ['11 failure 503']);

  // After a provisional the server may still reach us on a new connection: no failure then.
  la.request(request('INVITE', { branch: 'z9hG4bKtcp2', transport: 'TCP', sentBy: `${A}:5060` }), { protocol: 'TCP', address: B, port: 5060 }, user);
  clock.advance(10);
  serverTxs[1]!.respond(response(serverTxs[1]!.request, 180));
  clock.advance(10);
  inet.streams[1]!.peer.close();
  clock.advance(10);
  serverTxs[1]!.respond(response(serverTxs[1]!.request, 486));
  clock.advance(10);
  t.deepEqual(got, ['11 failure 503', '31 180', '52 486']);
  // The 486 came over a new connection B opened to our sent-by port; the ACK goes to B's port 5060 on
  // a connection of ours (no RFC 5923 aliasing of the connection B opened).
  t.is(inet.streams.length, 4);
  t.deepEqual(inet.streams[2]!.remote, { address: A, port: 5060 });
  t.true(inet.streams[2]!.text.startsWith('SIP/2.0 486'));
  t.true(inet.streams[3]!.text.startsWith('ACK '));
});

test('a merged request arriving by a second path gets 482 with a To tag, sent back along its own Via', async (t) => {
  const { clock, inet, lb, serverTxs, setAnswer } = await world();
  setAnswer(0);
  const c = await inet.host('192.0.2.3').openUdp({ port: 5060, onMessage: () => {} });
  const seen: string[] = [];
  (inet.udp.get('192.0.2.3 5060')!.options as { onMessage: (d: Uint8Array) => void }).onMessage = (d) => seen.push(text(d));
  const first = request('INVITE', { branch: 'z9hG4bKfork1', sentBy: '192.0.2.3:5060' });
  const second = request('INVITE', { branch: 'z9hG4bKfork2', sentBy: '192.0.2.3:5060' });
  const codec = testCodec;
  c.send(codec.serialize(first), B, 5060);
  c.send(codec.serialize(second), B, 5060);
  clock.advance(1);
  t.is(serverTxs.length, 1);
  clock.advance(1);
  t.is(seen.length, 1);
  const r = parseMessage(new TextEncoder().encode(seen[0]!));
  t.is(r.kind === 'response' && r.status, 482);
  t.is(r.via[0]!.branch, 'z9hG4bKfork2');
  t.regex(r.to.params['tag'] ?? '', /^[a-z0-9]{10}$/);
  t.is(lb.serverCount, 2);
});
