/** hal/esp32 modules run on Node against stand-ins for Moddable's modules (see moddable-fakes.ts). */
import test from 'ava';
import type { KeyEvent } from '../../../hal/keypad.js';
import { FAKE_TIMER, loadWithFakes } from './moddable-fakes.js';

type Fake = Record<string, any>;
const fake = (): Fake => ((globalThis as any).__fake = {});

test.serial('keypad: the matrix scan turns a held key into one down and one up, and the hook into hook events', async (t) => {
  const f = fake();
  // Pressed keys as [row GPIO, column GPIO]; a column reads low while its row is driven low and the key is down.
  f.pressed = new Set<string>();
  f.banks = [];
  const mod = await loadWithFakes<any>('hal/esp32/keypad.ts', {
    timer: FAKE_TIMER,
    'mc/config': 'export default { keypad: {} };',
    'embedded:io/digitalbank': `
      const f = globalThis.__fake;
      export default class DigitalBank {
        static OutputOpenDrain = 'od'; static InputPullUp = 'pu';
        constructor(o) { this.o = o; this.value = 0xffffffff; f.banks.push(this); }
        write(v) { this.value = v; }
        read() {
          const rows = f.banks[0];
          let bits = this.o.pins;
          for (const k of f.pressed) {
            const [r, c] = k.split(',').map(Number);
            if (!((rows.value >>> (r & 31)) & 1)) bits &= ~(1 << (c & 31));
          }
          return bits >>> 0;
        }
        close() { this.closed = true; }
      }`,
  });
  let now = 0;
  const clock = { now: () => now, wallTime: () => 0, setTimer: () => 0, clearTimer: () => {} };
  const cfg = { rows: [13, 14], columns: [32, 33, 34], map: [['1', '2', '3'], ['ok', '', 'hook']], scanMs: 5, debounceMs: 20 };
  const kp = new mod.MatrixKeypad(clock, cfg);
  const events: KeyEvent[] = [];
  kp.start((e: KeyEvent) => events.push(e));
  t.is(f.banks[0].o.bank, 0);
  t.is(f.banks[1].o.bank, 1);
  t.is(f.banks[0].o.pins, (1 << 13) | (1 << 14));
  const scanFor = (ms: number) => {
    for (let i = 0; i < ms / 5; i++) {
      now += 5;
      f.timers.tick();
    }
  };
  f.pressed.add('13,33'); // key "2"
  scanFor(10);
  t.deepEqual(events, []); // still bouncing time
  scanFor(30);
  t.deepEqual(events, [{ type: 'down', key: '2' }]);
  f.pressed.delete('13,33');
  scanFor(40);
  t.deepEqual(events.slice(1), [{ type: 'up', key: '2' }]);
  // A 10 ms bounce on "ok" gives nothing.
  f.pressed.add('14,32');
  scanFor(10);
  f.pressed.delete('14,32');
  scanFor(40);
  t.is(events.length, 2);
  // Hook lifted and put back.
  t.false(kp.offHook());
  f.pressed.add('14,34');
  scanFor(40);
  t.true(kp.offHook());
  f.pressed.delete('14,34');
  scanFor(40);
  t.deepEqual(events.slice(2), [{ type: 'hook', offHook: true }, { type: 'hook', offHook: false }]);
  // Every scan leaves all rows released.
  t.is(f.banks[0].value, (1 << 13) | (1 << 14));
  kp.stop();
  t.true(f.banks[0].closed && f.banks[1].closed);
});

const OTA_FAKES = {
  system: 'globalThis.System = { restart() { globalThis.__fake.log.push("restart"); } };',
  preference: `const p = globalThis.__fake.prefs = new Map(); export default { set: (d, k, v) => p.set(d + '/' + k, v), get: (d, k) => p.get(d + '/' + k), delete: (d, k) => p.delete(d + '/' + k), keys: () => [] };`,
  ota: `
    const f = globalThis.__fake;
    export default class OTA {
      constructor(o) { f.log.push('begin ' + o.byteLength); this.n = 0; }
      write(b) { this.n += b.byteLength; f.log.push('write ' + b.byteLength); }
      cancel() { f.log.push('cancel'); }
      complete() { f.log.push('complete ' + this.n); }
    }`,
  'xsphone/rollback': `
    const f = globalThis.__fake;
    export const pendingVerify = () => f.trial;
    export const markValid = () => f.log.push('markValid');
    export const rollback = () => f.log.push('rollback');`,
};

