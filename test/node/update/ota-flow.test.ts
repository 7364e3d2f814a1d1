/** The OTA flow in the simulator: real HTTP on loopback, FileOta slots on disk, Ed25519 from node:crypto. */
import test from 'ava';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main as otaPack, packUpdate, rawPublicKey } from '../../../host-sim/commands/ota-pack.js';
import { HostCrypto } from '../../../hal/host/crypto.js';
import { withHostDigest } from '../../../hal/host/digest-stream.js';
import { HostHttpClient } from '../../../hal/host/http.js';
import { FileOta } from '../../../hal/host/ota.js';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import { base64Encode } from '../../../src/media/srtp/base64.js';
import { TrialHealth } from '../../../src/update/health.js';
import { Updater, type UpdateResult } from '../../../src/update/updater.js';
import { startFixture, type Fixture } from './http-fixture.js';

const FACTORY = '1.0.0';

interface World {
  tmp: string;
  slots: string;
  fixture: Fixture;
  key: KeyObject;
  firmware: Buffer;
  manifest: string;
  image: Buffer;
}

async function world(t: import('ava').ExecutionContext, version = '2.0.0', size = 150_000): Promise<World> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xsphone-ota-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const { privateKey: key } = generateKeyPairSync('ed25519');
  const firmware = randomBytes(size);
  writeFileSync(path.join(tmp, 'firmware.bin'), firmware);
  const out = path.join(tmp, 'out');
  packUpdate({ key, version, firmware: path.join(tmp, 'firmware.bin'), out });
  const manifest = readFileSync(path.join(out, 'manifest.json'), 'utf8');
  const image = readFileSync(path.join(out, `xsphone-${version}.bin`));
  const fixture = await startFixture();
  t.teardown(() => fixture.close());
  fixture.routes.set('/fw/manifest.json', { body: manifest });
  fixture.routes.set(`/fw/xsphone-${version}.bin`, { body: image });
  return { tmp, slots: path.join(tmp, 'slots'), fixture, key, firmware, manifest, image };
}

function boot(w: World, onRestart?: () => void): FileOta {
  return new FileOta({ dir: w.slots, factoryVersion: FACTORY, ...(onRestart ? { onRestart } : {}) });
}

async function update(w: World, key: KeyObject = w.key): Promise<{ result: UpdateResult; restarted: boolean }> {
  let restarted = false;
  const ota = boot(w, () => (restarted = true));
  const updater = new Updater({
    http: new HostHttpClient(),
    ota,
    crypto: withHostDigest(new HostCrypto()),
    manifestUrl: `${w.fixture.url}/fw/manifest.json`,
    publicKey: rawPublicKey(key),
  });
  return { result: await updater.run(), restarted };
}

test('a good update boots the new version on trial; a healthy phone confirms it', async (t) => {
  const w = await world(t);
  const { result, restarted } = await update(w);
  t.deepEqual(result, { status: 'installed', version: '2.0.0' });
  t.true(restarted);
  const clock = new VirtualClock();
  const ota = boot(w);
  t.deepEqual(ota.running(), { version: '2.0.0', confirmed: false });
  t.deepEqual(readFileSync(ota.runningFile()!), w.firmware);
  const health = new TrialHealth({ ota, clock, timeoutMs: 120_000 });
  health.report({ idle: true, registered: true });
  t.is(health.verdict, 'confirmed');
  t.deepEqual(boot(w).running(), { version: '2.0.0', confirmed: true });
  t.deepEqual(boot(w).running(), { version: '2.0.0', confirmed: true });
  // The same manifest again: nothing to do.
  t.deepEqual((await update(w)).result, { status: 'up-to-date', version: '2.0.0' });
});

async function refusedKeepsOld(t: import('ava').ExecutionContext, w: World, pattern: RegExp, key?: KeyObject) {
  const { result, restarted } = await update(w, key);
  t.is(result.status, 'failed');
  if (result.status === 'failed') t.regex(result.error, pattern);
  t.false(restarted);
  const ota = boot(w);
  t.deepEqual(ota.running(), { version: FACTORY, confirmed: true });
  t.is(ota.rolledBack, undefined);
  t.deepEqual(FileOta.nextBoot({ dir: w.slots, factoryVersion: FACTORY }), { version: FACTORY, file: undefined, trial: false });
}

test('a truncated image is refused and the old version keeps running', async (t) => {
  const w = await world(t);
  w.fixture.routes.set('/fw/xsphone-2.0.0.bin', { body: w.image, cutAt: 100_000 });
  await refusedKeepsOld(t, w, /download failed|truncated/);
});

