import test from 'ava';
import { DefaultCallMedia } from '../../../../src/sip/call/media.js';
import { SeededRandom } from '../transport/helpers.js';
import { events, lab, labels, types, wire } from './helpers.js';

test('alice calls bob: 180, answer, 200 with SDP, ACK, media both sides; alice hangs up with BYE', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 1);
  const bob = await l.phone('bob', '10.0.0.2', 2);
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(50);
  t.is(bob.incoming.length, 1);
  const incoming = bob.incoming[0]!;
  const be = events(incoming);
  t.is(incoming.state, 'ringing');
  t.is(call.state, 'proceeding');
  t.deepEqual(ae.map((e) => (e.type === 'progress' ? `${e.status} ${e.earlyMedia}` : e.type)), ['180 false']);
  const invite = wire(l.internet).find((w) => w.label === 'INVITE')!.message;
  t.regex(invite.header('Supported')!, /100rel/);
  t.regex(invite.header('Supported')!, /timer/);
  t.regex(invite.header('Supported')!, /replaces/);
  t.regex(invite.header('Allow')!, /PRACK/);
  t.is(invite.header('Session-Expires'), '1800');
  t.is(invite.header('Min-SE'), '90');
  t.regex(invite.header('User-Agent')!, /^xsphone\//);
  t.is(invite.header('Contact'), '<sip:alice@10.0.0.1:5060>');
  t.truthy(invite.from.params['tag']);
  t.is(invite.header('Content-Type'), 'application/sdp');

  incoming.answer();
  l.run(50);
  t.is(call.state, 'active');
  t.is(incoming.state, 'active');
  t.deepEqual(types(ae), ['progress', 'answered']);
  t.deepEqual(types(be), ['answered']);
  t.deepEqual(labels(wire(l.internet)), ['INVITE', '180 INVITE', '200 INVITE', 'ACK']);
  const ok = wire(l.internet).find((w) => w.label === '200 INVITE')!.message;
  t.is(ok.header('Contact'), '<sip:bob@10.0.0.2:5060>');
  t.is(ok.header('Session-Expires'), '1800;refresher=uac');
  t.is(ok.header('Require'), 'timer');
  t.is(alice.media.length, 1);
  t.is(alice.media[0]!.remoteAddress, '10.0.0.2');
  t.is(alice.media[0]!.codec, 'PCMU');
  t.is(bob.media[0]!.remoteAddress, '10.0.0.1');

  const talkStart = call.duration;
  l.clock.advance(60_000);
  t.is(call.duration - talkStart, 60_000);
  call.hangup();
  const talked = call.duration;
  l.run(50);
  t.is(call.duration, talked); // stops counting once ended
  t.true(Math.abs(incoming.duration - talked) <= 5);
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'hangup', byRemote: false });
  t.deepEqual(be.at(-1), { type: 'ended', cause: 'remote-hangup', byRemote: true });
  t.deepEqual(labels(wire(l.internet)).slice(4), ['BYE', '200 BYE']);
  t.is(alice.media.at(-1), undefined);
  t.is(bob.media.at(-1), undefined);
  t.is(alice.calls.calls.size, 0);
  t.is(bob.calls.calls.size, 0);
  // Nothing keeps retransmitting once both sides are done.
  const before = l.internet.datagrams.length;
  l.run(40_000);
  t.is(l.internet.datagrams.length, before);
});

test('the callee hangs up: BYE from bob, in the dialog alice built (tags swapped, CSeq of its own)', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 3);
  const bob = await l.phone('bob', '10.0.0.2', 4);
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(50);
  bob.incoming[0]!.answer();
  l.run(50);
  bob.incoming[0]!.hangup();
  l.run(50);
  const bye = wire(l.internet).find((w) => w.label === 'BYE')!;
  t.is(bye.from, '10.0.0.2');
  t.is(bye.message.from.params['tag'], bob.incoming[0]!.local.params['tag']);
  t.is(bye.message.to.params['tag'], call.local.params['tag']);
  t.is(bye.message.cseq.seq, 1);
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'remote-hangup', byRemote: true });
  t.is(bob.incoming[0]!.endedWith?.cause, 'hangup');
});

