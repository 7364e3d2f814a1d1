/** manifest.json for mcconfig: the pieces the phone needs, memory sizes, and a pin plan without collisions. */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYPAD_KEYS } from '../../../hal/keypad.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));

test('includes the Moddable manifests the phone uses', (t) => {
  const inc: string[] = manifest.include;
  for (const needed of [
    '$(MODDABLE)/modules/io/manifest.json',
    '$(MODULES)/io/audioin/manifest.json',
    '$(MODULES)/io/audioout/manifest.json',
    '$(MODULES)/network/wifi/manifest.json',
    '$(MODULES)/files/preference/manifest.json',
    '$(MODULES)/files/file/manifest_littlefs.json',
    '$(MODULES)/drivers/ili9341/manifest.json',
    '$(MODDABLE)/examples/manifest_commodetto.json',
    '$(MODULES)/crypt/digest/manifest.json',
    '$(MODULES)/data/text/encoder/manifest.json',
    '$(MODULES)/data/text/decoder/manifest.json',
  ])
    t.true(inc.includes(needed), needed);
  t.deepEqual(manifest.platforms.esp32.include, ['$(MODDABLE)/build/devices/esp32/modules/ota/manifest.json']);
  t.truthy(manifest.platforms['...'].error);
});

test('a fixed 154 KB XS heap (78,848-byte chunks + 4,928 slots) and main is the device boot module', (t) => {
  const c = manifest.creation;
  t.is(c.static, 0);
  t.deepEqual(c.chunk, { initial: 78848, incremental: 0 });
  t.deepEqual(c.heap, { initial: 4928, incremental: 0 });
  t.is(c.chunk.initial + c.heap.initial * 16, 157696);
  t.is(c.main, 'hal/esp32/main');
  t.true(fs.existsSync(path.join(ROOT, 'hal/esp32/main.ts')));
});

test('native module, sdkconfig and partition table exist where the manifest points', (t) => {
  t.true(fs.existsSync(path.join(ROOT, 'hal/esp32/native/rollback.js')));
  t.true(fs.existsSync(path.join(ROOT, 'hal/esp32/native/rollback.c')));
  t.regex(fs.readFileSync(path.join(ROOT, manifest.build.SDKCONFIGPATH, 'sdkconfig.defaults'), 'utf8'), /^CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y$/m);
  const parts = fs.readFileSync(path.join(ROOT, manifest.build.PARTITIONS_FILE), 'utf8');
  for (const p of ['ota_0', 'ota_1', 'otadata', 'nvs', 'storage']) t.regex(parts, new RegExp(`^${p},`, 'm'));
  // Partitions fit the 4 MB flash and do not overlap.
  const rows = parts.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').map((x) => x.trim()));
  let end = 0;
  for (const r of rows) {
    const off = Number(r[3]);
    const size = Number(r[4]);
    t.true(off >= end, `${r[0]} overlaps`);
    end = off + size;
  }
  t.true(end <= 0x400000);
});

test('keypad map uses known keys once each, the hook, and a rectangular matrix on one bank each', (t) => {
  const k = manifest.config.keypad;
  t.is(k.map.length, k.rows.length);
  for (const row of k.map) t.is(row.length, k.columns.length);
  const names: string[] = k.map.flat().filter((n: string) => n !== '');
  t.is(new Set(names).size, names.length);
  for (const n of names) t.true(n === 'hook' || (KEYPAD_KEYS as readonly string[]).includes(n), n);
  t.true(names.includes('hook'));
  for (const d of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'soft1', 'soft4', 'ok', 'back']) t.true(names.includes(d), d);
  t.true(k.rows.every((p: number) => p >> 5 === k.rows[0] >> 5));
  t.true(k.columns.every((p: number) => p >> 5 === k.columns[0] >> 5));
  // GPIOs 34-39 are inputs only: they cannot drive rows.
  t.false(k.rows.some((p: number) => p >= 34));
});

test('no GPIO is used twice across keypad, I2S and SPI display', (t) => {
  const d = manifest.defines;
  const k = manifest.config.keypad;
  const pins: Array<[string, number]> = [
    ...k.rows.map((p: number) => [`row ${p}`, p]),
    ...k.columns.map((p: number) => [`column ${p}`, p]),
    ['audioOut bck', d.audioOut.i2s.bck_pin],
    ['audioOut lr', d.audioOut.i2s.lr_pin],
    ['audioOut data', d.audioOut.i2s.dataout_pin],
    ['audioIn bck', d.audioIn.i2s.bck_pin],
    ['audioIn lr', d.audioIn.i2s.lr_pin],
    ['audioIn data', d.audioIn.i2s.datain],
    ['spi mosi', d.spi.mosi_pin],
    ['spi sck', d.spi.sck_pin],
    ['lcd cs', d.ili9341.cs_pin],
    ['lcd dc', d.ili9341.dc_pin],
    ['lcd rst', d.ili9341.rst_pin],
  ];
  const seen = new Map<number, string>();
  for (const [what, pin] of pins) {
    t.true(Number.isInteger(pin) && pin >= 0 && pin <= 39, what);
    t.false(seen.has(pin), `GPIO ${pin}: ${what} and ${seen.get(pin)}`);
    seen.set(pin, what);
    // 6-11 are the module's flash; 1 and 3 the console UART.
    t.false([1, 3, 6, 7, 8, 9, 10, 11].includes(pin), `${what} on GPIO ${pin}`);
  }
  t.not(d.audioIn.i2s.num, 0, 'microphone on its own I2S unit');
});
