import test from 'ava';
import type { Call } from '../../../../src/sip/call/call.js';
import { MediaError } from '../../../../src/sip/call/media.js';
import { buildResponse } from '../../../../src/sip/build.js';
import { formatVia } from '../../../../src/sip/headers/via.js';
import { newBranch, ourVia } from '../../../../src/sip/transport/via.js';
import { SeededRandom } from '../transport/helpers.js';
import { direction, events, lab, labels, types, wire, type Lab, type Phone } from './helpers.js';

async function connected(seedA = 1, seedB = 2): Promise<{ l: Lab; alice: Phone; bob: Phone; a: Call; b: Call }> {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', seedA);
  const bob = await l.phone('bob', '10.0.0.2', seedB);
  bob.calls.onIncoming = (c) => {
    bob.incoming.push(c);
    c.answer();
  };
  const a = alice.calls.place('sip:bob@10.0.0.2');
  l.run(50);
  return { l, alice, bob, a, b: bob.incoming[0]! };
}

test('hold and resume: re-INVITE with sendonly, answered recvonly; the peer sees remote hold; then sendrecv again', async (t) => {
  const { l, alice, bob, a, b } = await connected();
  const ae = events(a);
  const be = events(b);
  const mark = l.internet.datagrams.length;
  a.hold();
  l.run(50);
  const w = wire(l.internet, mark);
  t.deepEqual(labels(w), ['INVITE', '200 INVITE', 'ACK']);
  t.is(direction(w[0]!.message), 'sendonly');
  t.is(direction(w[1]!.message), 'recvonly');
  t.is(w[0]!.message.cseq.seq, 2);
  t.is(w[0]!.message.to.params['tag'], b.local.params['tag']);
  t.deepEqual(types(ae), ['held']);
  t.deepEqual(be, [{ type: 'remote-hold', held: true }]);
  t.true(a.held);
  t.true(b.remoteHeld);
  t.is(alice.media.at(-1)!.direction, 'sendonly');
  t.is(bob.media.at(-1)!.direction, 'recvonly');

  // bob holds too: inactive both ways.
  b.hold();
  l.run(50);
  t.is(bob.media.at(-1)!.direction, 'inactive');
  t.is(alice.media.at(-1)!.direction, 'inactive');
  t.true(a.remoteHeld);

  b.resume();
  l.run(50);
  t.is(bob.media.at(-1)!.direction, 'recvonly'); // alice still holds
  a.resume();
  l.run(50);
  t.false(a.held);
  t.false(b.held);
  t.false(a.remoteHeld);
  t.false(b.remoteHeld);
  t.is(alice.media.at(-1)!.direction, 'sendrecv');
  t.is(bob.media.at(-1)!.direction, 'sendrecv');
  t.deepEqual(types(ae), ['held', 'remote-hold', 'remote-hold', 'resumed']);
  t.deepEqual(ae.filter((e) => e.type === 'remote-hold'), [{ type: 'remote-hold', held: true }, { type: 'remote-hold', held: false }]);
});

test('glare: both re-INVITE at once, both get 491, the Call-ID owner retries after 2.1–4 s, the other after 0–2 s', async (t) => {
  for (const seeds of [[1, 2], [3, 4], [5, 6], [7, 8]]) {
    const { l, a, b } = await connected(seeds[0], seeds[1]);
    const mark = l.internet.datagrams.length;
    a.hold();
    b.hold();
    l.run(20);
    let w = wire(l.internet, mark);
    t.is(w.filter((x) => x.label === '491 INVITE').length, 2);
    const got491 = (to: string) => w.find((x) => x.label === '491 INVITE' && x.to === to)!.at + l.internet.latency;
    const aliceGot = got491('10.0.0.1');
    const bobGot = got491('10.0.0.2');
    l.run(6000);
    w = wire(l.internet, mark);
    const invites = w.filter((x) => x.label === 'INVITE');
    t.is(invites.length, 4);
    const retryOf = (from: string) => invites.filter((x) => x.from === from)[1]!.at;
    const aliceDelay = retryOf('10.0.0.1') - aliceGot;
    const bobDelay = retryOf('10.0.0.2') - bobGot;
    // alice placed the call, so she chose the Call-ID.
    t.true(aliceDelay >= 2100 && aliceDelay <= 4000, `alice retried after ${aliceDelay} ms`);
    t.true(bobDelay >= 0 && bobDelay <= 2000, `bob retried after ${bobDelay} ms`);
    t.is(aliceDelay % 10, 0);
    t.true(a.held);
    t.true(b.held);
    t.is(w.filter((x) => x.label === '491 INVITE').length, 2);
  }
});

test('an incoming UPDATE with an offer is answered in its 200 (RFC 3311) and its hold is reported', async (t) => {
  const { l, a, b } = await connected();
  const ae = events(a);
  const offer = b.media.createOffer(true);
  let status = 0;
  b.request('UPDATE', { body: offer.body, contentType: offer.type }, (r) => {
    status = r.status;
    b.media.takeAnswer(r.body, r.contentType);
  });
  l.run(50);
  t.is(status, 200);
  t.deepEqual(ae, [{ type: 'remote-hold', held: true }]);
  t.is(b.media.current!.direction, 'sendonly');
  const update = wire(l.internet).find((w) => w.label === '200 UPDATE')!;
  t.is(direction(update.message), 'recvonly');
});

