import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileOta } from '../../../hal/host/ota.js';
import { imageFor, versionNumber } from './fixtures/ota-updater.js';

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-ota-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function install(ota: FileOta, version: string, img: Uint8Array, chunk = 1000): void {
  const w = ota.begin(img.length, version);
  for (let off = 0; off < img.length; off += chunk) w.write(img.subarray(off, off + chunk));
  w.complete();
}

test('first boot runs the factory version, confirmed', (t) => {
  const ota = new FileOta({ dir: tempDir(t), factoryVersion: '1.0.0' });
  t.deepEqual(ota.running(), { version: '1.0.0', confirmed: true });
  t.is(ota.runningFile(), undefined);
  t.is(ota.rolledBack, undefined);
});

test('good update: activate, restart on trial, markGood, stays after further restarts', (t) => {
  const dir = tempDir(t);
  let restarts = 0;
  const opts = { dir, factoryVersion: '1.0.0', onRestart: () => restarts++ };
  const ota = new FileOta(opts);
  const img = imageFor(2);
  install(ota, '2.0.0', img);
  t.deepEqual(FileOta.nextBoot(opts).version, '1.0.0', 'a completed image does not boot until activated');
  ota.activate();
  t.deepEqual(FileOta.nextBoot(opts), { version: '2.0.0', file: ota.slotFile('b'), trial: true });
  ota.restart();
  t.is(restarts, 1);
  const booted = new FileOta(opts);
  t.deepEqual(booted.running(), { version: '2.0.0', confirmed: false });
  t.deepEqual(new Uint8Array(readFileSync(booted.runningFile()!)), img);
  booted.markGood();
  t.deepEqual(booted.running(), { version: '2.0.0', confirmed: true });
  booted.markGood(); // harmless
  const again = new FileOta(opts);
  t.deepEqual(again.running(), { version: '2.0.0', confirmed: true });
  // The next update goes to the other slot, never over the running image.
  install(again, '3.0.0', imageFor(3));
  again.activate();
  const third = new FileOta(opts);
  t.is(third.runningFile(), third.slotFile('a'));
  t.deepEqual(new Uint8Array(readFileSync(third.slotFile('b'))), img, 'confirmed 2.0.0 untouched');
});

test('failed health check: a restart without markGood rolls back', (t) => {
  const dir = tempDir(t);
  const opts = { dir, factoryVersion: '1.0.0' };
  const ota = new FileOta(opts);
  install(ota, '2.0.0', imageFor(2));
  ota.activate();
  const trial = new FileOta(opts);
  t.deepEqual(trial.running(), { version: '2.0.0', confirmed: false });
  t.throws(() => trial.begin(10, '3.0.0'), { message: /on trial; mark it good/ });
  const back = new FileOta(opts);
  t.deepEqual(back.running(), { version: '1.0.0', confirmed: true });
  t.is(back.rolledBack, '2.0.0');
  t.is(new FileOta(opts).rolledBack, undefined, 'reported once');
});

test('truncated, oversized, cancelled or damaged images are refused and the old version keeps running', (t) => {
  const dir = tempDir(t);
  const opts = { dir, factoryVersion: '1.0.0' };
  const ota = new FileOta(opts);
  const img = imageFor(2);
  const w = ota.begin(img.length, '2.0.0');
  w.write(img.subarray(0, 1000));
  t.throws(() => w.complete(), { message: /image incomplete: 1000 of \d+ bytes/ });
  t.throws(() => ota.activate(), { message: /no completed image/ });

  const big = ota.begin(10, '2.0.0');
  t.throws(() => big.write(new Uint8Array(11)), { message: /larger than announced \(11 > 10 bytes\)/ });
  t.throws(() => ota.activate(), { message: /no completed image/ });

  const c = ota.begin(img.length, '2.0.0');
  c.write(img);
  c.cancel();
  t.throws(() => c.write(img), { message: /after complete or cancel/ });
  t.throws(() => ota.activate(), { message: /no completed image/ });
  t.throws(() => ota.begin(0, 'x'), { message: /invalid image size/ });

  install(ota, '2.0.0', img);
  const f = readFileSync(ota.slotFile('b'));
  f[1234]! ^= 0xff;
  writeFileSync(ota.slotFile('b'), f);
  t.throws(() => ota.activate(), { message: /damaged/ });
  t.deepEqual(new FileOta(opts).running(), { version: '1.0.0', confirmed: true });
});

test('an activated image damaged before boot is not booted', (t) => {
  const dir = tempDir(t);
  const opts = { dir, factoryVersion: '1.0.0' };
  const ota = new FileOta(opts);
  install(ota, '2.0.0', imageFor(2));
  ota.activate();
  writeFileSync(ota.slotFile('b'), 'garbage');
  const next = new FileOta(opts);
  t.deepEqual(next.running(), { version: '1.0.0', confirmed: true });
  t.is(next.rolledBack, '2.0.0');
});

const updater = fileURLToPath(new URL('./fixtures/ota-updater.js', import.meta.url));

function run(dir: string, health: 'good' | 'bad', killAfterMs: number | undefined): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [updater, dir, health], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const killer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(guard);
      if (signal === 'SIGKILL') resolve({ killed: true, out });
      else if (code === 0 || code === 3) resolve({ killed: false, out });
      else reject(new Error(`updater failed (${code}): ${err}`));
    });
  });
}

test('power loss at any point of download, switch or health check leaves a bootable phone', async (t) => {
  const dir = tempDir(t);
  const opts = { dir, factoryVersion: 'v0' };
  const deadline = Date.now() + 90_000;
  let kills = 0;
  let highest = 0;
  let rollbacks = 0;
  let runs = 0;
  for (; runs < 60 && Date.now() < deadline; runs++) {
    const health = Math.random() < 0.25 ? 'bad' : 'good';
    const kill = Math.random() < 0.7 ? Math.floor(Math.random() * 150) : undefined;
    const before = FileOta.nextBoot(opts);
    const r = await run(dir, health, kill);
    if (r.killed) kills++;
    const b = versionNumber(before.version);
    const next = FileOta.nextBoot(opts);
    const n = versionNumber(next.version);
    // Whatever boots next is a complete, correct image (or the factory one).
    if (n === 0) t.is(next.file, undefined);
    else if (!next.file) return t.fail(`v${n} has no slot file`);
    else if (!Buffer.from(readFileSync(next.file)).equals(imageFor(n))) return t.fail(`run ${runs}: v${n} in ${next.file} is not the complete image`);
    if (n > b + 1) return t.fail(`run ${runs}: next boot jumped from v${b} to v${n}`);
    if (!r.killed && health === 'good' && n !== b + 1) return t.fail(`run ${runs}: a finished update from v${b} boots v${n}`);
    if (!r.killed && health === 'bad' && before.trial) {
      rollbacks++;
      if (n >= b) return t.fail(`run ${runs}: trial v${b} failed its health check but v${n} boots next`);
    }
    highest = Math.max(highest, n);
  }
  t.log(`${runs} boots, ${kills} killed, ${rollbacks} failed health checks, reached v${highest}`);
  t.true(kills >= 10);
  t.true(highest >= 3, 'updates do make progress');
});
