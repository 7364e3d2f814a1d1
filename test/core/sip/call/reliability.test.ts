import test from 'ava';
import { MediaSession } from '../../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../../src/sdp/parse.js';
import { serializeSdp } from '../../../../src/sdp/serialize.js';
import { buildResponse } from '../../../../src/sip/build.js';
import type { SipRequest } from '../../../../src/sip/message.js';
import type { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server.js';
import { dialogKey } from '../../../../src/sip/ua/user-agent.js';
import { SeededRandom } from '../transport/helpers.js';
import { events, lab, labels, types, wire, type Phone } from './helpers.js';

async function pair(seed = 1) {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', seed);
  const bob = await l.phone('bob', '10.0.0.2', seed + 1);
  return { l, alice, bob };
}

test('a lost 2xx is retransmitted by the callee until the ACK comes', async (t) => {
  const { l, alice, bob } = await pair();
  let dropped = 0;
  l.internet.drop = (d) => {
    const w = new TextDecoder().decode(d.data);
    if (w.startsWith('SIP/2.0 200') && w.includes('INVITE') && dropped === 0) return ++dropped === 1;
    return false;
  };
  bob.calls.onIncoming = (c) => c.answer();
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(100);
  t.is(call.state, 'calling'); // answered at once: no 1xx, and the 200 was lost
  l.run(500);
  t.deepEqual(types(ae), ['answered']);
  l.run(40_000);
  const w = wire(l.internet);
  t.is(w.filter((x) => x.label === '200 INVITE').length, 2);
  t.is(w.filter((x) => x.label === 'ACK').length, 1);
  t.is(call.state, 'active');
  t.is(alice.calls.calls.size, 1);
});

test('a lost ACK: the 2xx comes again and the same ACK is sent again', async (t) => {
  const { l, alice, bob } = await pair(3);
  let acks = 0;
  l.internet.drop = (d) => new TextDecoder().decode(d.data).startsWith('ACK ') && ++acks === 1;
  bob.calls.onIncoming = (c) => c.answer();
  const call = alice.calls.place('sip:bob@10.0.0.2');
  l.run(40_000);
  const w = wire(l.internet);
  const ackMsgs = w.filter((x) => x.label === 'ACK');
  t.is(ackMsgs.length, 2);
  t.is(ackMsgs[0]!.message.via[0]!.branch, ackMsgs[1]!.message.via[0]!.branch);
  t.is(w.filter((x) => x.label === '200 INVITE').length, 2);
  t.is(call.state, 'active');
  t.is(bob.incoming.length, 0); // onIncoming replaced: the call is tracked by the manager instead
  t.is([...bob.calls.calls][0]!.state, 'active');
});

test('no ACK ever: 2xx retransmitted at T1 doubling to T2, then BYE after 64*T1 and the call ends', async (t) => {
  const { l, alice, bob } = await pair(5);
  l.internet.drop = (d) => new TextDecoder().decode(d.data).startsWith('ACK ');
  let b: ReturnType<typeof alice.calls.place> | undefined;
  bob.calls.onIncoming = (c) => {
    b = c;
    c.answer();
  };
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(10);
  const be = events(b!);
  const answeredAt = wire(l.internet).find((x) => x.label === '200 INVITE')!.at;
  l.run(40_000);
  const w = wire(l.internet);
  const oks = w.filter((x) => x.label === '200 INVITE' && x.from === '10.0.0.2').map((x) => x.at - answeredAt);
  t.deepEqual(oks.slice(0, 6), [0, 500, 1500, 3500, 7500, 11500]);
  t.true(oks.every((x) => x < 32_000));
  t.deepEqual(be, [{ type: 'ended', cause: 'no-ack', byRemote: false, status: 408, reason: 'No ACK' }]);
  const bye = w.find((x) => x.label === 'BYE')!;
  t.is(bye.from, '10.0.0.2');
  t.is(bye.at - answeredAt, 32_000);
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'remote-hangup', byRemote: true });
});