test('a corrupt image is refused and the old version keeps running', async (t) => {
  const w = await world(t);
  const bad = Buffer.from(w.image);
  bad[77_777] ^= 0x40;
  w.fixture.routes.set('/fw/xsphone-2.0.0.bin', { body: bad });
  await refusedKeepsOld(t, w, /corrupt/);
});

test('an unsigned update is refused and nothing is downloaded', async (t) => {
  const w = await world(t);
  const m = JSON.parse(w.manifest);
  delete m.signature;
  w.fixture.routes.set('/fw/manifest.json', { body: JSON.stringify(m) });
  await refusedKeepsOld(t, w, /not signed/);
  t.false(w.fixture.hits.includes('/fw/xsphone-2.0.0.bin'));
});

test('an update signed with another key is refused and nothing is downloaded', async (t) => {
  const w = await world(t);
  const { privateKey: other } = generateKeyPairSync('ed25519');
  await refusedKeepsOld(t, w, /signature does not match/, other);
  t.false(w.fixture.hits.includes('/fw/xsphone-2.0.0.bin'));
});

test('a signature over a different image hash is refused (image swapped, manifest hash edited)', async (t) => {
  const w = await world(t);
  const m = JSON.parse(w.manifest);
  m.sha256 = 'f'.repeat(64);
  w.fixture.routes.set('/fw/manifest.json', { body: JSON.stringify(m) });
  await refusedKeepsOld(t, w, /signature does not match/);
});

test('a new version that fails its health check is rolled back at the next boot', async (t) => {
  const w = await world(t);
  t.is((await update(w)).result.status, 'installed');
  const clock = new VirtualClock();
  let restarted = false;
  const ota = boot(w, () => (restarted = true));
  t.deepEqual(ota.running(), { version: '2.0.0', confirmed: false });
  const health = new TrialHealth({ ota, clock, timeoutMs: 90_000 });
  health.report({ idle: true, registered: false });
  clock.advance(90_000);
  t.is(health.verdict, 'rolled-back');
  t.true(restarted);
  const after = boot(w);
  t.deepEqual(after.running(), { version: FACTORY, confirmed: true });
  t.is(after.rolledBack, '2.0.0');
});

test.serial('ota-pack: usage errors exit 2, a non-Ed25519 key exits 1, a good run writes a verifiable update', async (t) => {
  const w = await world(t, '2.0.0', 1000);
  const quiet = silence(t);
  t.is(await otaPack(['--version', '3.0.0']), 2);
  t.is(await otaPack(['--bogus']), 2);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  writeFileSync(path.join(w.tmp, 'ec.pem'), ec.export({ format: 'pem', type: 'pkcs8' }));
  t.is(await otaPack(['--key', path.join(w.tmp, 'ec.pem'), '--version', '3.0.0', path.join(w.tmp, 'firmware.bin'), '-o', path.join(w.tmp, 'o')]), 1);
  t.is(await otaPack(['--new-key', path.join(w.tmp, 'new.pem')]), 0);
  t.regex(quiet.out.join(''), /public key: [A-Za-z0-9+/]{43}=/);
  t.is(await otaPack(['--key', path.join(w.tmp, 'new.pem'), '--version', '3.0.0', path.join(w.tmp, 'firmware.bin'), '-o', path.join(w.tmp, 'o3')]), 0);
  const m = JSON.parse(readFileSync(path.join(w.tmp, 'o3', 'manifest.json'), 'utf8'));
  t.is(m.version, '3.0.0');
  t.is(m.image, 'xsphone-3.0.0.bin');
  t.is(m.size, 1000);
  w.fixture.routes.set('/fw/manifest.json', { body: JSON.stringify(m) });
  w.fixture.routes.set('/fw/xsphone-3.0.0.bin', { body: readFileSync(path.join(w.tmp, 'o3', 'xsphone-3.0.0.bin')) });
  const { createPrivateKey } = await import('node:crypto');
  const key = createPrivateKey(readFileSync(path.join(w.tmp, 'new.pem')));
  t.true(quiet.out.join('').includes(base64Encode(rawPublicKey(key))));
  t.deepEqual((await update(w, key)).result, { status: 'installed', version: '3.0.0' });
});

function silence(t: import('ava').ExecutionContext): { out: string[] } {
  const out: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stderr.write;
  t.teardown(() => {
    process.stdout.write = o;
    process.stderr.write = e;
  });
  return { out };
}
