import test from 'ava';
import { base64Encode } from '../../../src/media/srtp/base64.js';
import { hexOf, signedText } from '../../../src/update/manifest.js';
import { Updater, type UpdateProgress } from '../../../src/update/updater.js';
import { FakeHttp, FakeSigCrypto, MemoryOta, fakeSign, type Route } from './fakes.js';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(9);
const BASE = 'https://updates.example.com/phone/';

function image(size: number, seed = 1): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

function manifestFor(img: Uint8Array, version: string, opts: { key?: Uint8Array; unsigned?: boolean; sha256?: string; size?: number; name?: string } = {}): string {
  const crypto = new FakeSigCrypto();
  const m = { version, size: opts.size ?? img.length, sha256: opts.sha256 ?? hexOf(crypto.digest('SHA-256', img)), image: opts.name ?? `fw-${version}.bin` };
  const sig = fakeSign(crypto, opts.key ?? KEY, new TextEncoder().encode(signedText(m)));
  return JSON.stringify(opts.unsigned ? m : { ...m, signature: base64Encode(sig) });
}

function setup(running: string, manifest: string, imageRoute?: Route, name = 'fw-2.0.0.bin') {
  const http = new FakeHttp();
  http.routes.set(`${BASE}manifest.json`, { status: 200, body: manifest });
  if (imageRoute) http.routes.set(`${BASE}${name}`, imageRoute);
  const ota = new MemoryOta(running);
  const progress: UpdateProgress[] = [];
  const updater = new Updater({ http, ota, crypto: new FakeSigCrypto(), manifestUrl: `${BASE}manifest.json`, publicKey: KEY, onProgress: (p) => progress.push(p) });
  return { http, ota, updater, progress };
}

test('a good update is written, activated and restarted into; progress climbs to 100%', async (t) => {
  const img = image(5000);
  const { ota, updater, progress } = setup('1.0.0', manifestFor(img, '2.0.0'), { status: 200, body: img, chunk: 700 });
  const r = await updater.run();
  t.deepEqual(r, { status: 'installed', version: '2.0.0' });
  t.is(ota.restarts, 1);
  t.true(ota.onTrial);
  t.deepEqual(ota.running(), { version: '2.0.0', confirmed: false });
  t.deepEqual(ota.trial?.image, img);
  const phases = progress.map((p) => p.phase).filter((p, i, a) => a[i - 1] !== p);
  t.deepEqual(phases, ['checking', 'downloading', 'verifying', 'installing', 'restarting']);
  const percents = progress.filter((p) => p.phase === 'downloading').map((p) => p.received);
  t.is(percents[0], 0);
  t.is(percents[percents.length - 1], 5000);
  t.true(percents.every((v, i) => i === 0 || v > percents[i - 1]));
  t.regex(progress.find((p) => p.phase === 'downloading' && p.received === 5000)!.message, /2\.0\.0: 100%/);
});

test('the same or an older version is not downloaded', async (t) => {
  for (const v of ['1.0.0', '0.9.9', '1.0.0-rc1']) {
    const img = image(100);
    const { ota, updater, http } = setup('1.0.0', manifestFor(img, v), { status: 200, body: img });
    const r = await updater.run();
    t.deepEqual(r, { status: 'up-to-date', version: '1.0.0' }, v);
    t.is(http.requested.length, 1);
    t.is(ota.restarts, 0);
  }
});

async function refused(t: import('ava').ExecutionContext, manifest: string, route: Route | undefined, pattern: RegExp, downloads: boolean) {
  const { ota, updater, http, progress } = setup('1.0.0', manifest, route);
  const r = await updater.run();
  t.is(r.status, 'failed');
  if (r.status === 'failed') t.regex(r.error, pattern);
  t.is(ota.restarts, 0);
  t.is(ota.trial, undefined);
  t.is(ota.staged, undefined);
  t.deepEqual(ota.running(), { version: '1.0.0', confirmed: true });
  t.is(http.requested.length, downloads ? 2 : 1);
  if (downloads) t.is(ota.cancels, 1);
  t.is(progress[progress.length - 1].phase, 'failed');
  t.regex(progress[progress.length - 1].message, /^Update failed: /);
}

