import test from 'ava';
import { MediaSession } from '../../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../../src/sdp/parse.js';
import { serializeSdp } from '../../../../src/sdp/serialize.js';
import { expiryDelayMs, refreshDelayMs } from '../../../../src/sip/call/session-timer.js';
import { buildResponse } from '../../../../src/sip/build.js';
import { dialogKey } from '../../../../src/sip/ua/user-agent.js';
import { SeededRandom } from '../transport/helpers.js';
import { events, lab, wire } from './helpers.js';

test('refresh at half the interval, expiry a third (at most 32 s) before its end', (t) => {
  t.is(refreshDelayMs({ seconds: 1800, weRefresh: true }), 900_000);
  t.is(expiryDelayMs({ seconds: 1800, weRefresh: false }), 1_768_000);
  t.is(expiryDelayMs({ seconds: 90, weRefresh: false }), 60_000);
});

test('the refresher sends UPDATE every half interval; the other side never expires while refreshed', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 1);
  const bob = await l.phone('bob', '10.0.0.2', 2);
  bob.calls.onIncoming = (c) => {
    bob.incoming.push(c);
    c.answer();
  };
  const a = alice.calls.place('sip:bob@10.0.0.2');
  l.run(10);
  const b = bob.incoming[0]!;
  const start = l.clock.now();
  t.deepEqual(a.session, { seconds: 1800, weRefresh: true });
  t.deepEqual(b.session, { seconds: 1800, weRefresh: false });
  l.clock.advance(3_700_000);
  const updates = wire(l.internet).filter((w) => w.label === 'UPDATE');
  t.deepEqual(updates.map((u) => Math.round((u.at - start) / 1000)), [900, 1800, 2700, 3600]);
  t.is(updates[0]!.message.header('Session-Expires'), '1800;refresher=uac');
  t.is(updates[0]!.message.body.length, 0);
  t.is(wire(l.internet).filter((w) => w.label === '200 UPDATE').length, 4);
  t.is(a.state, 'active');
  t.is(b.state, 'active');
});

test('a peer without UPDATE gets a re-INVITE refresh with the same SDP version', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 3, { timer: { sessionExpires: 90 } });
  const bob = await l.phone('bob', '10.0.0.2', 4);
  const media = new MediaSession({ address: '10.0.0.2', port: 6000, codecs: ['PCMU'], random: new SeededRandom(1) });
  bob.ua.handle('INVITE', (invite, tx) => {
    const answer = serializeSdp(media.receiveOffer(parseSdp(new TextDecoder().decode(invite.body))).answer);
    bob.ua.addDialog(dialogKey(invite.callId, 'p1', invite.from.params['tag']!), {
      onRequest: (req, rtx) => {
        if (!rtx) return;
        const body = req.method === 'INVITE' ? serializeSdp(media.receiveOffer(parseSdp(new TextDecoder().decode(req.body))).answer) : undefined;
        rtx.respond(buildResponse(req, 200, undefined, {
          headers: { 'Session-Expires': '90;refresher=uac', Contact: '<sip:bob@10.0.0.2:5060>' },
          ...(body ? { body, contentType: 'application/sdp' } : {}),
        }));
      },
    });
    tx.respond(buildResponse(invite, 200, undefined, {
      toTag: 'p1', headers: { 'Session-Expires': '90;refresher=uac', Contact: '<sip:bob@10.0.0.2:5060>' }, body: answer, contentType: 'application/sdp',
    }));
  });
  const a = alice.calls.place('sip:bob@10.0.0.2');
  l.run(10);
  t.is(a.state, 'active');
  const start = l.clock.now();
  l.clock.advance(100_000);
  const invites = wire(l.internet).filter((w) => w.label === 'INVITE');
  t.is(invites.length, 3);
  t.deepEqual(invites.slice(1).map((w) => Math.round((w.at - start) / 1000)), [45, 90]);
  const origin = (i: number) => /o=.*/.exec(new TextDecoder().decode(invites[i]!.message.body))![0];
  t.is(origin(1), origin(0)); // a refresh changes nothing, not even the version (RFC 3264 §8)
  t.is(invites[1]!.message.header('Session-Expires'), '90;refresher=uac');
  t.is(wire(l.internet).filter((w) => w.label === 'ACK').length, 3);
  t.is(a.state, 'active');
});

test('session expiry: when the refresher vanishes, the other side sends BYE at 60 s of a 90 s interval', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 5, { timer: { sessionExpires: 90 } });
  const bob = await l.phone('bob', '10.0.0.2', 6);
  bob.calls.onIncoming = (c) => {
    bob.incoming.push(c);
    c.answer();
  };
  const a = alice.calls.place('sip:bob@10.0.0.2');
  const ae = events(a);
  l.run(10);
  const b = bob.incoming[0]!;
  const be = events(b);
  const start = l.clock.now();
  l.internet.drop = (d) => d.from.address === '10.0.0.1';
  l.clock.advance(59_000);
  t.is(b.state, 'active');
  l.clock.advance(2_000);
  t.deepEqual(be, [{ type: 'ended', cause: 'session-expired', byRemote: false, status: 408, reason: 'Session Expired' }]);
  const bye = wire(l.internet).find((w) => w.label === 'BYE' && w.from === '10.0.0.2')!;
  t.is(Math.round((bye.at - start) / 1000), 60);
  // alice's UPDATE at 45 s got no answer; her own expiry ends the call too.
  t.true(wire(l.internet).some((w) => w.label === 'UPDATE'));
  t.is(a.state, 'ended');
  t.is(ae.at(-1)!.type, 'ended');
});

test('422 Session Interval Too Small: the INVITE is retried with the Min-SE it named', async (t) => {
  const l = lab();
  const alice = await l.phone('alice', '10.0.0.1', 7, { timer: { sessionExpires: 600 } });
  const bob = await l.phone('bob', '10.0.0.2', 8, { timer: { minSE: 1000 } });
  bob.calls.onIncoming = (c) => c.answer();
  const a = alice.calls.place('sip:bob@10.0.0.2');
  l.run(50);
  const w = wire(l.internet);
  t.deepEqual(w.map((x) => x.label), ['INVITE', '422 INVITE', 'ACK', 'INVITE', '200 INVITE', 'ACK']);
  t.is(w[1]!.message.header('Min-SE'), '1000');
  t.is(w[0]!.message.header('Session-Expires'), '600');
  t.is(w[3]!.message.header('Session-Expires'), '1000');
  t.is(w[3]!.message.header('Min-SE'), '1000');
  t.is(w[3]!.message.cseq.seq, 2);
  t.is(w[3]!.message.callId, w[0]!.message.callId);
  t.is(w[4]!.message.header('Session-Expires'), '1000;refresher=uac');
  t.is(a.state, 'active');
  t.deepEqual(a.session, { seconds: 1000, weRefresh: true });
});