test.serial('ota: the native complete (which switches the boot partition) runs only at activate()', async (t) => {
  const f = fake();
  f.log = [];
  f.trial = false;
  const { Esp32Ota } = await loadWithFakes<any>('hal/esp32/ota.ts', OTA_FAKES);
  const ota = new Esp32Ota('1.0.0');
  t.deepEqual(ota.running(), { version: '1.0.0', confirmed: true });
  const w = ota.begin(10, '2.0.0');
  w.write(new Uint8Array(6));
  t.throws(() => w.write(new Uint8Array(5)), { message: /larger than announced/ });
  t.throws(() => w.complete(), { message: /incomplete: 6 of 10/ });
  w.write(new Uint8Array(4));
  w.complete();
  t.deepEqual(f.log, ['begin 10', 'write 6', 'write 4']);
  ota.activate();
  t.deepEqual(f.log.slice(3), ['complete 10']);
  t.throws(() => ota.activate(), { message: /no completed image/ });
  ota.restart();
  t.deepEqual(f.log.slice(4), ['restart']);
  // A cancelled write never switches.
  f.log = [];
  const w2 = ota.begin(4, '2.0.1');
  w2.cancel();
  t.throws(() => ota.activate());
  t.deepEqual(f.log, ['begin 4', 'cancel']);
});

test.serial('ota: on trial, markGood marks the app valid natively and restart rolls back', async (t) => {
  const f = fake();
  f.log = [];
  f.trial = true;
  const { Esp32Ota } = await loadWithFakes<any>('hal/esp32/ota.ts', OTA_FAKES);
  const ota = new Esp32Ota('2.0.0');
  t.deepEqual(ota.running(), { version: '2.0.0', confirmed: false });
  t.throws(() => ota.begin(10, '3.0.0'), { message: /on trial/ });
  ota.restart();
  t.deepEqual(f.log, ['rollback', 'restart']);
  f.log = [];
  ota.markGood();
  t.deepEqual(f.log, ['markValid']);
});

test.serial('net: TCP writes wait for onWritable, split to the room offered, and every end is one onClose', async (t) => {
  const f = fake();
  f.sockets = [];
  const mod = await loadWithFakes<any>('hal/esp32/net.ts', {
    time: 'export default { ticks: 1234 };',
    net: 'export default { get: (w) => (w === "IP" ? "192.168.1.20" : undefined) };',
    'embedded:io/socket/listener': 'export default class Listener {}',
    'embedded:io/socket/udp': 'export default class UDP {}',
    'embedded:io/socket/tcp/tls': 'export default class TLS {}',
    'embedded:io/socket/tcp': `
      const f = globalThis.__fake;
      export default class TCP {
        constructor(o) { this.o = o; this.written = []; f.sockets.push(this); }
        write(b) { this.written.push(Array.from(b)); }
        read() { return new Uint8Array([7, 8]).buffer; }
        close() { this.closed = true; }
      }`,
  });
  const net = new mod.Esp32Network();
  t.throws(() => net.connect({ address: 'pbx.example.com', port: 5060, onData() {}, onClose() {} }), { message: /dotted IPv4/ });
  const seen: string[] = [];
  const s = net.connect({
    address: '192.0.2.1',
    port: 5060,
    onConnect: () => seen.push('connect'),
    onData: (d: Uint8Array) => seen.push(`data ${Array.from(d)}`),
    onClose: (e?: Error) => seen.push(`close ${e ? e.message : 'clean'}`),
  });
  const sock = f.sockets[0];
  t.is(sock.o.nodelay, true);
  const buf = new Uint8Array([1, 2, 3, 4, 5]);
  s.write(buf);
  buf.fill(0); // the caller may reuse its buffer at once
  t.deepEqual(sock.written, []);
  sock.o.onWritable(3);
  t.deepEqual(seen, ['connect']);
  t.deepEqual(sock.written, [[1, 2, 3]]);
  sock.o.onWritable(100);
  t.deepEqual(sock.written, [[1, 2, 3], [4, 5]]);
  sock.o.onReadable(2);
  t.deepEqual(seen.slice(1), ['data 7,8']);
  s.close();
  t.true(sock.closed);
  sock.o.onError(); // the stack reports the end again: still one onClose
  t.deepEqual(seen.slice(2), ['close clean']);
  // A connection that never came up reports why.
  const seen2: string[] = [];
  net.connect({ address: '192.0.2.2', port: 5061, onData() {}, onClose: (e?: Error) => seen2.push(e?.message ?? 'clean') });
  f.sockets[1].o.onError();
  t.regex(seen2[0], /connection to 192\.0\.2\.2:5061 failed/);
  t.deepEqual(net.localAddresses(), ['192.168.1.20', '127.0.0.1']);
});

