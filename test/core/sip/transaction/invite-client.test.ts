import test from 'ava';
import { InviteClientTransaction } from '../../../../src/sip/transaction/invite-client.js';
import { isMethod, recorder, request, response, setup, TCP_TARGET, UDP_TARGET } from './helpers.js';

function start(target = UDP_TARGET, timers?: Parameters<typeof setup>[0]) {
  const env = setup(timers);
  const rec = recorder(env.clock);
  const invite = request('INVITE');
  const tx = new InviteClientTransaction(env.ctx, invite, target, rec.user);
  tx.start();
  return { ...env, ...rec, invite, tx };
}

test('Timer A retransmits at 0, 500, 1500 ... 31500 and Timer B reports 408 at 32000', (t) => {
  const { clock, transport, tx, events } = start();
  t.is(tx.state, 'calling');
  clock.advance(40_000);
  t.deepEqual(transport.times(isMethod('INVITE')), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.deepEqual(events, ['32000 failure 408 timeout', '32000 terminated']);
  t.is(tx.state, 'terminated');
  t.is(clock.pending, 0);
});

test('T1 is configurable: T1=100 gives retransmissions at 100, 300, 700 ... 6300 and 408 at 6400', (t) => {
  const { clock, transport, events } = start(UDP_TARGET, { t1: 100, t2: 4000, t4: 5000 });
  clock.advance(7000);
  t.deepEqual(transport.times(isMethod('INVITE')), [0, 100, 300, 700, 1500, 3100, 6300]);
  t.is(events[0], '6400 failure 408 timeout');
});

test('reliable transport: no Timer A, Timer B still fires', (t) => {
  const { clock, transport, events } = start(TCP_TARGET);
  clock.advance(40_000);
  t.deepEqual(transport.times(), [0]);
  t.is(events[0], '32000 failure 408 timeout');
});

test('1xx moves to Proceeding, stops retransmissions and is passed up', (t) => {
  const { clock, transport, tx, invite, events } = start();
  clock.advance(600);
  tx.receiveResponse(response(invite, 180));
  t.is(tx.state, 'proceeding');
  tx.receiveResponse(response(invite, 183));
  clock.advance(100_000);
  t.deepEqual(transport.times(isMethod('INVITE')), [0, 500]);
  t.deepEqual(events, ['600 response 180', '600 response 183']);
  t.is(tx.state, 'proceeding');
});

test('300-699: Completed, ACK sent, final retransmissions re-ACKed not re-passed, Timer D 32 s', (t) => {
  const { clock, transport, tx, invite, events } = start();
  clock.advance(700);
  const busy = response(invite, 486, 'callee-tag');
  tx.receiveResponse(busy);
  t.is(tx.state, 'completed');
  t.deepEqual(transport.times(isMethod('ACK')), [700]);
  clock.advance(1000);
  tx.receiveResponse(busy);
  tx.receiveResponse(busy);
  t.deepEqual(transport.times(isMethod('ACK')), [700, 1700, 1700]);
  t.deepEqual(transport.times(isMethod('INVITE')), [0, 500]);
  t.deepEqual(events, ['700 response 486']);
  clock.advance(32_000 - 1000 - 1);
  t.is(tx.state, 'completed');
  clock.advance(1);
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['700 response 486', '32700 terminated']);
});

test('ACK for a non-2xx: INVITE Request-URI, top Via and Route, To from the response, CSeq number', (t) => {
  const env = setup();
  const rec = recorder(env.clock);
  const invite = request('INVITE', { route: ['<sip:proxy.example.com;lr>'], seq: 7, extraVia: ['SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKdown'] });
  const tx = new InviteClientTransaction(env.ctx, invite, UDP_TARGET, rec.user);
  tx.start();
  tx.receiveResponse(response(invite, 404, 'xyz'));
  const ack = env.transport.sent[1]!;
  t.is(ack.message.kind, 'request');
  if (ack.message.kind !== 'request') return;
  t.is(ack.message.method, 'ACK');
  t.deepEqual(ack.message.via.length, 1);
  t.is(ack.message.via[0]!.branch, 'z9hG4bK-1');
  t.is(ack.message.to.params['tag'], 'xyz');
  t.deepEqual(ack.message.cseq, { seq: 7, method: 'ACK' });
  t.is(ack.message.header('route'), '<sip:proxy.example.com;lr>');
  t.deepEqual(ack.out.address, UDP_TARGET.address);
});

