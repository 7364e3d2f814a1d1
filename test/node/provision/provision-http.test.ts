/** Zero-touch provisioning in the simulator: a loopback HTTP server, HostHttpClient and FileStorage-backed settings. */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HostClock } from '../../../hal/host/clock.js';
import { HostHttpClient } from '../../../hal/host/http.js';
import { FileStorage } from '../../../hal/host/storage.js';
import { defaultSettings } from '../../../src/phone/settings.js';
import { SettingsStore } from '../../../src/phone/settings-store.js';
import { Provisioner } from '../../../src/provision/provisioner.js';
import { startFixture, type Fixture } from '../update/http-fixture.js';

const MAC = 'A4:D1:8C:DB:C0:20';
const DEVICE = '/prov/a4d18cdbc020.json';

async function setup(t: import('ava').ExecutionContext, url?: (f: Fixture) => string | undefined, dhcp?: (f: Fixture) => string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-prov-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = await startFixture();
  t.teardown(() => fixture.close());
  const storage = new FileStorage(dir);
  const store = new SettingsStore(storage);
  store.save({ ...defaultSettings(), ringTone: 'before', country: 'UK' });
  const file = path.join(dir, 'settings');
  const before = readFileSync(file, 'utf8');
  const clock = new HostClock();
  const p = new Provisioner({
    http: new HostHttpClient(),
    clock,
    store,
    mac: MAC,
    configuredUrl: () => (url ? url(fixture) : `${fixture.url}/prov`),
    ...(dhcp ? { dhcpOption66: () => dhcp(fixture) } : {}),
  });
  t.teardown(() => p.stop());
  return { fixture, store, p, file, before };
}

const account = { label: 'Desk', user: '2001', password: 'secret', domain: '127.0.0.1', registrar: 'sip:127.0.0.1', transport: 'udp' };

test('a good configuration is applied atomically: common then per-device, over the saved settings', async (t) => {
  const { fixture, store, p, file } = await setup(t);
  fixture.routes.set('/prov/xsphone.json', { body: JSON.stringify({ accounts: [account], country: 'DE', volumes: { ring: 2 } }) });
  fixture.routes.set(DEVICE, { body: JSON.stringify({ country: 'FR', dnd: true }) });
  const r = await p.run();
  t.is(r.status, 'applied', r.message);
  t.deepEqual(fixture.hits, ['/prov/xsphone.json', DEVICE]);
  const s = store.load().settings;
  t.is(s.country, 'FR');
  t.true(s.dnd);
  t.is(s.volumes.ring, 2);
  t.is(s.ringTone, 'before');
  t.is(s.accounts[0].user, '2001');
  t.deepEqual(JSON.parse(readFileSync(file, 'utf8')), s);
});

async function keepsOld(t: import('ava').ExecutionContext, s: Awaited<ReturnType<typeof setup>>, why: RegExp) {
  const r = await s.p.run();
  t.is(r.status, 'failed');
  t.regex(r.message, why);
  t.regex(r.message, /settings unchanged/);
  t.is(readFileSync(s.file, 'utf8'), s.before);
  t.is(s.store.load().settings.ringTone, 'before');
}

test('bad JSON: old settings kept, the message names the file', async (t) => {
  const s = await setup(t);
  s.fixture.routes.set('/prov/xsphone.json', { body: '{"country": "DE"' });
  await keepsOld(t, s, /xsphone\.json: not valid JSON/);
});

test('invalid settings: old settings kept, the message says which setting', async (t) => {
  const s = await setup(t);
  s.fixture.routes.set('/prov/xsphone.json', { body: JSON.stringify({ country: 'DE' }) });
  s.fixture.routes.set(DEVICE, { body: JSON.stringify({ accounts: [{ ...account, registrar: 'http://x' }] }) });
  await keepsOld(t, s, /settings\.accounts\[0\]\.registrar: 'http:\/\/x' must be a sip: or sips: URI/);
});

test('404 for both files: old settings kept', async (t) => {
  const s = await setup(t);
  await keepsOld(t, s, /no configuration at http:\/\/127\.0\.0\.1:\d+\/prov/);
});

test('a truncated file (connection dropped) is not applied', async (t) => {
  const s = await setup(t);
  s.fixture.routes.set('/prov/xsphone.json', { body: JSON.stringify({ country: 'DE', ringTone: 'x'.repeat(500) }), cutAt: 100 });
  await keepsOld(t, s, /xsphone\.json: server unreachable/);
});

test('unreachable server: old settings kept, the message says so', async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const s = await setup(t, () => `http://127.0.0.1:${port}/prov`);
  await keepsOld(t, s, /server unreachable \(.*connection refused/);
});

test('DHCP option 66 (a bare host:port, as networks hand it out) is used when no URL is configured', async (t) => {
  const s = await setup(t, () => undefined, (f) => f.url.replace('http://', ''));
  s.fixture.routes.set('/xsphone.json', { body: JSON.stringify({ country: 'DE' }) });
  const r = await s.p.run();
  t.is(r.status, 'applied', r.message);
  t.is(s.store.load().settings.country, 'DE');
});

test('start() provisions at boot', async (t) => {
  const s = await setup(t);
  s.fixture.routes.set('/prov/xsphone.json', { body: JSON.stringify({ country: 'DE' }) });
  s.p.start();
  for (let i = 0; i < 100 && s.p.last === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(s.p.last?.status, 'applied');
  t.is(s.store.load().settings.country, 'DE');
});