test.serial('storage: settings go to Preference in committed chunks, history to files', async (t) => {
  const f = fake();
  f.files = new Map<string, string>();
  const mod = await loadWithFakes<any>('hal/esp32/storage.ts', {
    'mc/config': 'export default { file: { root: "/lfs/" } };',
    preference: `const p = new Map(); globalThis.__fake.prefs = p; export default {
      set: (d, k, v) => p.set(d + '/' + k, v), get: (d, k) => p.get(d + '/' + k), delete: (d, k) => p.delete(d + '/' + k),
      keys: (d) => [...p.keys()].filter((x) => x.startsWith(d + '/')).map((x) => x.slice(d.length + 1)) };`,
    file: `
      const files = globalThis.__fake.files;
      export class File {
        constructor(path, write) { this.path = path; if (write) files.set(path, ''); else if (!files.has(path)) throw new Error('not found'); }
        read() { return files.get(this.path); }
        write(v) { files.set(this.path, files.get(this.path) + v); }
        close() {}
        static exists(p) { return files.has(p); }
        static delete(p) { return files.delete(p); }
        static rename(a, b) { if (!files.has(a)) return false; files.set(b, files.get(a)); files.delete(a); return true; }
      }
      export class Directory { static create() {} }
      export class Iterator {
        constructor(dir) { this.items = [...files.keys()].filter((p) => p.startsWith(dir)).map((p) => ({ name: p.slice(dir.length), length: 1 })); }
        next() { return this.items.shift(); }
      }`,
  });
  f.files.set('/lfs/xsphone/history.rec.tmp', 'half');
  const storage = new mod.DeviceStorage(mod.preferenceStorage(), new mod.FileRecordStorage());
  t.false(f.files.has('/lfs/xsphone/history.rec.tmp')); // a torn write is cleaned at start
  const big = JSON.stringify({ contacts: 'x'.repeat(9000) });
  storage.write('settings', big);
  storage.write('history', '[1,2,3]');
  t.is(storage.read('settings'), big);
  t.is(storage.read('history'), '[1,2,3]');
  t.is(f.prefs.get('xrc/settings'), '0:3');
  t.is(f.files.get('/lfs/xsphone/history.rec'), '[1,2,3]');
  t.deepEqual(storage.names().sort(), ['history', 'settings']);
  storage.write('settings', '{}');
  t.is(f.prefs.get('xrc/settings'), '1:1');
  t.false([...f.prefs.keys()].some((k: string) => k.startsWith('xr0')));
});

