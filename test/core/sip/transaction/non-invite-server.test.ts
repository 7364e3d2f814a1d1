import test from 'ava';
import { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server.js';
import { isStatus, request, response, setup, source } from './helpers.js';

function start(protocol: 'UDP' | 'TCP' = 'UDP') {
  const env = setup();
  const req = request('BYE', { transport: protocol, toTag: 'tt1' });
  const events: string[] = [];
  const tx = new NonInviteServerTransaction(env.ctx, req, source(protocol));
  tx.user = {
    onTransportError: (e) => events.push(`${env.clock.now()} transport-error ${e.message}`),
    onTerminated: () => events.push(`${env.clock.now()} terminated`),
  };
  return { ...env, req, tx, events };
}

test('Trying: retransmitted requests are discarded, nothing is sent unprompted', (t) => {
  const { clock, transport, tx, req } = start();
  t.is(tx.state, 'trying');
  tx.receiveRequest(req);
  clock.advance(10_000);
  t.deepEqual(transport.times(), []);
  t.is(tx.state, 'trying');
});

test('Proceeding: provisional sent, repeated on request retransmission', (t) => {
  const { clock, transport, tx, req } = start();
  tx.respond(response(req, 100));
  t.is(tx.state, 'proceeding');
  clock.advance(500);
  tx.receiveRequest(req);
  tx.respond(response(req, 183));
  clock.advance(500);
  tx.receiveRequest(req);
  t.deepEqual(transport.times(isStatus(100)), [0, 500]);
  t.deepEqual(transport.times(isStatus(183)), [500, 1000]);
});

test('Completed: final sent, repeated on retransmission, later responses dropped, Timer J = 64*T1', (t) => {
  const { clock, transport, tx, req, events } = start();
  clock.advance(100);
  tx.respond(response(req, 200));
  t.is(tx.state, 'completed');
  clock.advance(1000);
  tx.receiveRequest(req);
  tx.respond(response(req, 500));
  clock.advance(32_000 - 1000 - 1);
  t.is(tx.state, 'completed');
  clock.advance(1);
  t.is(tx.state, 'terminated');
  t.deepEqual(transport.times(isStatus(200)), [100, 1100]);
  t.deepEqual(transport.times(isStatus(500)), []);
  t.deepEqual(events, ['32100 terminated']);
});

test('Proceeding to Completed', (t) => {
  const { transport, tx, req } = start();
  tx.respond(response(req, 100));
  tx.respond(response(req, 404));
  t.is(tx.state, 'completed');
  t.deepEqual(transport.sent.map((s) => (s.message.kind === 'response' ? s.message.status : 0)), [100, 404]);
});

test('reliable transport: Timer J is 0', (t) => {
  const { clock, tx, req } = start('TCP');
  tx.respond(response(req, 200));
  clock.advance(0);
  t.is(tx.state, 'terminated');
});

test('transport error informs the TU and terminates', (t) => {
  const { transport, tx, req, events } = start();
  transport.failNext = new Error('no route');
  tx.respond(response(req, 200));
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['0 transport-error no route', '0 terminated']);
});