test('reliable 180 (INVITE with Require: 100rel): PRACK with RAck stops the retransmissions', async (t) => {
  const { l, alice, bob } = await pair(7);
  const call = alice.calls.place('sip:bob@10.0.0.2', alice.line, { Require: '100rel' });
  l.run(5000);
  const w = wire(l.internet);
  t.deepEqual(labels(w), ['INVITE', '180 INVITE', 'PRACK', '200 PRACK']);
  const ringing = w[1]!.message;
  t.is(ringing.header('Require'), '100rel');
  const rseq = Number(ringing.header('RSeq'));
  t.true(rseq >= 1);
  t.is(w[2]!.message.header('RAck'), `${rseq} 1 INVITE`);
  t.is(w[2]!.message.cseq.seq, 2);
  bob.incoming[0]!.answer();
  l.run(50);
  t.is(call.state, 'active');
  t.is(wire(l.internet).find((x) => x.label === 'ACK')!.message.cseq.seq, 1);
});

test('reliable 180 without PRACK: retransmitted, then 500 after 64*T1; a lost PRACK is retransmitted by its transaction', async (t) => {
  const { l, alice } = await pair(9);
  l.internet.drop = (d) => new TextDecoder().decode(d.data).startsWith('PRACK ');
  const call = alice.calls.place('sip:bob@10.0.0.2', alice.line, { Require: '100rel' });
  const ae = events(call);
  l.run(40_000);
  const w = wire(l.internet);
  const ringing = w.filter((x) => x.label === '180 INVITE');
  const first = ringing[0]!.at;
  t.deepEqual(ringing.slice(0, 5).map((x) => x.at - first), [0, 500, 1500, 3500, 7500]);
  const pracks = w.filter((x) => x.label === 'PRACK');
  t.true(pracks.length > 3);
  t.is(new Set(pracks.map((x) => x.message.via[0]!.branch)).size, 1); // one PRACK transaction, retransmitted
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'rejected', byRemote: true, status: 500, reason: 'No PRACK' });
});

/** A scripted UAS in place of bob's call manager (SIPp-like), answering with MediaSession SDP. */
function scriptedUas(bob: Phone, script: (invite: SipRequest, tx: InviteServerTransaction, answer: string) => void): void {
  bob.ua.handle('INVITE', (request, tx) => {
    const media = new MediaSession({ address: '10.0.0.2', port: 6000, codecs: ['PCMU'], random: new SeededRandom(42) });
    const answer = serializeSdp(media.receiveOffer(parseSdp(new TextDecoder().decode(request.body))).answer);
    script(request, tx as InviteServerTransaction, answer);
  });
}

test('183 with 100rel and SDP (as SIPp sends): one PRACK per RSeq, early media, gaps ignored, then 200', async (t) => {
  const { l, alice, bob } = await pair(11);
  const inDialog: string[] = [];
  scriptedUas(bob, (invite, tx, answer) => {
    const headers = { Contact: '<sip:bob@10.0.0.2:5060>', Require: '100rel', RSeq: '5' };
    const r183 = buildResponse(invite, 183, undefined, { toTag: 'u1', headers, body: answer, contentType: 'application/sdp' });
    tx.respond(r183);
    tx.respond(r183); // a retransmission
    tx.respond(buildResponse(invite, 183, undefined, { toTag: 'u1', headers: { ...headers, RSeq: '7' } })); // out of order
    bob.ua.addDialog(dialogKey(invite.callId, 'u1', invite.from.params['tag']!), {
      onRequest: (req, rtx) => {
        inDialog.push(req.method);
        if (rtx) bob.ua.respond(rtx, req, 200);
        if (req.method === 'PRACK') {
          tx.respond(buildResponse(invite, 200, undefined, { toTag: 'u1', headers: { Contact: '<sip:bob@10.0.0.2:5060>' }, body: answer, contentType: 'application/sdp' }));
        }
      },
    });
  });
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(100);
  t.deepEqual(ae.map((e) => (e.type === 'progress' ? `progress ${e.status} ${e.earlyMedia}` : e.type)), ['progress 183 true', 'answered']);
  const pracks = wire(l.internet).filter((x) => x.label === 'PRACK');
  t.is(pracks.length, 1);
  t.is(pracks[0]!.message.header('RAck'), '5 1 INVITE');
  t.is(pracks[0]!.message.to.params['tag'], 'u1');
  t.deepEqual(inDialog, ['PRACK', 'ACK']);
  t.is(alice.media[0]!.remotePort, 6000);
  t.is(call.state, 'active');
});

