/**
 * Power loss during an update: a child process runs the updater against a loopback server and is
 * SIGKILLed at each step of the download and the switch (and at random moments); every time, the next
 * boot must run an intact image, and the phone must still be able to update afterwards.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packUpdate, rawPublicKey } from '../../../host-sim/commands/ota-pack.js';
import { FileOta } from '../../../hal/host/ota.js';
import { base64Encode } from '../../../src/media/srtp/base64.js';
import { startFixture, type Fixture } from './http-fixture.js';

const CHILD = fileURLToPath(new URL('./updater-child.js', import.meta.url));
const FACTORY = '1.0.0';
const SIZE = 300_000;

interface Setup {
  fixture: Fixture;
  keyB64: string;
  firmware: Buffer;
  root: string;
}

async function setup(t: import('ava').ExecutionContext): Promise<Setup> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'xsphone-kill-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const { privateKey } = generateKeyPairSync('ed25519');
  const firmware = randomBytes(SIZE);
  writeFileSync(path.join(root, 'fw.bin'), firmware);
  packUpdate({ key: privateKey, version: '2.0.0', firmware: path.join(root, 'fw.bin'), out: path.join(root, 'out') });
  const fixture = await startFixture();
  t.teardown(() => fixture.close());
  fixture.routes.set('/manifest.json', { body: readFileSync(path.join(root, 'out', 'manifest.json')) });
  // Slow enough that a random kill can land anywhere in the download.
  fixture.routes.set('/xsphone-2.0.0.bin', { body: readFileSync(path.join(root, 'out', 'xsphone-2.0.0.bin')), dripBytes: 16_384, dripMs: 5 });
  return { fixture, keyB64: base64Encode(rawPublicKey(privateKey)), firmware, root };
}

interface ChildRun {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child; kills it when it prints "paused" (or after killAfterMs); resolves when it is gone. */
function runChild(s: Setup, dir: string, pauseAt: string, killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, `${s.fixture.url}/manifest.json`, s.keyB64, pauseAt], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    let err = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line === 'paused') child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (err.trim()) lines.push(`stderr: ${err.trim()}`);
      resolve({ lines, code, signal });
    });
  });
}

/** The next boot runs an intact image: the factory one, or 2.0.0 whose slot holds exactly the firmware. */
function assertBootable(t: import('ava').ExecutionContext, s: Setup, dir: string, label: string): string {
  const next = FileOta.nextBoot({ dir, factoryVersion: FACTORY });
  const ota = new FileOta({ dir, factoryVersion: FACTORY });
  const running = ota.running();
  t.is(running.version, next.version, label);
  if (running.version === '2.0.0') t.true(readFileSync(ota.runningFile()!).equals(s.firmware), `${label}: image intact`);
  else t.is(running.version, FACTORY, label);
  return running.version;
}

const STEPS: Array<[string, string]> = [
  // [pause point, version the next boot must run]
  ['checking', FACTORY],
  ['downloading:0', FACTORY],
  ['downloading:100000', FACTORY],
  ['downloading:299000', FACTORY],
  ['verifying', FACTORY],
  ['installing', FACTORY],
  ['before-complete', FACTORY],
  ['before-activate', FACTORY],
  ['after-activate', '2.0.0'],
  ['before-restart', '2.0.0'],
];

for (const [pauseAt, expected] of STEPS) {
  test(`killed at ${pauseAt}: the next boot runs ${expected}, and the phone can still update`, async (t) => {
    const s = await setup(t);
    const dir = path.join(s.root, 'slots');
    const run = await runChild(s, dir, pauseAt);
    t.is(run.signal, 'SIGKILL', run.lines.join('\n'));
    t.true(run.lines.includes('paused'), run.lines.join('\n'));
    t.is(assertBootable(t, s, dir, pauseAt), expected);
    if (expected === '2.0.0') {
      // That boot (above) started the trial; it was never marked good, so the following boot goes back.
      const again = new FileOta({ dir, factoryVersion: FACTORY });
      t.deepEqual(again.running(), { version: FACTORY, confirmed: true });
      t.is(again.rolledBack, '2.0.0');
    }
    // After the power cut, a complete update still works and the trial confirms.
    const retry = await runChild(s, dir, '');
    t.true(retry.lines.includes('step restart'), retry.lines.join('\n'));
    const confirm = await runChild(s, dir, '');
    t.true(confirm.lines.includes('step after-mark-good'), confirm.lines.join('\n'));
    t.deepEqual(new FileOta({ dir, factoryVersion: FACTORY }).running(), { version: '2.0.0', confirmed: true });
  });
}

test('killed while the new image boots on trial (before markGood): the next boot rolls back', async (t) => {
  const s = await setup(t);
  const dir = path.join(s.root, 'slots');
  t.true((await runChild(s, dir, '')).lines.includes('step restart'));
  const run = await runChild(s, dir, 'boot-trial');
  t.true(run.lines.includes('booted 2.0.0 trial'), run.lines.join('\n'));
  t.is(run.signal, 'SIGKILL');
  const ota = new FileOta({ dir, factoryVersion: FACTORY });
  t.deepEqual(ota.running(), { version: FACTORY, confirmed: true });
  t.is(ota.rolledBack, '2.0.0');
});

test('killed right after markGood: the new version stays', async (t) => {
  const s = await setup(t);
  const dir = path.join(s.root, 'slots');
  t.true((await runChild(s, dir, '')).lines.includes('step restart'));
  const run = await runChild(s, dir, 'after-mark-good');
  t.is(run.signal, 'SIGKILL');
  t.is(assertBootable(t, s, dir, 'after-mark-good'), '2.0.0');
  t.deepEqual(new FileOta({ dir, factoryVersion: FACTORY }).running(), { version: '2.0.0', confirmed: true });
});

test('killed at random moments of the download and switch: always bootable', async (t) => {
  const s = await setup(t);
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const dir = path.join(s.root, `slots-${i}`);
    // The drip takes ~100 ms for 300 KB; spread kills over start-up, download and switch.
    const delay = 60 + Math.floor(Math.random() * 260);
    const run = await runChild(s, dir, '', delay);
    seen.add(run.signal === 'SIGKILL' ? 'killed' : 'finished');
    const v = assertBootable(t, s, dir, `kill after ${delay} ms (${run.lines.slice(-1)[0] ?? 'no output'})`);
    t.true(v === FACTORY || v === '2.0.0');
  }
  t.log(`outcomes: ${[...seen].join(', ')}`);
});
