/**
 * xsphone and baresip 1.0 calling each other through Kamailio, with audio both ways: baresip plays a 440 Hz sine
 * and records what it receives; xsphone plays its own 440 Hz tone and records what it plays (--audio-out).
 * DTMF from baresip (RFC 4733, typed on its console) must reach xsphone. Kamailio and baresip are this file's
 * own (a private run folder and Kamailio port), as baresip registers there.
 */
import test from 'ava';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavFile } from '../../hal/host/wav.js';
import { activeFraction, rms, toneFrequency } from '../support/audio-compare.js';
import { stopAll, type SimProcess } from '../support/sim-process.js';
import { Capture } from './calls-capture.js';
import { BaresipCtl, privateKamailio, registeredPhone, sleep, type PrivateKamailio } from './calls-peers.js';
import { ensurePeersIn, privatePeers, stopPeer } from './peers.js';

const PORT = 5273;
const env = privatePeers('calls-baresip', PORT);
const RUN = env['SIP_PEERS_DIR']!;
const BOB_CTRL = 6080;
const BOB_CONS = 7080;
let kam: PrivateKamailio;
let ctl: BaresipCtl;
let capture: Capture | undefined;
const canCapture = Capture.available();
const work = mkdtempSync(join(tmpdir(), 'xsphone-baresip-'));

test.before(async () => {
  ensurePeersIn(env, 'kamailio', 'baresip:bob');
  kam = privateKamailio('calls-baresip', PORT);
  ctl = await BaresipCtl.connect(BOB_CTRL);
  if (canCapture) capture = await Capture.start('calls-baresip', `udp port ${PORT} or udp port 5080 or udp portrange 10000-10049 or udp portrange 16384-16483`);
});

test.after.always(async () => {
  ctl?.close();
  await capture?.stop();
  stopPeer('baresip-bob', env);
  stopPeer('kamailio', env);
});

/** baresip's recordings (-dec: what it received, -enc: what it sent), all or those not in `before`. */
function recordings(before: string[] = []): { all: string[]; dec: string[]; enc: string[] } {
  const dir = `${RUN}/baresip-bob/rec`;
  const all = existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  const fresh = all.filter((f) => !before.includes(f));
  return { all, dec: fresh.filter((f) => f.endsWith('-dec.wav')), enc: fresh.filter((f) => f.endsWith('-enc.wav')) };
}

/** Types keys on baresip's console (UDP): digits during a call are sent as DTMF. */
async function typeOnConsole(text: string): Promise<void> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.send(text, BOB_CONS, '127.0.0.1', () => resolve()));
  s.close();
}

function assertHeardTone(t: import('ava').ExecutionContext, file: string, who: string): void {
  const wav = readWavFile(file);
  const samples = wav.channels === 1 ? wav.samples : wav.samples.filter((_, i) => i % wav.channels === 0);
  t.true(samples.length / wav.sampleRate > 1.5, `${who}: ${samples.length / wav.sampleRate} s recorded`);
  const active = activeFraction(samples);
  t.true(active > 0.6, `${who}: ${Math.round(active * 100)}% of 20 ms frames are not silent (rms ${Math.round(rms(samples))})`);
  // The middle of the call, away from ramp-up and hang-up.
  const mid = samples.subarray(Math.floor(samples.length * 0.3), Math.floor(samples.length * 0.7));
  const f = toneFrequency(mid, wav.sampleRate);
  t.true(Math.abs(f - 440) < 10, `${who}: tone at ${f.toFixed(1)} Hz, 440 expected`);
}

