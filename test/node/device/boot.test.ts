/** hal/esp32/main.ts boots on Node against stand-ins for every Moddable module it reaches. */
import test from 'ava';
import { FAKE_TIMER, loadWithFakes } from './moddable-fakes.js';

function fakes(opts: { ssid?: string; gotIP: boolean }): Record<string, string> {
  const prefs = opts.ssid ? `[['xswifi/ssid', ${JSON.stringify(opts.ssid)}], ['xswifi/password', 'password1'], ['xswifi/provision', 'http://10.0.0.5/p']]` : '[]';
  return {
    timer: FAKE_TIMER,
    time: 'export default { ticks: 0, delta: (a, b) => b - a };',
    'mc/config': `export default { version: '1.0.0', file: { root: '/lfs/' }, keypad: { rows: [13], columns: [32], map: [['1']] } };`,
    net: `export default { get: (w) => ({ IP: '192.168.1.20', MAC: 'A4:D1:8C:DB:C0:20', DNS: ['192.168.1.1'] })[w] };`,
    system: 'globalThis.System = { restart() { globalThis.__fake.log.push("restart"); } };',
    preference: `const p = new Map(${prefs}); export default { set: (d, k, v) => p.set(d + '/' + k, v), get: (d, k) => p.get(d + '/' + k), delete: (d, k) => p.delete(d + '/' + k), keys: (d) => [...p.keys()].filter((x) => x.startsWith(d + '/')).map((x) => x.slice(d.length + 1)) };`,
    file: `export class File { static exists() { return false; } static delete() {} static rename() { return true; } constructor() {} read() {} write() {} close() {} }
      export class Directory { static create() {} } export class Iterator { next() {} }`,
    wifi: `const f = globalThis.__fake;
      export default class WiFi {
        static gotIP = 'gotIP';
        static accessPoint(o) { f.log.push('ap ' + o.ssid); }
        constructor(o, cb) { f.log.push('join ' + o.ssid); if (${opts.gotIP}) Promise.resolve().then(() => cb('gotIP')); }
        close() {}
      }`,
    http: `const f = globalThis.__fake; export class Server { static status = 2; static headersComplete = 4; static requestComplete = 6; static prepareResponse = 8; constructor(o) { f.log.push('server ' + o.port); f.server = this; } }`,
    ota: 'export default class OTA {}',
    'xsphone/rollback': 'export const pendingVerify = () => false; export const markValid = () => {}; export const rollback = () => {};',
    crypt: 'export class Digest {} export class BlockCipher {}',
    hmac: 'export default class HMAC {}',
    Resource: 'export default class Resource {}',
    'commodetto/parseBMF': 'export default () => ({ height: 16 });',
    'commodetto/Poco': `const f = globalThis.__fake; globalThis.screen = {};
      export default class Poco { width = 320; height = 240; makeColor() { return 0; } getTextWidth(s) { return s.length * 9; } begin() {} end() {} fillRectangle() {} drawText(s) { f.texts.push(s); } }`,
    'embedded:io/digitalbank': `const f = globalThis.__fake; export default class DigitalBank { static OutputOpenDrain = 1; static InputPullUp = 2; constructor() { f.log.push('keypad'); } write() {} read() { return 0xffffffff; } close() {} }`,
    'embedded:io/socket/listener': 'export default class Listener {}',
    'embedded:io/socket/tcp': 'export default class TCP {}',
    'embedded:io/socket/tcp/tls': 'export default class TLS {}',
    'embedded:io/socket/udp': `export default class UDP { static #port = 40000; constructor(o) { this.port = o.port || UDP.#port++; globalThis.__fake.log.push('udp ' + this.port); } write() {} read() {} close() {} }`,
    rng: 'export default { get: (n) => new Uint8Array(n).map((_, i) => (i * 37 + 11) & 255).buffer };',
    'embedded:io/audio/in': 'export default class AudioIn { constructor() {} read() { return 0; } close() {} }',
    'embedded:io/audio/out': 'export default class AudioOut { constructor() {} write() {} close() {} }',
    'embedded:network/dns/resolver/udp': 'export default class Resolver {}',
    'embedded:network/http/client': 'export default class HTTPClient { constructor() { globalThis.__fake.log.push("http"); } request() {} close() {} }',
  };
}

async function boot(opts: { ssid?: string; gotIP: boolean }) {
  const f: Record<string, any> = ((globalThis as any).__fake = { log: [], texts: [] });
  await loadWithFakes('hal/esp32/main.ts', fakes(opts));
  for (let i = 0; i < 20; i++) await Promise.resolve();
  return f;
}

test.serial('first boot without Wi-Fi credentials opens the set-up access point and says so', async (t) => {
  const f = await boot({ gotIP: false });
  t.deepEqual(f.log, ['ap xsphone-C020', 'server 80']);
  t.true(f.texts.some((s: string) => s.includes('192.168.4.1')));
});

test.serial('a saved network that never gives an address falls back to the set-up access point', async (t) => {
  const f = await boot({ ssid: 'Office', gotIP: false });
  t.deepEqual(f.log, ['join Office']);
  f.timers.tick(); // the join timeout
  for (let i = 0; i < 20; i++) await Promise.resolve();
  t.deepEqual(f.log.slice(1), ['ap xsphone-C020', 'server 80']);
  t.true(f.texts.includes('Wi-Fi failed:'));
});

test.serial('with Wi-Fi up the phone starts: keypad scanning, the idle screen, provisioning at boot', async (t) => {
  const f = await boot({ ssid: 'Office', gotIP: true });
  t.is(f.log[0], 'join Office');
  t.true(f.log.includes('keypad'));
  t.true(f.log.includes('udp 5060'), 'the SIP UDP socket is open on 5060');
  t.true(f.texts.includes('Ready'), JSON.stringify(f.texts));
  t.true(f.texts.includes('Redial'));
  t.true(f.log.includes('http'), 'provisioning fetch started at boot');
  t.false(f.log.includes('ap xsphone-C020'));
});
