import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { defaultConfig } from '../../../host-sim/config.js';
import { startControlServer, type ControlServer } from '../../../host-sim/control-server.js';
import { SimPhone } from '../../../host-sim/sim-phone.js';
import { AudioClient, ControlClient, rms, tonePower } from '../sim/control-client.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/browser/', import.meta.url));

let phones: SimPhone[] = [];
let server: ControlServer;
let browser: Browser;
let dir: string;

/** A 16-bit mono WAV of a sine: Chromium's fake microphone plays it in a loop. */
function toneWav(file: string, hz: number, rate = 48_000, seconds = 2): void {
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  writeFileSync(file, buf);
}

test.before(async () => {
  dir = mkdtempSync(join(os.tmpdir(), 'xsphone-browser-audio-'));
  const mic = join(dir, 'mic-1000hz.wav');
  toneWav(mic, 1000);
  const config = defaultConfig(0, 5762, 5764);
  for (const p of config.phones) phones.push(await SimPhone.start({ id: p.id, settings: p.settings, address: p.address, sipPort: p.sipPort }));
  server = await startControlServer(phones, 0);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${mic}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all(phones.map((p) => p.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test.serial('the page sends its (fake) microphone to alice\'s phone and plays what alice hears', async (t) => {
  const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(String(e)));
  t.teardown(() => t.log(logs.join('\n')));
  await page.goto(server.url);
  await page.locator('#conn.ok').waitFor({ timeout: 10_000 });
  t.is(await page.locator('#phone-alice .audio-state').textContent(), 'audio: test tone / WAV');

  await page.click('#phone-alice .audio-toggle');
  await page.locator('#phone-alice .audio-state', { hasText: /^browser audio on/ }).waitFor({ timeout: 10_000 });
  t.is(await page.locator('#phone-alice .audio-toggle').getAttribute('aria-pressed'), 'true');
  t.is(phones[0]!.audio.source, 'client');
  // The other page element knows too: bob's is untouched.
  t.is(await page.locator('#phone-bob .audio-state').textContent(), 'audio: test tone / WAV');

  // bob is a scripted client playing 600 Hz and listening.
  const control = await ControlClient.open(server.url);
  const bob = new AudioClient(server.url, 'bob');
  t.teardown(() => (bob.close(), control.close()));
  await bob.opened();
  bob.sendTone(600);
  control.send({ op: 'keys', phone: 'alice', keys: ['1', '0', '2', '#'] });
  await control.waitState('bob', (s) => s.calls.some((c) => c.phase === 'incoming'), 'ringing');
  control.send({ op: 'key', phone: 'bob', key: 'soft1' });
  await control.waitState('alice', (s) => s.calls.some((c) => c.phase === 'connected'), 'connected');
  await sleep(600);
  const b0 = bob.heard.length;
  await sleep(1000);
  const atBob = bob.since(b0);
  t.true(atBob.length >= 160 * 30, `bob got ${atBob.length / 160} frames`);
  const p1000 = tonePower(atBob, 1000);
  t.true(p1000 > 20 * tonePower(atBob, 440), "bob hears the browser's 1 kHz microphone, not alice's default 440 Hz tone");
  t.log(`at bob: RMS ${rms(atBob).toFixed(0)}, 1 kHz/440 Hz power ${(p1000 / tonePower(atBob, 440)).toFixed(0)}`);
  // The page asks for echo cancellation, noise suppression and gain control; Chromium's processing brings the
  // steady 0.3 full-scale tone (RMS ~6950) down to about 2300. Silence would be near 0.
  t.true(rms(atBob) > 1000, `RMS ${rms(atBob).toFixed(0)}`);

  // The page receives bob's 600 Hz and plays it: frames arrive, the speaker level shows sound.
  const stats = (await page.evaluate(() => (globalThis as unknown as { xsphoneAudio: { stats: Record<string, Record<string, number>> } }).xsphoneAudio.stats['alice'])) as Record<string, number>;
  t.true(stats.received! > 40, `frames received by the page: ${stats.received}`);
  t.true(stats.sent! > 40, `frames sent by the page: ${stats.sent}`);
  t.true(stats.speakerPeak! > 3000, `speaker peak ${stats.speakerPeak}`);
  await page.screenshot({ path: join(ARTIFACTS, 'audio-browser-on.png') });

  control.send({ op: 'key', phone: 'alice', key: 'soft4' });
  await control.waitState('bob', (s) => s.calls.length === 0, 'hung up');
  await page.click('#phone-alice .audio-toggle');
  await page.locator('#phone-alice .audio-state', { hasText: 'audio: test tone / WAV' }).waitFor({ timeout: 10_000 });
  for (let i = 0; i < 100 && phones[0]!.audio.source !== 'default'; i++) await sleep(20);
  t.is(phones[0]!.audio.source, 'default');
});

test.serial('a second window taking a phone\'s audio tells the first, in plain words', async (t) => {
  const first = await browser.newPage();
  const second = await browser.newPage();
  t.teardown(() => Promise.all([first.close(), second.close()]));
  for (const p of [first, second]) {
    await p.goto(server.url);
    await p.locator('#conn.ok').waitFor({ timeout: 10_000 });
  }
  await first.click('#phone-bob .audio-toggle');
  await first.locator('#phone-bob .audio-state', { hasText: /^browser audio on/ }).waitFor({ timeout: 10_000 });
  await second.locator('#phone-bob .audio-state', { hasText: 'audio: another window or script' }).waitFor({ timeout: 10_000 });
  await second.click('#phone-bob .audio-toggle');
  await second.locator('#phone-bob .audio-state', { hasText: /^browser audio on/ }).waitFor({ timeout: 10_000 });
  await first.locator('#phone-bob .audio-state', { hasText: "Browser audio failed: another window took this phone's audio" }).waitFor({ timeout: 10_000 });
  t.is(await first.locator('#phone-bob .audio-toggle').getAttribute('aria-pressed'), 'false');
  await second.click('#phone-bob .audio-toggle');
  await second.locator('#phone-bob .audio-state', { hasText: 'audio: test tone / WAV' }).waitFor({ timeout: 10_000 });
  t.is(phones[1]!.audio.source, 'default');
});