test.serial('baresip calls xsphone: answered, audio both ways, DTMF from baresip reaches xsphone, baresip hangs up', async (t) => {
  const before = recordings().all;
  const out = join(work, 'alice-from-baresip.wav');
  let alice: SimProcess | undefined;
  try {
    alice = await registeredPhone(kam, { user: 'alice', autoAnswer: true, audioOut: out, logLevel: 'info' });
    const from = ctl.events.length;
    const r = await ctl.command('dial', `sip:alice@127.0.0.1:${PORT}`);
    t.true(r.ok, JSON.stringify(r));
    await alice.waitFor('incoming', 10_000);
    await alice.waitFor('answered', 5_000);
    await ctl.waitEvent('CALL_ESTABLISHED', 5_000, from);
    await sleep(1500);
    await typeOnConsole('5');
    await sleep(300);
    await typeOnConsole('7');
    await sleep(300);
    // baresip ends a digit's RFC 4733 events only when the next key comes (the last one stays pressed until the
    // call ends): a third digit releases the 7.
    await typeOnConsole('0');
    await sleep(1200);
    await ctl.command('hangup');
    const end = await alice.waitFor('ended', 10_000);
    t.is(end['cause'], 'remote-hangup');
    t.true(Number(end['duration']) >= 2, `duration ${end['duration']}`);
    await ctl.waitEvent('CALL_CLOSED', 5_000, from);
    t.is(await alice.stop(), 0);
    t.regex(alice.stderr, /DTMF 5 received/, 'DTMF 5 from baresip');
    t.regex(alice.stderr, /DTMF 7 received/, 'DTMF 7 from baresip');
    assertHeardTone(t, out, 'xsphone --audio-out');
    await sleep(500);
    const rec = recordings(before);
    t.is(rec.dec.length, 1, `baresip recordings: ${JSON.stringify(rec)}`);
    assertHeardTone(t, rec.dec[0]!, 'baresip rec -dec.wav');
  } finally {
    await ctl.command('hangup').catch(() => undefined);
    await stopAll(alice);
    kam.clear('alice');
  }
});

test.serial('xsphone calls baresip: baresip answers, audio both ways, xsphone hangs up after 3 s', async (t) => {
  const before = recordings().all;
  const out = join(work, 'alice-to-baresip.wav');
  let alice: SimProcess | undefined;
  try {
    const from = ctl.events.length;
    alice = await registeredPhone(kam, { user: 'alice', call: `sip:bob@127.0.0.1:${PORT}`, hangupAfter: 3, audioOut: out, logLevel: 'info' });
    await alice.waitFor('answered', 10_000);
    await ctl.waitEvent('CALL_ESTABLISHED', 5_000, from);
    const end = await alice.waitFor('ended', 10_000);
    t.is(end['cause'], 'hangup');
    t.is(end['duration'], 3);
    const closed = await ctl.waitEvent('CALL_CLOSED', 5_000, from);
    t.log(`baresip: ${JSON.stringify(closed)}`);
    t.is(await alice.stop(), 0);
    assertHeardTone(t, out, 'xsphone --audio-out');
    await sleep(500);
    const rec = recordings(before);
    t.is(rec.dec.length, 1, `baresip recordings: ${JSON.stringify(rec)}`);
    assertHeardTone(t, rec.dec[0]!, 'baresip rec -dec.wav');
    const stats = /call media: ([^\n]+)/.exec(alice.stderr)?.[1];
    t.log(`xsphone: ${stats}`);
    t.truthy(stats, 'xsphone logs its call statistics');
  } finally {
    await ctl.command('hangup').catch(() => undefined);
    await stopAll(alice);
    kam.clear('alice');
  }
});

(canCapture ? test.serial : test.serial.skip)('tshark: SIP well formed, RTP both ways between xsphone and baresip', async (t) => {
  await capture!.stop();
  t.deepEqual(capture!.sipProblems(), [], 'SIP packets flagged by tshark');
  t.deepEqual(capture!.rtpProblems(), [], 'RTP packets flagged by tshark');
  const streams = capture!.rtpStreams();
  const fromBaresip = streams.filter((s) => s.src >= 10000 && s.src < 10050 && s.packets > 50);
  const toBaresip = streams.filter((s) => s.dst >= 10000 && s.dst < 10050 && s.packets > 50);
  t.is(fromBaresip.length, 2, `RTP from baresip: ${JSON.stringify(streams)}`);
  t.is(toBaresip.length, 2, `RTP to baresip: ${JSON.stringify(streams)}`);
});
