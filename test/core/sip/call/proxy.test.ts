import test from 'ava';
import { parseUri, type SipUri } from '../../../../src/sip/uri.js';
import { FakeProxy } from './fake-proxy.js';
import { events, lab, types, wire } from './helpers.js';

async function setup() {
  const l = lab();
  const proxy = new FakeProxy(l.internet, '10.0.0.5', { bob: ['10.0.0.2', '10.0.0.3'] });
  await proxy.start();
  const alice = await l.phone('alice', '10.0.0.1', 1, {}, { domain: '10.0.0.5', outboundProxy: parseUri('sip:10.0.0.5;lr') as SipUri });
  const bob1 = await l.phone('bob', '10.0.0.2', 2);
  const bob2 = await l.phone('bob', '10.0.0.3', 3);
  return { l, alice, bob1, bob2 };
}

test('through a record-routing forking proxy: both phones ring, the first answer is kept, the late one is ACKed and BYEd', async (t) => {
  const { l, alice, bob1, bob2 } = await setup();
  const call = alice.calls.place('bob');
  const ae = events(call);
  l.run(50);
  t.is(bob1.incoming.length, 1);
  t.is(bob2.incoming.length, 1);
  t.deepEqual(types(ae), ['progress', 'progress']);
  bob1.incoming[0]!.answer();
  l.run(50);
  t.is(call.state, 'active');
  t.is(call.dialog!.remoteTag, bob1.incoming[0]!.local.params['tag'] as string);
  const b2 = events(bob2.incoming[0]!);
  bob2.incoming[0]!.answer();
  l.run(50);
  t.deepEqual(b2, [{ type: 'answered' }, { type: 'ended', cause: 'remote-hangup', byRemote: true }]);
  t.is(call.state, 'active');
  t.deepEqual(types(ae), ['progress', 'progress', 'answered']);
  // Every request alice sent went to the proxy; in-dialog ones carry its Record-Route as Route.
  const fromAlice = wire(l.internet).filter((w) => w.from === '10.0.0.1');
  t.true(fromAlice.every((w) => w.to === '10.0.0.5'));
  const acks = fromAlice.filter((w) => w.label === 'ACK');
  t.is(acks.length, 2);
  for (const ack of acks) t.is(ack.message.header('Route'), '<sip:10.0.0.5;lr>');
  const bye = fromAlice.find((w) => w.label === 'BYE')!.message;
  t.is(bye.to.params['tag'], bob2.incoming[0]!.local.params['tag']);
  t.is(bye.header('Route'), '<sip:10.0.0.5;lr>');
  // alice hangs up the kept call: BYE to bob1 through the proxy.
  call.hangup();
  l.run(50);
  t.is(bob1.incoming[0]!.endedWith?.cause, 'remote-hangup');
  const byes = wire(l.internet).filter((w) => w.label === 'BYE' && w.to === '10.0.0.2');
  t.is(byes.length, 1);
  t.is(byes[0]!.from, '10.0.0.5');
});

test('CANCEL through the forking proxy reaches both ringing phones; both report a missed call', async (t) => {
  const { l, alice, bob1, bob2 } = await setup();
  const call = alice.calls.place('bob');
  l.run(50);
  call.hangup();
  l.run(50);
  t.is(bob1.incoming[0]!.endedWith?.cause, 'cancelled');
  t.is(bob2.incoming[0]!.endedWith?.cause, 'cancelled');
  const w = wire(l.internet);
  t.is(w.filter((x) => x.label === '487 INVITE' && x.to === '10.0.0.1').length, 2);
  t.is(w.filter((x) => x.label === 'CANCEL' && x.from === '10.0.0.1').length, 1);
  l.run(40_000);
  t.is(alice.calls.calls.size, 0);
  t.is(bob1.ua.transactions.serverCount + bob2.ua.transactions.serverCount, 0);
});