test('a truncated image (connection lost) is refused', async (t) => {
  const img = image(3000);
  await refused(t, manifestFor(img, '2.0.0'), { status: 200, body: img, cutAt: 2000 }, /download failed/, true);
});

test('a short image with a matching Content-Length is refused as truncated', async (t) => {
  const img = image(3000);
  await refused(t, manifestFor(img, '2.0.0'), { status: 200, body: img.slice(0, 2500), size: 3000 }, /truncated: 2500 of 3000/, true);
});

test('a corrupt image is refused by its SHA-256', async (t) => {
  const img = image(3000);
  const bad = img.slice();
  bad[1234] ^= 1;
  await refused(t, manifestFor(img, '2.0.0'), { status: 200, body: bad }, /corrupt/, true);
});

test('an image larger than the manifest says is refused', async (t) => {
  const img = image(3000);
  await refused(t, manifestFor(img, '2.0.0'), { status: 200, body: image(3500), size: 3000 }, /larger than the 3000 bytes/, true);
});

test('an image whose Content-Length disagrees with the manifest is refused', async (t) => {
  const img = image(3000);
  await refused(t, manifestFor(img, '2.0.0'), { status: 200, body: image(3100) }, /3100 bytes, the manifest says 3000/, true);
});

test('an unsigned manifest is refused before anything is downloaded', async (t) => {
  const img = image(300);
  await refused(t, manifestFor(img, '2.0.0', { unsigned: true }), { status: 200, body: img }, /not signed/, false);
});

test('a manifest signed with another key is refused before anything is downloaded', async (t) => {
  const img = image(300);
  await refused(t, manifestFor(img, '2.0.0', { key: OTHER_KEY }), { status: 200, body: img }, /signature does not match/, false);
});

test('a signed manifest with an edited field is refused (the signature covers every field)', async (t) => {
  const img = image(300);
  const m = JSON.parse(manifestFor(img, '2.0.0'));
  await refused(t, JSON.stringify({ ...m, version: '3.0.0' }), { status: 200, body: img }, /signature does not match/, false);
  await refused(t, JSON.stringify({ ...m, image: 'evil.bin' }), { status: 200, body: img }, /signature does not match/, false);
});

test('manifest problems are reported in words', async (t) => {
  await refused(t, '{nope', undefined, /not valid JSON/, false);
  await refused(t, '{"version":"2.0.0"}', undefined, /"size"/, false);
  const { updater } = setup('1.0.0', '');
  const http = new FakeHttp();
  http.routes.set(`${BASE}manifest.json`, { unreachable: true });
  const u2 = new Updater({ http, ota: new MemoryOta('1.0.0'), crypto: new FakeSigCrypto(), manifestUrl: `${BASE}manifest.json`, publicKey: KEY });
  const r = await u2.run();
  t.true(r.status === 'failed' && /unreachable/.test(r.error));
  const http404 = new FakeHttp();
  const u3 = new Updater({ http: http404, ota: new MemoryOta('1.0.0'), crypto: new FakeSigCrypto(), manifestUrl: `${BASE}manifest.json`, publicKey: KEY });
  const r3 = await u3.run();
  t.true(r3.status === 'failed' && /HTTP 404/.test(r3.error));
  t.truthy(updater);
});

test('an image that is not found is refused and the slot write cancelled', async (t) => {
  const img = image(300);
  await refused(t, manifestFor(img, '2.0.0'), undefined, /HTTP 404/, true);
});

test('no update while the running image is still on trial', async (t) => {
  const img = image(300);
  const { ota, updater, http } = setup('1.0.0', manifestFor(img, '2.0.0'), { status: 200, body: img });
  ota.trial = { version: '1.5.0', image: img };
  ota.onTrial = true;
  const r = await updater.run();
  t.true(r.status === 'failed' && /on trial/.test(r.error));
  t.is(http.requested.length, 0);
});

test('an image named by absolute URL in the manifest is fetched from there', async (t) => {
  const img = image(400);
  const url = 'https://cdn.example.net/x/fw.bin';
  const { ota, updater, http } = setup('1.0.0', manifestFor(img, '2.0.0', { name: url }));
  http.routes.set(url, { status: 200, body: img });
  t.is((await updater.run()).status, 'installed');
  t.deepEqual(ota.trial?.image, img);
});
