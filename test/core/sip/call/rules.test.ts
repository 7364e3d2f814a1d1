import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { buildRequest, buildResponse } from '../../../../src/sip/build.js';
import type { SipResponse } from '../../../../src/sip/message.js';
import { ReliableProvisional } from '../../../../src/sip/call/reliable-provisional.js';
import { buildCancel, glareBackoffMs } from '../../../../src/sip/call/rules.js';
import { SeededRandom } from '../transport/helpers.js';

const invite = buildRequest({
  method: 'INVITE', uri: 'sip:bob@example.com', via: 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport',
  from: '<sip:alice@example.com>;tag=a1', to: '<sip:bob@example.com>', callId: 'c1', cseq: 7,
  route: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'], headers: { Authorization: 'Digest x=1' }, body: 'v=0', contentType: 'application/sdp',
});

test('CANCEL copies Request-URI, Via, From, To, Call-ID, CSeq number and Route; nothing of the body or credentials', (t) => {
  const c = buildCancel(invite, 'xsphone/0');
  t.is(c.method, 'CANCEL');
  t.deepEqual(c.uri, invite.uri);
  t.is(c.header('Via'), invite.header('Via'));
  t.is(c.header('From'), invite.header('From'));
  t.is(c.header('To'), invite.header('To'));
  t.is(c.callId, 'c1');
  t.deepEqual(c.cseq, { seq: 7, method: 'CANCEL' });
  t.deepEqual(c.headers('Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  t.is(c.body.length, 0);
  t.is(c.header('Authorization'), undefined);
  t.is(c.header('User-Agent'), 'xsphone/0');
});

test('glare back-off: 2100–4000 ms for the Call-ID owner, 0–2000 ms otherwise, in 10 ms steps, spread over the range', (t) => {
  const random = new SeededRandom(99);
  const owner = Array.from({ length: 400 }, () => glareBackoffMs(random, true));
  const other = Array.from({ length: 400 }, () => glareBackoffMs(random, false));
  t.true(owner.every((x) => x >= 2100 && x <= 4000 && x % 10 === 0));
  t.true(other.every((x) => x >= 0 && x <= 2000 && x % 10 === 0));
  t.true(Math.min(...owner) < 2300 && Math.max(...owner) > 3800);
  t.true(Math.min(...other) < 200 && Math.max(...other) > 1800);
});

test('reliable provisional: T1 doubling until the matching PRACK; a wrong RAck changes nothing; give-up at 64*T1', (t) => {
  const clock = new VirtualClock();
  const response = buildResponse(invite, 180, undefined, { toTag: 'b1', headers: { Require: '100rel', RSeq: '10' } });
  const sent: number[] = [];
  let gaveUp = false;
  const r = new ReliableProvisional(clock, response, 10, 7, (_x: SipResponse) => sent.push(clock.now()), 500, () => (gaveUp = true));
  clock.advance(3600);
  t.deepEqual(sent, [0, 500, 1500, 3500]);
  t.false(r.prack({ rseq: 9, cseq: 7, method: 'INVITE' }));
  t.false(r.prack({ rseq: 10, cseq: 6, method: 'INVITE' }));
  t.false(r.prack(undefined));
  t.true(r.prack({ rseq: 10, cseq: 7, method: 'INVITE' }));
  t.true(r.acknowledged);
  clock.advance(60_000);
  t.is(sent.length, 4);
  t.false(gaveUp);

  const sent2: number[] = [];
  const start = clock.now();
  new ReliableProvisional(clock, response, 10, 7, () => sent2.push(clock.now() - start), 500, () => (gaveUp = true));
  clock.advance(32_000);
  t.true(gaveUp);
  t.deepEqual(sent2, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  clock.advance(100_000);
  t.is(sent2.length, 7);
});