test('Timer D is 0 over a reliable transport', (t) => {
  const { clock, tx, invite } = start(TCP_TARGET);
  tx.receiveResponse(response(invite, 603));
  t.is(tx.state, 'completed');
  clock.advance(0);
  t.is(tx.state, 'terminated');
});

test('2xx: Accepted (RFC 6026), each 2xx passed to the TU, Timer M ends it after 64*T1', (t) => {
  const { clock, transport, tx, invite, events } = start();
  clock.advance(100);
  tx.receiveResponse(response(invite, 200, 'a'));
  t.is(tx.state, 'accepted');
  tx.receiveResponse(response(invite, 200, 'a'));
  tx.receiveResponse(response(invite, 200, 'fork-b'));
  tx.receiveResponse(response(invite, 180, 'late'));
  tx.receiveResponse(response(invite, 500, 'late'));
  t.deepEqual(events, ['100 response 200', '100 response 200', '100 response 200']);
  t.deepEqual(transport.times(isMethod('ACK')), [], 'the TU, not the transaction, ACKs a 2xx');
  clock.advance(32_000);
  t.is(tx.state, 'terminated');
  t.deepEqual(transport.times(isMethod('INVITE')), [0]);
});

test('a 2xx in Proceeding goes to Accepted', (t) => {
  const { tx, invite, events } = start();
  tx.receiveResponse(response(invite, 100));
  tx.receiveResponse(response(invite, 200));
  t.is(tx.state, 'accepted');
  t.deepEqual(events, ['0 response 100', '0 response 200']);
});

test('transport error while Calling: 503 reported to the TU, terminated', (t) => {
  const env = setup();
  const rec = recorder(env.clock);
  const tx = new InviteClientTransaction(env.ctx, request('INVITE'), UDP_TARGET, rec.user);
  env.transport.failNext = new Error('ICMP unreachable');
  tx.start();
  t.is(tx.state, 'terminated');
  t.deepEqual(rec.events, ['0 failure 503 transport', '0 terminated']);
  t.is(env.clock.pending, 0);
});

test('transport error on a retransmission is reported too', (t) => {
  const { clock, transport, tx, events } = start();
  clock.advance(500);
  transport.failNext = new Error('x');
  clock.advance(1000);
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['1500 failure 503 transport', '1500 terminated']);
});

test('terminate() stops everything silently except onTerminated', (t) => {
  const { clock, transport, tx, events } = start();
  tx.terminate();
  clock.advance(100_000);
  t.deepEqual(transport.times(), [0]);
  t.deepEqual(events, ['0 terminated']);
});

test('cancelled(): no final response within 64*T1 after the CANCEL reports a timeout (§9.1)', (t) => {
  const { clock, tx, invite, events } = start();
  tx.receiveResponse(response(invite, 180));
  clock.advance(10_000);
  tx.cancelled();
  clock.advance(31_999);
  t.is(tx.state, 'proceeding');
  clock.advance(1);
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['0 response 180', '42000 failure 408 timeout', '42000 terminated']);
});

test('cancelled(): a 487 in time ends it normally', (t) => {
  const { clock, tx, invite, events } = start();
  tx.receiveResponse(response(invite, 180));
  tx.cancelled();
  clock.advance(100);
  tx.receiveResponse(response(invite, 487));
  clock.advance(100_000);
  t.deepEqual(events, ['0 response 180', '100 response 487', '32100 terminated']);
});