test('forked answers: every 2xx is ACKed, the first kept, the other dialog gets a BYE', async (t) => {
  const { l, alice, bob } = await pair(13);
  const seen: string[] = [];
  let again = (): void => {};
  scriptedUas(bob, (invite, tx, answer) => {
    const fromTag = invite.from.params['tag']!;
    again = () => tx.respond(buildResponse(invite, 200, undefined, { toTag: 'f2', headers: { Contact: '<sip:f2@10.0.0.2:5060>' }, body: answer, contentType: 'application/sdp' }));
    for (const tag of ['f1', 'f2']) {
      bob.ua.addDialog(dialogKey(invite.callId, tag, fromTag), {
        onRequest: (req, rtx) => {
          seen.push(`${req.method} ${tag}`);
          if (rtx) bob.ua.respond(rtx, req, 200);
        },
      });
      tx.respond(buildResponse(invite, 180, undefined, { toTag: tag, headers: { Contact: `<sip:${tag}@10.0.0.2:5060>` } }));
    }
    for (const tag of ['f1', 'f2']) {
      tx.respond(buildResponse(invite, 200, undefined, { toTag: tag, headers: { Contact: `<sip:${tag}@10.0.0.2:5060>` }, body: answer, contentType: 'application/sdp' }));
    }
  });
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(100);
  t.deepEqual(types(ae), ['progress', 'progress', 'answered']);
  t.deepEqual(seen, ['ACK f1', 'ACK f2', 'BYE f2']);
  t.is(call.dialog!.remoteTag, 'f1');
  // The late fork retransmits its 2xx: the same ACK again, no second BYE.
  bob.ua.removeDialog(dialogKey(call.callId, 'f2', call.local.params['tag']!));
  again();
  l.run(50);
  const acks = wire(l.internet).filter((x) => x.label === 'ACK' && x.message.to.params['tag'] === 'f2');
  t.is(acks.length, 2);
  t.is(acks[0]!.message.via[0]!.branch, acks[1]!.message.via[0]!.branch);
  t.is(wire(l.internet).filter((x) => x.label === 'BYE').length, 1);
  t.is(call.state, 'active');
  call.hangup();
  l.run(50);
  t.deepEqual(seen.slice(-1), ['BYE f1']);
  t.is(alice.calls.calls.size, 0);
});

test('after hang-up, a 2xx that comes again gets the same ACK (no second BYE); a 2xx of another fork gets ACK and BYE', async (t) => {
  const { l, alice, bob } = await pair(17);
  const seen: string[] = [];
  let again = (_tag: string): void => {};
  scriptedUas(bob, (invite, tx, answer) => {
    const fromTag = invite.from.params['tag']!;
    again = (tag) => tx.respond(buildResponse(invite, 200, undefined, { toTag: tag, headers: { Contact: `<sip:${tag}@10.0.0.2:5060>` }, body: answer, contentType: 'application/sdp' }));
    for (const tag of ['u1', 'u2']) {
      bob.ua.addDialog(dialogKey(invite.callId, tag, fromTag), {
        onRequest: (req, rtx) => {
          seen.push(`${req.method} ${tag}`);
          if (rtx) bob.ua.respond(rtx, req, 200);
        },
      });
    }
    again('u1');
  });
  const call = alice.calls.place('sip:bob@10.0.0.2');
  l.run(100);
  t.is(call.state, 'active');
  call.hangup();
  l.run(100);
  t.deepEqual(seen, ['ACK u1', 'BYE u1']);
  again('u1'); // our ACK was lost, says the callee
  l.run(100);
  t.deepEqual(seen, ['ACK u1', 'BYE u1', 'ACK u1']);
  const acks = wire(l.internet).filter((x) => x.label === 'ACK');
  t.is(acks[0]!.message.via[0]!.branch, acks[1]!.message.via[0]!.branch);
  again('u2'); // another fork answers late
  l.run(100);
  t.deepEqual(seen, ['ACK u1', 'BYE u1', 'ACK u1', 'ACK u2', 'BYE u2']);
  again('u2');
  l.run(100);
  t.deepEqual(seen, ['ACK u1', 'BYE u1', 'ACK u1', 'ACK u2', 'BYE u2', 'ACK u2']);
  t.is(alice.calls.calls.size, 0);
});
