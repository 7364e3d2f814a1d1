import test from 'ava';
import type { Storage } from '../../../hal/storage.js';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import { defaultSettings } from '../../../src/phone/settings.js';
import { SettingsStore } from '../../../src/phone/settings-store.js';
import { mergeConfig } from '../../../src/provision/merge.js';
import { DAY_MS, Provisioner, type ProvisionResult } from '../../../src/provision/provisioner.js';
import { chooseProvisionUrl, macFileStem, normaliseProvisionUrl } from '../../../src/provision/url.js';
import { FakeHttp } from '../update/fakes.js';

class MemoryStorage implements Storage {
  readonly map = new Map<string, string>();
  writes = 0;
  read(name: string) {
    return this.map.get(name);
  }
  write(name: string, value: string) {
    this.writes++;
    this.map.set(name, value);
  }
  remove(name: string) {
    this.map.delete(name);
  }
  names() {
    return [...this.map.keys()];
  }
}

const URL = 'http://prov.example.com/phones';
const MAC = '00:15:65:AB:cd:01';

function setup(routes: Record<string, string | number | 'unreachable'>, opts: { dhcp?: string; configured?: string | undefined } = {}) {
  const http = new FakeHttp();
  for (const [name, v] of Object.entries(routes)) {
    const url = name.startsWith('http') ? name : `${URL}/${name}`;
    if (v === 'unreachable') http.routes.set(url, { unreachable: true });
    else if (typeof v === 'number') http.routes.set(url, { status: v, body: 'error' });
    else http.routes.set(url, { status: 200, body: v });
  }
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  const old = { ...defaultSettings(), ringTone: 'old-tone', dnd: true };
  store.save(old);
  const results: ProvisionResult[] = [];
  const clock = new VirtualClock();
  const p = new Provisioner({
    http,
    clock,
    store,
    mac: MAC,
    configuredUrl: () => ('configured' in opts ? opts.configured : URL),
    dhcpOption66: () => opts.dhcp,
    onResult: (r) => results.push(r),
  });
  return { http, storage, store, p, results, clock, saved: storage.read('settings') };
}

const account = { user: '1001', password: 'pw', domain: 'pbx.example.com', registrar: 'sip:pbx.example.com' };

test('common and per-device files are merged (device wins) over the current settings and saved', async (t) => {
  const { p, store, http, results } = setup({
    'xsphone.json': JSON.stringify({ accounts: [account], volumes: { ring: 3 }, country: 'DE' }),
    '001565abcd01.json': JSON.stringify({ volumes: { speaker: 9 }, country: 'FR' }),
  });
  const r = await p.run();
  t.is(r.status, 'applied');
  t.deepEqual(http.requested, [`${URL}/xsphone.json`, `${URL}/001565abcd01.json`]);
  const s = store.load().settings;
  t.is(s.country, 'FR');
  t.deepEqual(s.volumes, { ring: 3, speaker: 9, handset: 6 });
  t.is(s.accounts[0].user, '1001');
  t.is(s.ringTone, 'old-tone');
  t.true(s.dnd);
  t.regex(r.message, /Provisioned from http:\/\/prov\.example\.com\/phones/);
  t.is(results.length, 1);
  if (r.status === 'applied') t.deepEqual(r.settings, s);
});

test('the common file alone is enough (no per-device file)', async (t) => {
  const { p, store } = setup({ 'xsphone.json': JSON.stringify({ country: 'UK' }) });
  t.is((await p.run()).status, 'applied');
  t.is(store.load().settings.country, 'UK');
});

test('provisioning the same configuration again writes nothing', async (t) => {
  const { p, storage } = setup({ 'xsphone.json': JSON.stringify({ country: 'UK' }) });
  await p.run();
  const writes = storage.writes;
  const r = await p.run();
  t.is(r.status, 'unchanged');
  t.is(storage.writes, writes);
});

async function keepsOld(t: import('ava').ExecutionContext, routes: Record<string, string | number | 'unreachable'>, why: RegExp) {
  const { p, storage, saved, results } = setup(routes);
  const r = await p.run();
  t.is(r.status, 'failed');
  t.regex(r.message, /^Provisioning failed: /);
  t.regex(r.message, why);
  t.regex(r.message, /settings unchanged$/);
  t.is(storage.read('settings'), saved);
  t.is(results[0], r);
}

test('bad JSON keeps the old settings and says which file', async (t) => {
  await keepsOld(t, { 'xsphone.json': '{"country": "DE",', '001565abcd01.json': '{}' }, /xsphone\.json: not valid JSON/);
});