test('CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE, ACK for the 487; bob sees a missed call', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 5);
  const bob = await l.phone('bob', '10.0.0.2', 6);
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(50);
  const be = events(bob.incoming[0]!);
  call.hangup();
  l.run(50);
  t.deepEqual(labels(wire(l.internet)), ['INVITE', '180 INVITE', 'CANCEL', '200 CANCEL', '487 INVITE', 'ACK']);
  const w = wire(l.internet);
  const cancel = w[2]!.message;
  const invite = w[0]!.message;
  t.is(cancel.via[0]!.branch, invite.via[0]!.branch);
  t.is(cancel.cseq.seq, invite.cseq.seq);
  t.is(w[5]!.message.via[0]!.branch, invite.via[0]!.branch); // the ACK for a non-2xx is part of the transaction
  t.deepEqual(ae, [{ type: 'progress', status: 180, reason: 'Ringing', earlyMedia: false }, { type: 'ended', cause: 'hangup', byRemote: false }]);
  t.deepEqual(be, [{ type: 'ended', cause: 'cancelled', byRemote: true, status: 487, reason: 'Request Terminated' }]);
  t.is(bob.calls.calls.size, 0);
});

test('hanging up before any provisional response waits for one before sending CANCEL (§9.1)', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 7);
  const bob = await l.phone('bob', '10.0.0.2', 8);
  const call = alice.calls.place('sip:bob@10.0.0.2');
  l.clock.advance(0); // the INVITE leaves
  call.hangup();
  t.deepEqual(labels(wire(l.internet)), ['INVITE']);
  l.run(50);
  const seq = labels(wire(l.internet));
  t.deepEqual(seq.slice(0, 3), ['INVITE', '180 INVITE', 'CANCEL']);
  t.true(seq.includes('487 INVITE'));
  t.is(bob.incoming[0]!.endedWith?.cause, 'cancelled');
});

test('reject 486 and 603: the caller ends with the status and reason; ACK for the error', async (t) => {
  for (const [status, reason] of [[486, 'Busy Here'], [603, 'Decline']] as const) {
    const l = lab();
    const alice = await l.phone('alice', '10.0.0.1', 9);
    const bob = await l.phone('bob', '10.0.0.2', 10);
    bob.calls.onIncoming = (c) => c.reject(status);
    const call = alice.calls.place('sip:bob@10.0.0.2');
    const ae = events(call);
    l.run(50);
    t.deepEqual(ae, [{ type: 'ended', cause: 'rejected', byRemote: true, status, reason }]);
    t.deepEqual(labels(wire(l.internet)), ['INVITE', `${status} INVITE`, 'ACK']);
  }
});

test('redirect: bob answers 302 to carol; alice follows (same Call-ID and From tag, new CSeq and branch) and carol answers', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 11);
  const bob = await l.phone('bob', '10.0.0.2', 12);
  const carol = await l.phone('carol', '10.0.0.3', 13);
  bob.calls.onIncoming = (c) => c.redirect('sip:carol@10.0.0.3');
  carol.calls.onIncoming = (c) => c.answer();
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(100);
  t.deepEqual(types(ae), ['redirected', 'answered']);
  t.deepEqual(ae[0], { type: 'redirected', target: 'sip:carol@10.0.0.3', status: 302 });
  const invites = wire(l.internet).filter((w) => w.label === 'INVITE');
  t.is(invites.length, 2);
  t.is(invites[1]!.to, '10.0.0.3');
  t.is(invites[1]!.message.callId, invites[0]!.message.callId);
  t.is(invites[1]!.message.from.params['tag'], invites[0]!.message.from.params['tag']);
  t.is(invites[1]!.message.cseq.seq, invites[0]!.message.cseq.seq + 1);
  t.not(invites[1]!.message.via[0]!.branch, invites[0]!.message.via[0]!.branch);
  t.is(call.state, 'active');
  t.is(alice.media.at(-1)!.remoteAddress, '10.0.0.3');
});

