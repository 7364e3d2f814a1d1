import test from 'ava';
import { Debouncer, pinMask, pressedColumns } from '../../../hal/esp32/debounce.js';

test('a clean press and release give one down and one up after the stable time', (t) => {
  const d = new Debouncer(4, 20);
  const events: string[] = [];
  for (let now = 0; now <= 100; now += 5) {
    const e = d.sample(2, now >= 10 && now < 60, now);
    if (e) events.push(`${e}@${now}`);
  }
  t.deepEqual(events, ['down@30', 'up@80']);
});

test('bounces shorter than the stable time produce no event', (t) => {
  const d = new Debouncer(1, 20);
  const raw = [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0];
  const events = raw.map((r, i) => d.sample(0, r === 1, i * 5)).filter(Boolean);
  t.deepEqual(events, []);
  t.false(d.pressed(0));
});

test('bouncing then settling pressed gives exactly one down', (t) => {
  const d = new Debouncer(1, 15);
  const raw = [1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1];
  const events = raw.map((r, i) => [d.sample(0, r === 1, i * 5), i * 5]).filter((x) => x[0]);
  t.deepEqual(events, [['down', 35]]);
  t.true(d.pressed(0));
});

test('keys debounce independently', (t) => {
  const d = new Debouncer(3, 10);
  const out: string[] = [];
  for (let now = 0; now <= 40; now += 5) {
    for (let k = 0; k < 3; k++) {
      const e = d.sample(k, k === 1 ? now >= 5 : false, now);
      if (e) out.push(`${k}:${e}@${now}`);
    }
  }
  t.deepEqual(out, ['1:down@15']);
});

test('column decoding: a pressed key pulls its pull-up column low', (t) => {
  const cols = [32 - 32 + 4, 5, 18];
  const out = new Uint8Array(3);
  t.deepEqual([...pressedColumns(pinMask(cols) & ~(1 << 5), cols, out)], [0, 1, 0]);
  t.deepEqual([...pressedColumns(pinMask(cols), cols, out)], [0, 0, 0]);
  t.is(pinMask([0, 31]), 0x80000001);
});
