import test from 'ava';
import { NonInviteClientTransaction } from '../../../../src/sip/transaction/non-invite-client.js';
import { isMethod, recorder, request, response, setup, TCP_TARGET, UDP_TARGET } from './helpers.js';

function start(target = UDP_TARGET) {
  const env = setup();
  const rec = recorder(env.clock);
  const req = request('REGISTER');
  const tx = new NonInviteClientTransaction(env.ctx, req, target, rec.user);
  tx.start();
  return { ...env, ...rec, req, tx };
}

test('Timer E doubles up to T2 (4 s) and Timer F reports 408 at 64*T1', (t) => {
  const { clock, transport, tx, events } = start();
  t.is(tx.state, 'trying');
  clock.advance(40_000);
  t.deepEqual(transport.times(isMethod('REGISTER')), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.deepEqual(events, ['32000 failure 408 timeout', '32000 terminated']);
  t.is(clock.pending, 0);
});

test('Proceeding: Timer E firing resets to T2', (t) => {
  const { clock, transport, tx, req, events } = start();
  clock.advance(600);
  tx.receiveResponse(response(req, 100));
  t.is(tx.state, 'proceeding');
  clock.advance(10_000);
  // E was armed for 1000 ms at 500 -> fires at 1500, then every T2.
  t.deepEqual(transport.times(isMethod('REGISTER')), [0, 500, 1500, 5500, 9500]);
  t.deepEqual(events, ['600 response 100']);
});

test('Proceeding from the first retransmission keeps the T2 cap', (t) => {
  const { clock, transport, tx, req } = start();
  tx.receiveResponse(response(req, 100));
  clock.advance(9000);
  t.deepEqual(transport.times(isMethod('REGISTER')), [0, 500, 4500, 8500]);
});

test('final response: Completed, passed once, retransmissions absorbed, Timer K = T4 then terminated', (t) => {
  const { clock, transport, tx, req, events } = start();
  clock.advance(2000);
  tx.receiveResponse(response(req, 200));
  t.is(tx.state, 'completed');
  tx.receiveResponse(response(req, 200));
  tx.receiveResponse(response(req, 100));
  clock.advance(4999);
  t.is(tx.state, 'completed');
  clock.advance(1);
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['2000 response 200', '7000 terminated']);
  t.deepEqual(transport.times(), [0, 500, 1500]);
});

test('Timer F fires in Proceeding too', (t) => {
  const { clock, tx, req, events } = start();
  tx.receiveResponse(response(req, 100));
  clock.advance(32_000);
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['0 response 100', '32000 failure 408 timeout', '32000 terminated']);
});

test('reliable transport: no Timer E, Timer K is 0', (t) => {
  const { clock, transport, tx, req } = start(TCP_TARGET);
  clock.advance(20_000);
  t.deepEqual(transport.times(), [0]);
  tx.receiveResponse(response(req, 401));
  t.is(tx.state, 'completed');
  clock.advance(0);
  t.is(tx.state, 'terminated');
});

test('reliable transport: Timer F still reports 408', (t) => {
  const { clock, events } = start(TCP_TARGET);
  clock.advance(32_000);
  t.is(events[0], '32000 failure 408 timeout');
});

test('transport error in Trying: 503 to the TU', (t) => {
  const env = setup();
  const rec = recorder(env.clock);
  env.transport.failNext = new Error('refused');
  const tx = new NonInviteClientTransaction(env.ctx, request('OPTIONS'), TCP_TARGET, rec.user);
  tx.start();
  t.is(tx.state, 'terminated');
  t.deepEqual(rec.events, ['0 failure 503 transport', '0 terminated']);
});

test('T2 is configurable: T2=2000 caps the interval at 2 s', (t) => {
  const env = setup({ t1: 500, t2: 2000, t4: 5000 });
  const rec = recorder(env.clock);
  new NonInviteClientTransaction(env.ctx, request('BYE'), UDP_TARGET, rec.user).start();
  env.clock.advance(8000);
  t.deepEqual(env.transport.times(), [0, 500, 1500, 3500, 5500, 7500]);
});