test.serial('audio: input assembles 20 ms frames from any read sizes into one reused buffer; output drops when full', async (t) => {
  const f = fake();
  f.ins = [];
  f.outs = [];
  const mod = await loadWithFakes<any>('hal/esp32/audio.ts', {
    'embedded:io/audio/in': `
      const f = globalThis.__fake;
      export default class AudioIn {
        constructor(o) { this.o = o; this.src = new Uint8Array(2000); for (let i = 0; i < 2000; i++) this.src[i] = i & 255; this.pos = 0; f.ins.push(this); }
        read(buf) { const n = Math.min(buf.length, this.src.length - this.pos); buf.set(this.src.subarray(this.pos, this.pos + n)); this.pos += n; return n; }
        start() { this.started = true; } stop() { this.stopped = true; } close() { this.closed = true; }
      }`,
    'embedded:io/audio/out': `
      const f = globalThis.__fake;
      export default class AudioOut {
        constructor(o) { this.o = o; this.writes = []; f.outs.push(this); }
        write(b) { this.writes.push(b.byteLength); } start() {} stop() {} close() {}
      }`,
  });
  const input = new mod.I2sAudioInput();
  const frames: number[][] = [];
  const buffers = new Set<Int16Array>();
  input.start((frame: Int16Array) => {
    buffers.add(frame);
    const bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
    frames.push([frame.length, bytes[0], bytes[319]]);
  });
  const ai = f.ins[0];
  t.deepEqual([ai.o.sampleRate, ai.o.bitsPerSample, ai.o.channels], [8000, 16, 1]);
  ai.o.onReadable.call(ai, 100);
  t.is(frames.length, 0);
  ai.o.onReadable.call(ai, 700); // 800 bytes in all: two whole frames, 160 bytes pending
  t.deepEqual(frames, [[160, 0, 319 & 255], [160, 320 & 255, 639 & 255]]);
  ai.o.onReadable.call(ai, 160);
  t.is(frames.length, 3);
  t.is(buffers.size, 1);
  input.stop();
  t.true(ai.stopped && ai.closed);

  const out = new mod.I2sAudioOutput();
  const frame = new Int16Array(160);
  out.play(frame); // opened, but no room reported yet: dropped
  const ao = f.outs[0];
  t.deepEqual(ao.writes, []);
  ao.o.onWritable(700);
  out.play(frame);
  out.play(frame);
  out.play(frame); // only 60 bytes of room left: dropped
  t.deepEqual(ao.writes, [320, 320]);
});

test.serial('http: GET over the ECMA-419 HTTP client (TLS socket for https), chunks, status, size, one onDone', async (t) => {
  const f = fake();
  f.clients = [];
  const mod = await loadWithFakes<any>('hal/esp32/http.ts', {
    timer: FAKE_TIMER,
    net: 'export default { get: () => ["192.168.1.1"] };',
    'embedded:io/socket/tcp': 'export default class TCP {}',
    'embedded:io/socket/tcp/tls': 'export default class TLSSocket {}',
    'embedded:io/socket/udp': 'export default class UDP {}',
    'embedded:network/dns/resolver/udp': 'export default class Resolver {}',
    'embedded:network/http/client': `
      const f = globalThis.__fake;
      export default class HTTPClient {
        constructor(o) { this.o = o; f.clients.push(this); }
        request(r) { this.r = r; return r; }
        close() { this.closed = true; }
      }`,
  });
  const http = new mod.Esp32HttpClient();
  const got: string[] = [];
  http.get('https://updates.example.com:8443/fw/manifest.json?x=1', {
    onHead: (h: { status: number; size?: number }) => got.push(`head ${h.status} ${h.size}`),
    onChunk: (c: Uint8Array) => got.push(`chunk ${c.length}`),
    onDone: (e?: Error) => got.push(`done ${e ? e.message : 'ok'}`),
  });
  const c = f.clients[0];
  t.is(c.o.host, 'updates.example.com');
  t.is(c.o.port, 8443);
  t.is(c.o.socket.io.name, 'TLSSocket');
  t.is(c.o.socket.secure.serverName, 'updates.example.com');
  t.deepEqual(c.o.dns.servers, ['192.168.1.1']);
  t.is(c.r.path, '/fw/manifest.json?x=1');
  c.r.onHeaders.call(c.r, 200, new Map([['content-length', '5']]));
  c.r.read = (n: number) => new Uint8Array(n).buffer;
  c.r.onReadable.call(c.r, 3);
  c.r.onReadable.call(c.r, 2);
  c.r.onDone.call(c.r, null);
  c.r.onDone.call(c.r, null);
  t.deepEqual(got, ['head 200 5', 'chunk 3', 'chunk 2', 'done ok']);
  t.true(c.closed);

  // Plain http, then silence: the idle timer ends it with a reason.
  const got2: string[] = [];
  http.get('http://10.0.0.5/xsphone.json', { onDone: (e?: Error) => got2.push(e ? e.message : 'ok') }, { idleTimeoutMs: 1000 });
  const c2 = f.clients[1];
  t.is(c2.o.socket.io.name, 'TCP');
  t.is(c2.o.port, 80);
  f.timers.tick();
  t.deepEqual(got2, ['http://10.0.0.5/xsphone.json: no answer for 1 s']);
  t.true(c2.closed);
});

