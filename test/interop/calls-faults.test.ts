/**
 * A call through a lossy network: each phone reaches Kamailio through its own relay that drops 30% of the SIP
 * datagrams in each direction (requests that name the relay are pointed at Kamailio and its Record-Route at the
 * relay, so the whole dialog crosses it). Registration, the call, and its end still complete by retransmission.
 */
import test from 'ava';
import { stopAll, type SimProcess } from '../support/sim-process.js';
import { CallRelay, proxyRewrite } from './calls-relay.js';
import { Capture } from './calls-capture.js';
import { freeUdpPort, privateKamailio, registeredPhone, type PrivateKamailio } from './calls-peers.js';

const PORT = 5274;
let kam: PrivateKamailio;
let capture: Capture | undefined;
const canCapture = Capture.available();
/** Relay ports, allocated up front so that the capture can filter on them. */
const relayPorts: number[] = [];

test.before(async () => {
  kam = privateKamailio('calls-faults', PORT);
  for (let i = 0; i < 6; i++) relayPorts.push(await freeUdpPort());
  if (canCapture) capture = await Capture.start('calls-faults', [PORT, ...relayPorts].map((p) => `udp port ${p}`).join(' or '));
});
test.after.always(async () => {
  await capture?.stop();
  kam?.stop();
});

async function lossyRelay(seed: number): Promise<CallRelay> {
  const port = relayPorts.shift()!;
  return CallRelay.start({ address: '127.0.0.1', port: PORT }, { up: { loss: 0.3 }, down: { loss: 0.3 }, seed, port, rewrite: proxyRewrite(port, PORT) });
}

for (const [name, seed] of [['first', 11], ['second', 29], ['third', 47]] as const) {
  test.serial(`30% loss both ways on the SIP path (${name} seed): both register, alice calls bob, bob answers, alice hangs up`, async (t) => {
    const ra = await lossyRelay(seed);
    const rb = await lossyRelay(seed + 1);
    let alice: SimProcess | undefined;
    let bob: SimProcess | undefined;
    try {
      [bob, alice] = await Promise.all([
        registeredPhone(kam, { user: 'bob', autoAnswer: true, registrar: `sip:127.0.0.1:${rb.port}` }, 60_000),
        registeredPhone(kam, { user: 'alice', registrar: `sip:127.0.0.1:${ra.port}` }, 60_000),
      ]);
      // Place the call only now: --call would dial on `registered`, before bob is there.
      await alice.stop();
      alice = await registeredPhone(kam, { user: 'alice', registrar: `sip:127.0.0.1:${ra.port}`, call: `sip:bob@127.0.0.1:${ra.port}`, hangupAfter: 2 }, 60_000);
      await alice.waitFor('answered', 60_000);
      await bob.waitFor('answered', 10_000);
      const aEnd = await alice.waitFor('ended', 60_000);
      const bEnd = await bob.waitFor('ended', 60_000);
      t.is(aEnd['cause'], 'hangup');
      t.is(bEnd['cause'], 'remote-hangup');
      t.is(bob.count('incoming'), 1, 'retransmitted INVITEs are one call');
      t.is(alice.count('answered'), 1);
      for (const [who, r] of [['alice', ra], ['bob', rb]] as const) {
        t.log(`${who}'s relay: up ${r.stats.up.forwarded} passed / ${r.stats.up.dropped} dropped, down ${r.stats.down.forwarded} / ${r.stats.down.dropped}`);
        t.true(r.stats.up.dropped + r.stats.down.dropped > 0, `${who}'s relay dropped some of its datagrams`);
      }
      t.true(ra.stats.up.dropped + rb.stats.up.dropped > 0, 'datagrams towards Kamailio were dropped');
      t.true(ra.stats.down.dropped + rb.stats.down.dropped > 0, 'datagrams from Kamailio were dropped');
    } finally {
      await stopAll(alice, bob);
      ra.close();
      rb.close();
      kam.clear('alice', 'bob');
    }
  });
}

(canCapture ? test.serial : test.serial.skip)('tshark decodes every SIP message of the lossy calls (both sides of each relay), none malformed', async (t) => {
  await capture!.stop();
  const sip = capture!.sipCount();
  t.true(sip > 60, `${sip} SIP messages captured`);
  t.deepEqual(capture!.sipProblems(), [], 'SIP packets flagged by tshark');
});
