/**
 * xsphone and baresip 1.0 calling each other through Kamailio, with audio both ways: baresip plays a 440 Hz sine
 * and records what it receives; xsphone plays its own 440 Hz tone and records what it plays (--audio-out).
 * DTMF both ways (RFC 4733): typed on baresip's console, and pressed on xsphone through `xsphone start`'s key API. Kamailio and baresip are this file's
 * own (a private run folder and Kamailio port), as baresip registers there.
 */
import test from 'ava';
import { createSocket } from 'node:dgram';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavFile } from '../../hal/host/wav.js';
import { activeFraction, rms, toneFrequency } from '../support/audio-compare.js';
import { stopAll, XSPHONE_BIN, type SimProcess } from '../support/sim-process.js';
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

test.serial('DTMF from xsphone reaches baresip: keys pressed through `xsphone start`\'s control API during a call (RFC 4733)', async (t) => {
  // `xsphone sim` has no way to press keys; `xsphone start` runs the same phone with an HTTP key API.
  const config = join(work, 'dtmf-phones.json');
  writeFileSync(config, JSON.stringify({
    http: { port: 0 },
    phones: [{
      id: 'alice', sipPort: 0,
      settings: {
        accounts: [{ label: 'alice', user: 'alice', password: 'alicepw', domain: '127.0.0.1', registrar: `sip:127.0.0.1:${PORT}` }],
        contacts: [{ name: 'bob', number: '200', uri: `sip:bob@127.0.0.1:${PORT}` }],
      },
    }],
  }));
  const child = spawn(process.execPath, [XSPHONE_BIN, 'start', '--config', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((r) => child.on('exit', r));
  const events = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { phone: string; type: string });
  const until = async (what: string, fn: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${what}; stdout ${out}; stderr ${err.slice(-1000)}`);
      await sleep(50);
    }
  };
  const from = ctl.events.length;
  try {
    await until('web address', () => /at (http:\/\/\S+)/.test(out));
    const base = /at (http:\/\/\S+)/.exec(out)![1]!.replace(/\/$/, '');
    const press = async (...keys: string[]) => {
      const r = await fetch(`${base}/api/phones/alice/keys`, { method: 'POST', body: JSON.stringify({ keys }) });
      t.is(r.status, 200, await r.text());
    };
    await until('registration', () => events().some((e) => e.type === 'registered'));
    await press('2', '0', '0', '#');
    await until('answer', () => events().some((e) => e.type === 'answered'));
    await ctl.waitEvent('CALL_ESTABLISHED', 5_000, from);
    await sleep(500);
    for (const key of ['4', '2', '*']) {
      await press(key);
      await sleep(400);
    }
    await sleep(500);
    await press('hook');
    await until('end of the call', () => events().some((e) => e.type === 'ended'));
    await ctl.waitEvent('CALL_CLOSED', 5_000, from);
    const digits = ctl.events.slice(from).filter((e) => e.type === 'CALL_DTMF_START').map((e) => String(e['param']));
    t.log(`baresip events: ${ctl.events.slice(from).map((e) => `${e.type}${e['param'] !== undefined ? `(${String(e['param']).slice(0, 40)})` : ''}`).join(', ')}`);
    t.deepEqual(digits, ['4', '2', '*'], 'baresip saw the digits, in order, once each');
  } finally {
    child.kill('SIGTERM');
    const t2 = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(t2);
    await ctl.command('hangup').catch(() => undefined);
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
  // One stream each way per call (three calls).
  t.is(fromBaresip.length, 3, `RTP from baresip: ${JSON.stringify(streams)}`);
  t.is(toBaresip.length, 3, `RTP to baresip: ${JSON.stringify(streams)}`);
});