test('an incoming re-INVITE without SDP: we offer in the 200 and take the answer from the ACK', async (t) => {
  const { l, alice, bob, a, b } = await connected();
  // bob writes the offerless re-INVITE by hand in its dialog.
  const d = b.dialog!;
  const reinvite = d.createRequest('INVITE', { headers: { Contact: '<sip:bob@10.0.0.2:5060>' } });
  let offerBody: Uint8Array | undefined;
  bob.ua.send(reinvite, {
    onResponse: (r) => {
      if (r.status !== 200 || offerBody) return;
      offerBody = r.body;
      const answer = b.media.answerOffer(r.body, r.contentType, true);
      const ack = d.createRequest('ACK', { cseq: r.cseq.seq, body: answer.body, contentType: answer.type });
      ack.addHeader('Via', formatVia(ourVia('UDP', '10.0.0.2', 5060, newBranch(new SeededRandom(77)))), true);
      bob.ua.transactions.sendAck(ack, { protocol: 'UDP', address: '10.0.0.1', port: 5060 });
    },
    onFailure: () => t.fail(),
  });
  const ae = events(a);
  l.run(50);
  t.truthy(offerBody);
  t.regex(new TextDecoder().decode(offerBody), /a=sendrecv/);
  const acks = wire(l.internet).filter((w) => w.label === 'ACK');
  t.is(acks.length, 2);
  t.true(acks[1]!.message.body.length > 0);
  t.is(a.state, 'active');
  // bob answered with sendonly (hold): alice took that answer from the ACK.
  t.deepEqual(ae, [{ type: 'remote-hold', held: true }]);
  t.is(alice.media.at(-1)!.direction, 'recvonly');
  // The 200 stops being retransmitted once the ACK arrived.
  const n = wire(l.internet).filter((w) => w.label === '200 INVITE').length;
  l.run(10_000);
  t.is(wire(l.internet).filter((w) => w.label === '200 INVITE').length, n);
});

test('a refused hold (488) leaves the call as it was and reports modify-failed; a 481 ends the call', async (t) => {
  const { l, a, b } = await connected(9, 10);
  const ae = events(a);
  const answerOffer = b.media.answerOffer.bind(b.media);
  (b.media as { answerOffer: typeof answerOffer }).answerOffer = () => {
    throw new MediaError('not today', 488);
  };
  a.hold();
  l.run(50);
  t.deepEqual(ae, [{ type: 'modify-failed', status: 488, reason: 'Not Acceptable Here' }]);
  t.false(a.held);
  t.is(a.state, 'active');
  (b.media as { answerOffer: typeof answerOffer }).answerOffer = answerOffer;
  a.hold();
  l.run(50);
  t.true(a.held);
  // bob forgets the dialog: the next re-INVITE gets 481 and alice's call ends without a BYE.
  b.hangup();
  l.run(50);
  t.is(a.state, 'ended');
  const l2 = await connected(11, 12);
  const e2 = events(l2.a);
  l2.bob.ua.removeDialog(l2.b.dialog!.key);
  l2.a.hold();
  l2.l.run(50);
  t.deepEqual(e2, [{ type: 'ended', cause: 'failed', byRemote: true, status: 481, reason: 'Call Does Not Exist' }]);
  t.false(labels(wire(l2.l.internet)).includes('BYE'));
});

test('INFO (dtmf-relay) reaches the peer as an event; a service claims REFER through handleMethod', async (t) => {
  const { l, a, b } = await connected(13, 14);
  const be = events(b);
  const statuses: number[] = [];
  a.sendInfo('Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay', (s) => statuses.push(s));
  l.run(50);
  t.deepEqual(statuses, [200]);
  t.is(be.length, 1);
  const info = be[0]!;
  t.is(info.type, 'info');
  if (info.type === 'info') {
    t.is(info.contentType, 'application/dtmf-relay');
    t.is(new TextDecoder().decode(info.body), 'Signal=5\r\nDuration=160\r\n');
  }
  // Unclaimed REFER: 405. Claimed: the service answers.
  const refer = (cb: (s: number) => void) => b.request('REFER', { headers: { 'Refer-To': '<sip:carol@10.0.0.3>' } }, (r) => cb(r.status));
  const got: number[] = [];
  refer((s) => got.push(s));
  l.run(50);
  a.handleMethod('REFER', (req, tx, call) => {
    t.is(call, a);
    t.is(req.header('Refer-To'), '<sip:carol@10.0.0.3>');
    tx.respond(buildResponse(req, 202));
  });
  refer((s) => got.push(s));
  l.run(50);
  t.deepEqual(got, [405, 202]);
  t.is(a.state, 'active');
});
