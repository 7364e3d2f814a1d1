import test from 'ava';
import { MediaSession } from '../../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../../src/sdp/parse.js';
import { serializeSdp } from '../../../../src/sdp/serialize.js';
import { buildRequest } from '../../../../src/sip/build.js';
import { formatVia } from '../../../../src/sip/headers/via.js';
import type { SipResponse } from '../../../../src/sip/message.js';
import { newBranch, ourVia } from '../../../../src/sip/transport/via.js';
import { Dialog } from '../../../../src/sip/ua/dialog.js';
import { SeededRandom } from '../transport/helpers.js';
import { events, lab, labels, wire } from './helpers.js';

test('an INVITE without SDP: we offer in the 200 and take the answer from the ACK', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 1);
  const bob = await l.phone('bob', '10.0.0.2', 2);
  bob.calls.onIncoming = (c) => {
    bob.incoming.push(c);
    c.answer();
  };
  const invite = buildRequest({
    method: 'INVITE', uri: 'sip:bob@10.0.0.2', from: '<sip:alice@10.0.0.1>;tag=a1', to: '<sip:bob@10.0.0.2>', callId: 'c-no-sdp', cseq: 1,
    contact: '<sip:alice@10.0.0.1:5060>',
  });
  const media = new MediaSession({ address: '10.0.0.1', port: 7000, codecs: ['PCMA'], random: new SeededRandom(5) });
  let ok: SipResponse | undefined;
  alice.ua.send(invite, {
    onResponse: (r, out) => {
      if (r.status !== 200 || ok) return;
      ok = r;
      const answer = serializeSdp(media.receiveOffer(parseSdp(new TextDecoder().decode(r.body))).answer);
      const d = Dialog.asUac(out.request, r);
      const ack = d.createRequest('ACK', { cseq: 1, body: answer, contentType: 'application/sdp' });
      ack.addHeader('Via', formatVia(ourVia('UDP', '10.0.0.1', 5060, newBranch(new SeededRandom(8)))), true);
      alice.ua.transactions.sendAck(ack, { protocol: 'UDP', address: '10.0.0.2', port: 5060 });
    },
    onFailure: () => t.fail(),
  });
  l.run(50);
  t.truthy(ok);
  t.regex(new TextDecoder().decode(ok!.body), /m=audio 4000 RTP\/AVP 0 8 101/);
  const b = bob.incoming[0]!;
  t.is(b.state, 'active');
  // Media start only once the ACK brought the answer: PCMA, what alice accepted.
  t.is(bob.media.length, 1);
  t.is(bob.media[0]!.codec, 'PCMA');
  t.is(bob.media[0]!.remotePort, 7000);
});

test('the callee hangs up before the ACK came: the BYE waits for the ACK (§15)', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 3);
  const bob = await l.phone('bob', '10.0.0.2', 4);
  let blockAcks = true;
  l.internet.drop = (d) => blockAcks && new TextDecoder().decode(d.data).startsWith('ACK ');
  bob.calls.onIncoming = (c) => {
    c.answer();
    c.hangup();
  };
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(1000);
  t.false(labels(wire(l.internet)).includes('BYE'));
  blockAcks = false;
  l.run(2000); // the next 2xx retransmission gets an ACK through
  const seq = labels(wire(l.internet));
  t.true(seq.indexOf('BYE') > seq.lastIndexOf('ACK'));
  t.deepEqual(ae.map((e) => e.type), ['answered', 'ended']);
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'remote-hangup', byRemote: true });
  t.is(bob.calls.calls.size, 0);
  t.is(bob.ua.transactions.retransmitter.size, 0);
});

test('OPTIONS lists PRACK and UPDATE in Allow; an out-of-dialog UPDATE gets 481', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 5);
  await l.phone('bob', '10.0.0.2', 6);
  const statuses: Record<string, SipResponse> = {};
  for (const method of ['OPTIONS', 'UPDATE']) {
    alice.ua.send(buildRequest({ method, uri: 'sip:bob@10.0.0.2', from: '<sip:alice@10.0.0.1>;tag=x', to: '<sip:bob@10.0.0.2>', callId: `o-${method}`, cseq: 1 }), {
      onResponse: (r) => (statuses[method] = r),
      onFailure: () => t.fail(),
    });
  }
  l.run(50);
  t.is(statuses['OPTIONS']!.status, 200);
  t.regex(statuses['OPTIONS']!.header('Allow')!, /PRACK/);
  t.regex(statuses['OPTIONS']!.header('Allow')!, /UPDATE/);
  t.is(statuses['UPDATE']!.status, 481);
});

test('findCall names a live call by Call-ID and tags (for Replaces)', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 7);
  const bob = await l.phone('bob', '10.0.0.2', 8);
  bob.calls.onIncoming = (c) => c.answer();
  const call = alice.calls.place('sip:bob@10.0.0.2');
  l.run(50);
  const [b] = [...bob.calls.calls];
  t.is(alice.calls.findCall(call.callId, call.local.params['tag']!, call.dialog!.remoteTag), call);
  t.is(bob.calls.findCall(call.callId, call.dialog!.remoteTag, call.local.params['tag']!), b);
  t.is(alice.calls.findCall(call.callId, 'nope', call.dialog!.remoteTag), undefined);
});

test('an UPDATE with an offer while our answer to the INVITE is pending gets 500 with Retry-After (RFC 3311 §5.2)', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 9);
  const bob = await l.phone('bob', '10.0.0.2', 10);
  const call = alice.calls.place('sip:bob@10.0.0.2');
  l.run(50);
  const ringing = wire(l.internet).find((w) => w.label === '180 INVITE')!.message;
  const offer = new MediaSession({ address: '10.0.0.1', port: 7000, codecs: ['PCMU'], random: new SeededRandom(5) }).createOffer();
  const update = buildRequest({
    method: 'UPDATE', uri: 'sip:bob@10.0.0.2:5060', from: ringing.header('From')!, to: ringing.header('To')!, callId: call.callId, cseq: 2,
    body: serializeSdp(offer), contentType: 'application/sdp',
  });
  let response: SipResponse | undefined;
  alice.ua.send(update, { onResponse: (r) => (response = r), onFailure: () => t.fail() });
  l.run(50);
  t.is(response!.status, 500);
  t.is(response!.header('Retry-After'), '1');
  t.is(bob.incoming[0]!.state, 'ringing');
});