test.serial('display: draws status, body lines and soft keys; an unchanged screen draws nothing', async (t) => {
  const f = fake();
  f.ops = [];
  const mod = await loadWithFakes<any>('hal/esp32/display.ts', {
    Resource: 'export default class Resource { constructor(p) { this.p = p; } }',
    'commodetto/parseBMF': 'export default () => ({ height: 16 });',
    'commodetto/Poco': `
      const f = globalThis.__fake;
      globalThis.screen = {};
      export default class Poco {
        width = 320; height = 240;
        makeColor(r, g, b) { return (r << 16) | (g << 8) | b; }
        getTextWidth(s) { return s.length * 9; }
        begin(x, y, w, h) { f.ops.push(['begin', x ?? 0, y ?? 0, w ?? this.width, h ?? this.height]); }
        end() {}
        fillRectangle() {}
        drawText(s) { f.ops.push(['text', s]); }
      }`,
  });
  const d = new mod.PocoDisplay();
  t.is(d.rows, 4);
  t.true(d.columns >= 30 && d.columns <= 50, String(d.columns));
  const screen = {
    status: { line: 'alice', registration: 'Registered', time: '14:05', icons: ['DND'] },
    lines: ['Ready', '', 'x'.repeat(200), ''],
    softKeys: ['Redial', '', 'DND', 'Menu'],
  };
  f.ops = [];
  d.render(screen);
  const texts = f.ops.filter((o: any[]) => o[0] === 'text').map((o: any[]) => o[1]);
  t.true(texts.includes('14:05') && texts.includes('Registered') && texts.includes('alice  DND'));
  t.true(texts.includes('Ready') && texts.includes('Redial') && texts.includes('Menu'));
  t.true(texts.includes('x'.repeat(d.columns)), 'long lines are cut to the columns');
  f.ops = [];
  d.render({ ...screen, lines: [...screen.lines] });
  t.deepEqual(f.ops, []);
  d.render({ ...screen, lines: ['Ready', 'Calling 100', screen.lines[2], ''] });
  const redrawn = f.ops.filter((o: any[]) => o[0] === 'begin');
  t.is(redrawn.length, 1, 'only the changed line');
  t.deepEqual(f.ops.filter((o: any[]) => o[0] === 'text').map((o: any[]) => o[1]), ['Calling 100']);
});

test.serial('clock: clearing a timer that fired or was cleared does nothing (Moddable Timer.clear would throw)', async (t) => {
  const f = fake();
  f.time = { ticks: 1000 };
  const mod = await loadWithFakes<any>('hal/esp32/clock.ts', {
    timer: FAKE_TIMER,
    time: 'const f = globalThis.__fake; export default { get ticks() { return f.time.ticks; }, delta(a, b) { return b - a; } };',
  });
  const clock = new mod.Esp32Clock();
  const fired: string[] = [];
  const a = clock.setTimer(10, () => fired.push('a'));
  const b = clock.setTimer(10, () => fired.push('b'));
  clock.clearTimer(b);
  f.timers.tick();
  t.deepEqual(fired, ['a']);
  t.notThrows(() => clock.clearTimer(a), 'a fired');
  t.notThrows(() => clock.clearTimer(b), 'b cleared before');
  f.time.ticks += 250;
  t.is(clock.now(), 250);
});
