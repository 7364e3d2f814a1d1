/**
 * Calls between `xsphone sim` phones through Kamailio (registrar + record-routing proxy, digest auth on REGISTER
 * and INVITE): basic calls hung up from either side, CANCEL while ringing, parallel forking to two phones of one
 * user. tshark captures it all and must find every SIP message well formed.
 */
import test from 'ava';
import { stopAll, type SimProcess } from '../support/sim-process.js';
import { Capture } from './calls-capture.js';
import { privateKamailio, registeredPhone, sleep, type PrivateKamailio } from './calls-peers.js';

const PORT = 5271;
let kam: PrivateKamailio;
let capture: Capture | undefined;
const canCapture = Capture.available();

test.before(async () => {
  kam = privateKamailio('calls-kamailio', PORT);
  if (canCapture) capture = await Capture.start('calls-kamailio', `udp port ${PORT} or tcp port ${PORT} or udp portrange 16384-16483`);
});

test.after.always(async () => {
  await capture?.stop();
  kam?.stop();
});

const bobUri = () => `sip:bob@127.0.0.1:${PORT}`;

async function withPhones(fn: (started: SimProcess[]) => Promise<void>): Promise<void> {
  const started: SimProcess[] = [];
  try {
    await fn(started);
  } finally {
    await stopAll(...started);
    kam.clear('alice', 'bob');
  }
}

test.serial('alice calls bob, bob answers, they talk 2 s, alice hangs up', async (t) => {
  await withPhones(async (phones) => {
    const bob = await registeredPhone(kam, { user: 'bob', autoAnswer: true });
    phones.push(bob);
    const alice = await registeredPhone(kam, { user: 'alice', call: bobUri(), hangupAfter: 2 });
    phones.push(alice);
    const incoming = await bob.waitFor('incoming', 10_000);
    t.regex(String(incoming['from']), /^sip:alice@/);
    const answered = await alice.waitFor('answered', 10_000);
    await bob.waitFor('answered', 5_000);
    const aEnd = await alice.waitFor('ended', 10_000);
    const bEnd = await bob.waitFor('ended', 10_000);
    t.is(aEnd['cause'], 'hangup');
    t.is(bEnd['cause'], 'remote-hangup');
    t.is(aEnd['duration'], 2);
    t.is(bEnd['duration'], 2);
    const talked = aEnd.at! - answered.at!;
    t.true(talked >= 1900 && talked < 4000, `talked ${talked} ms`);
    t.true(alice.types().includes('ringing'), 'alice heard ringing (180)');
    // Both phones still registered and stop cleanly (unregister, exit 0).
    t.is(await alice.stop(), 0);
    t.is(await bob.stop(), 0);
    t.true(alice.has('unregistered') && bob.has('unregistered'), `${alice.types()} / ${bob.types()}`);
  });
});

test.serial('alice calls bob, bob answers and hangs up after 2 s', async (t) => {
  await withPhones(async (phones) => {
    const bob = await registeredPhone(kam, { user: 'bob', autoAnswer: true, hangupAfter: 2 });
    phones.push(bob);
    const alice = await registeredPhone(kam, { user: 'alice', call: bobUri() });
    phones.push(alice);
    await alice.waitFor('answered', 10_000);
    const bEnd = await bob.waitFor('ended', 10_000);
    const aEnd = await alice.waitFor('ended', 10_000);
    t.is(bEnd['cause'], 'hangup');
    t.is(aEnd['cause'], 'remote-hangup');
    t.is(aEnd['duration'], 2);
    t.is(await alice.stop(), 0);
    t.is(await bob.stop(), 0);
  });
});

test.serial('CANCEL while ringing: alice gives up, bob stops ringing with ended/cancelled and never answers', async (t) => {
  await withPhones(async (phones) => {
    const bob = await registeredPhone(kam, { user: 'bob' });
    phones.push(bob);
    const alice = await registeredPhone(kam, { user: 'alice', call: bobUri() });
    phones.push(alice);
    await bob.waitFor('incoming', 10_000);
    await alice.waitFor('ringing', 10_000);
    await sleep(500);
    // The CLI hangs up by stopping: SIGTERM ends calls (CANCEL for one still ringing), then unregisters.
    t.is(await alice.stop(), 0);
    const bEnd = await bob.waitFor('ended', 10_000);
    t.is(bEnd['cause'], 'cancelled');
    t.is(bEnd['duration'], 0);
    t.false(bob.has('answered'));
    t.false(alice.has('answered'));
    const aEnd = alice.find('ended');
    if (aEnd) t.is(aEnd['cause'], 'hangup');
  });
});

test.serial('bob on two phones (parallel forking): both ring, the first to answer gets the call, the other is cancelled', async (t) => {
  await withPhones(async (phones) => {
    const desk = await registeredPhone(kam, { user: 'bob', autoAnswer: 1500 });
    phones.push(desk);
    const mobile = await registeredPhone(kam, { user: 'bob' });
    phones.push(mobile);
    t.is(kam.contacts('bob').length, 2, 'two contacts for bob');
    const alice = await registeredPhone(kam, { user: 'alice', call: bobUri(), hangupAfter: 1 });
    phones.push(alice);
    await Promise.all([desk.waitFor('incoming', 10_000), mobile.waitFor('incoming', 10_000)]);
    await desk.waitFor('answered', 10_000);
    const mEnd = await mobile.waitFor('ended', 10_000);
    t.is(mEnd['cause'], 'cancelled');
    t.false(mobile.has('answered'), 'the second phone never answered');
    await alice.waitFor('answered', 10_000);
    t.is(alice.count('answered'), 1);
    const aEnd = await alice.waitFor('ended', 10_000);
    const dEnd = await desk.waitFor('ended', 10_000);
    t.is(aEnd['cause'], 'hangup');
    t.is(dEnd['cause'], 'remote-hangup');
  });
});

test.serial('TCP and UDP phones call each other through the proxy', async (t) => {
  await withPhones(async (phones) => {
    const bob = await registeredPhone(kam, { user: 'bob', autoAnswer: true, transport: 'tcp' });
    phones.push(bob);
    const alice = await registeredPhone(kam, { user: 'alice', call: bobUri(), hangupAfter: 1 });
    phones.push(alice);
    await alice.waitFor('answered', 10_000);
    const aEnd = await alice.waitFor('ended', 10_000);
    const bEnd = await bob.waitFor('ended', 10_000);
    t.is(aEnd['cause'], 'hangup');
    t.is(bEnd['cause'], 'remote-hangup');
  });
});

(canCapture ? test.serial : test.serial.skip)('tshark decodes every SIP message of these calls, none malformed, and RTP flowed both ways', async (t) => {
  await capture!.stop();
  const sip = capture!.sipCount();
  t.true(sip > 40, `${sip} SIP messages captured`);
  const problems = capture!.sipProblems();
  t.deepEqual(problems, [], 'SIP packets flagged by tshark');
  t.deepEqual(capture!.rtpProblems(), [], 'RTP/RTCP packets flagged by tshark');
  const streams = capture!.rtpStreams();
  t.true(streams.length >= 2, `RTP streams: ${JSON.stringify(streams)}`);
  const others = capture!.allProblems().filter((p) => !/sip|rtp|rtcp/.test(p.protocols));
  if (others.length) t.log(`flagged, not SIP/RTP: ${JSON.stringify(others.slice(0, 5))}`);
});
