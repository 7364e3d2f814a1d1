import test from 'ava';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server.js';
import { isStatus, request, response, setup, source } from './helpers.js';

function start(protocol: 'UDP' | 'TCP' = 'UDP') {
  const env = setup();
  const invite = request('INVITE', { transport: protocol });
  const events: string[] = [];
  const tx = new InviteServerTransaction(env.ctx, invite, source(protocol));
  tx.user = {
    onTransportError: (e) => events.push(`${env.clock.now()} transport-error ${e.message}`),
    onAckTimeout: () => events.push(`${env.clock.now()} ack-timeout`),
    onTerminated: () => events.push(`${env.clock.now()} terminated`),
  };
  return { ...env, invite, tx, events };
}

test('100 Trying goes out at 200 ms when the TU is silent, and is repeated on INVITE retransmission', (t) => {
  const { clock, transport, tx, invite } = start();
  clock.advance(199);
  t.deepEqual(transport.times(), []);
  clock.advance(1);
  t.deepEqual(transport.times(isStatus(100)), [200]);
  const trying = transport.sent[0]!.message;
  t.false('tag' in trying.to.params, '100 Trying carries no To tag');
  clock.advance(300);
  tx.receiveRequest(invite);
  t.deepEqual(transport.times(isStatus(100)), [200, 500]);
});

test('no 100 Trying when the TU answers within 200 ms; INVITE retransmission repeats the last provisional', (t) => {
  const { clock, transport, tx, invite } = start();
  clock.advance(50);
  tx.respond(response(invite, 180));
  clock.advance(1000);
  tx.receiveRequest(invite);
  t.deepEqual(transport.times(isStatus(100)), []);
  t.deepEqual(transport.times(isStatus(180)), [50, 1050]);
  t.is(tx.state, 'proceeding');
});

test('a retransmitted INVITE before any response is absorbed', (t) => {
  const { transport, tx, invite } = start();
  tx.receiveRequest(invite);
  t.deepEqual(transport.times(), []);
});

test('300-699: Completed, Timer G doubles up to T2, Timer H reports the missing ACK at 64*T1', (t) => {
  const { clock, transport, tx, invite, events } = start();
  tx.respond(response(invite, 486));
  t.is(tx.state, 'completed');
  clock.advance(40_000);
  t.deepEqual(transport.times(isStatus(486)), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  t.deepEqual(events, ['32000 ack-timeout', '32000 terminated']);
  t.is(tx.state, 'terminated');
});

test('Completed: a retransmitted INVITE gets the final response again', (t) => {
  const { clock, transport, tx, invite } = start();
  tx.respond(response(invite, 404));
  clock.advance(100);
  tx.receiveRequest(invite);
  t.deepEqual(transport.times(isStatus(404)), [0, 100]);
});

test('ACK in Completed: Confirmed, G and H stop, ACK retransmissions absorbed, Timer I = T4', (t) => {
  const { clock, transport, tx, invite, events } = start();
  tx.respond(response(invite, 603));
  clock.advance(600);
  const ack = request('ACK', { toTag: 'tt1' });
  t.true(tx.receiveRequest(ack));
  t.is(tx.state, 'confirmed');
  t.true(tx.receiveRequest(ack));
  t.true(tx.receiveRequest(invite));
  clock.advance(4999);
  t.is(tx.state, 'confirmed');
  clock.advance(1);
  t.is(tx.state, 'terminated');
  t.deepEqual(transport.times(isStatus(603)), [0, 500]);
  t.deepEqual(events, ['5600 terminated']);
});

test('reliable transport: no Timer G, Timer H still fires, Timer I is 0', (t) => {
  const a = start('TCP');
  a.tx.respond(response(a.invite, 500));
  a.clock.advance(40_000);
  t.deepEqual(a.transport.times(), [0]);
  t.true(a.events.includes('32000 ack-timeout'));
  const b = start('TCP');
  b.tx.respond(response(b.invite, 500));
  b.tx.receiveRequest(request('ACK', { toTag: 'tt1', transport: 'TCP' }));
  b.clock.advance(0);
  t.is(b.tx.state, 'terminated');
});

test('2xx: Accepted (RFC 6026), INVITE retransmissions absorbed, TU 2xx retransmissions sent, Timer L ends it', (t) => {
  const { clock, transport, tx, invite, events } = start();
  clock.advance(10);
  const ok = response(invite, 200);
  tx.respond(ok);
  t.is(tx.state, 'accepted');
  tx.receiveRequest(invite);
  clock.advance(500);
  tx.respond(ok);
  tx.respond(response(invite, 486));
  t.deepEqual(transport.times(isStatus(200)), [10, 510]);
  t.deepEqual(transport.times(isStatus(486)), []);
  t.false(tx.receiveRequest(request('ACK', { toTag: 'tt1' })), 'an ACK in Accepted belongs to the TU');
  clock.advance(32_000 - 500 - 1);
  t.is(tx.state, 'accepted');
  clock.advance(1);
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['32010 terminated']);
  t.deepEqual(transport.times(isStatus(100)), [], 'the 2xx came before 200 ms');
});

test('transport error while sending the final response informs the TU', (t) => {
  const { transport, tx, invite, events } = start();
  transport.failNext = new Error('reset');
  tx.respond(response(invite, 480));
  t.is(tx.state, 'terminated');
  t.deepEqual(events, ['0 transport-error reset', '0 terminated']);
});