test('redirect loops stop after the hop limit with the 3xx as the final status', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 14);
  const bob = await l.phone('bob', '10.0.0.2', 15);
  bob.calls.onIncoming = (c) => c.redirect('sip:bob@10.0.0.2');
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(200);
  t.is(ae.filter((e) => e.type === 'redirected').length, 5);
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'rejected', byRemote: true, status: 302, reason: 'Moved Temporarily' });
  t.is(wire(l.internet).filter((w) => w.label === 'INVITE').length, 6);
});

test('acceptance hook: a refused INVITE never rings; strict lines answer 404 to other users', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 16);
  const bob = await l.phone('bob', '10.0.0.2', 17, {}, {
    acceptIncoming: (_req, source) => (source.address === '10.0.0.9' ? true : 403),
    strictUser: true,
  });
  const c1 = alice.calls.place('sip:bob@10.0.0.2');
  const e1 = events(c1);
  l.run(50);
  t.deepEqual(e1, [{ type: 'ended', cause: 'rejected', byRemote: true, status: 403, reason: 'Forbidden' }]);
  t.is(bob.incoming.length, 0);
  bob.line.acceptIncoming = () => true;
  const c2 = alice.calls.place('sip:mallory@10.0.0.2');
  const e2 = events(c2);
  l.run(50);
  t.is((e2.at(-1) as { status?: number }).status, 404);
  t.is(bob.incoming.length, 0);
  const c3 = alice.calls.place('sip:bob@10.0.0.2');
  l.run(50);
  t.is(bob.incoming.length, 1);
  t.is(c3.state, 'proceeding');
});

test('an offer with no common codec is refused 488 before ringing', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 18);
  const bob = await l.phone('bob', '10.0.0.2', 19);
  bob.line.media = () => new DefaultCallMedia({ address: '10.0.0.2', port: 4000, codecs: ['PCMA'], random: new SeededRandom(3) });
  alice.line.media = () => new DefaultCallMedia({ address: '10.0.0.1', port: 4000, codecs: ['PCMU'], random: new SeededRandom(4) });
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(50);
  t.is(bob.incoming.length, 0);
  t.is(ae.at(-1)!.type, 'ended');
  t.is((ae.at(-1) as { status?: number }).status, 488);
});

test('a call over TCP: Contact with transport=tcp, ACK and BYE over the connections, nothing over UDP', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 21, {}, {}, true);
  const bob = await l.phone('bob', '10.0.0.2', 22, {}, {}, true);
  bob.calls.onIncoming = (c) => {
    bob.incoming.push(c);
    c.answer();
  };
  const call = alice.calls.place('sip:bob@10.0.0.2;transport=tcp');
  const ae = events(call);
  l.run(100);
  t.is(call.state, 'active');
  const b = bob.incoming[0]!;
  t.is(b.invite!.header('Contact'), '<sip:alice@10.0.0.1:5060;transport=tcp>');
  t.is(b.invite!.via[0]!.transport, 'TCP');
  call.hangup();
  l.run(100);
  t.deepEqual(types(ae), ['answered', 'ended']);
  t.is(b.endedWith?.cause, 'remote-hangup');
  t.is(l.internet.datagrams.length, 0);
  t.true(l.internet.streams.length >= 1);
});

test('nobody answers: the call is cancelled after the no-answer time and ends 408 No Answer', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 23, { noAnswerMs: 60_000 });
  const bob = await l.phone('bob', '10.0.0.2', 24);
  const call = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(call);
  l.run(59_000);
  t.is(call.state, 'proceeding');
  l.run(2_000);
  t.deepEqual(ae.at(-1), { type: 'ended', cause: 'failed', byRemote: false, status: 408, reason: 'No Answer' });
  t.true(labels(wire(l.internet)).includes('CANCEL'));
  t.is(bob.incoming[0]!.endedWith?.cause, 'cancelled');
});