test('invalid settings keep the old settings and say what is wrong', async (t) => {
  await keepsOld(t, { 'xsphone.json': JSON.stringify({ country: 'DE' }), '001565abcd01.json': JSON.stringify({ volumes: { ring: 99 } }) }, /settings\.volumes\.ring: must be a whole number from 0 to 10/);
  await keepsOld(t, { 'xsphone.json': JSON.stringify({ colour: 'red' }) }, /settings\.colour: is not a known setting/);
  await keepsOld(t, { 'xsphone.json': '[1,2]' }, /not a JSON object/);
});

test('no file found keeps the old settings', async (t) => {
  await keepsOld(t, {}, /no configuration at http:\/\/prov\.example\.com\/phones/);
});

test('a server error or an unreachable server keeps the old settings', async (t) => {
  await keepsOld(t, { 'xsphone.json': 500 }, /xsphone\.json: HTTP 500/);
  await keepsOld(t, { 'xsphone.json': 'unreachable' }, /xsphone\.json: server unreachable \(.*connection refused\)/);
  await keepsOld(t, { 'xsphone.json': '{}', '001565abcd01.json': 'unreachable' }, /001565abcd01\.json: server unreachable/);
});

test('DHCP option 66 is used when no URL is configured', async (t) => {
  const { p, store, http } = setup({ 'http://10.0.0.5/xsphone.json': JSON.stringify({ country: 'DE' }) }, { configured: undefined, dhcp: '10.0.0.5' });
  const r = await p.run();
  t.is(r.status, 'applied');
  t.is(http.requested[0], 'http://10.0.0.5/xsphone.json');
  t.is(store.load().settings.country, 'DE');
});

test('no URL at all is reported and nothing is fetched', async (t) => {
  const { p, http } = setup({}, { configured: undefined });
  const r = await p.run();
  t.is(r.status, 'no-server');
  t.is(http.requested.length, 0);
});

test('start() runs at once and then once a day on the HAL clock', async (t) => {
  const { p, http, clock } = setup({ 'xsphone.json': '{}' });
  p.start();
  await new Promise((r) => setTimeoutLike(r));
  t.is(http.requested.length, 2);
  clock.advance(DAY_MS - 1);
  t.is(http.requested.length, 2);
  clock.advance(1);
  await new Promise((r) => setTimeoutLike(r));
  t.is(http.requested.length, 4);
  p.stop();
  clock.advance(2 * DAY_MS);
  t.is(http.requested.length, 4);
});

/** Lets queued promise jobs run (no host timers in core tests). */
function setTimeoutLike(done: (v?: unknown) => void): void {
  let n = 0;
  const spin = (): void => {
    if (++n > 50) done();
    else void Promise.resolve().then(spin);
  };
  spin();
}

test('merge: objects merge by key, lists and values are replaced', (t) => {
  t.deepEqual(mergeConfig({ a: 1, o: { x: 1, y: 2 }, l: [1, 2] }, { o: { y: 3 }, l: [9], b: true }), { a: 1, o: { x: 1, y: 3 }, l: [9], b: true });
  t.deepEqual(mergeConfig({ a: 1 }, undefined), { a: 1 });
});

test('provisioning URLs: full URLs, bare hosts from DHCP, MAC file names', (t) => {
  t.is(normaliseProvisionUrl('https://p.example.com/cfg/'), 'https://p.example.com/cfg');
  t.is(normaliseProvisionUrl('10.1.2.3'), 'http://10.1.2.3');
  t.is(normaliseProvisionUrl('prov.example.com:8080/x'), 'http://prov.example.com:8080/x');
  t.is(normaliseProvisionUrl('tftp://10.1.2.3'), undefined);
  t.is(normaliseProvisionUrl('  '), undefined);
  t.deepEqual(chooseProvisionUrl('http://a', '10.0.0.1'), { url: 'http://a', source: 'configured' });
  t.deepEqual(chooseProvisionUrl(undefined, '10.0.0.1'), { url: 'http://10.0.0.1', source: 'dhcp' });
  t.deepEqual(chooseProvisionUrl('', ''), undefined);
  t.is(macFileStem('00:15:65:AB:CD:01'), '001565abcd01');
  t.is(macFileStem('0015-65ab-cd01'), '001565abcd01');
  t.is(macFileStem('zz:15:65:AB:CD:01'), undefined);
});
