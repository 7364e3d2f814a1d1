import test from 'ava';
import { HostClock } from '../../../hal/host/clock.js';
import { HostRandom } from '../../../hal/host/random.js';

test('now() is monotonic and advances with real time', async (t) => {
  const clock = new HostClock();
  const a = clock.now();
  let prev = a;
  for (let i = 0; i < 10_000; i++) {
    const n = clock.now();
    t.true(n >= prev);
    prev = n;
  }
  await new Promise((r) => setTimeout(r, 30));
  const b = clock.now();
  t.true(b - a >= 25 && b - a < 2000, `elapsed ${b - a}`);
});

test('wallTime() is Unix epoch milliseconds', (t) => {
  const clock = new HostClock();
  t.true(Math.abs(clock.wallTime() - Date.now()) < 50);
});

test('timers fire once, in order, not before their time; cleared timers never fire', async (t) => {
  const clock = new HostClock();
  const fired: string[] = [];
  const start = clock.now();
  let at40 = 0;
  clock.setTimer(40, () => {
    fired.push('40');
    at40 = clock.now() - start;
  });
  clock.setTimer(10, () => fired.push('10'));
  const h = clock.setTimer(20, () => fired.push('cleared'));
  clock.clearTimer(h);
  clock.clearTimer(h); // clearing twice is harmless
  const h2 = clock.setTimer(0, () => fired.push('0'));
  await new Promise((r) => setTimeout(r, 100));
  clock.clearTimer(h2); // clearing a fired timer is harmless
  t.deepEqual(fired, ['0', '10', '40']);
  t.true(at40 >= 39, `fired at ${at40}`);
});

test('unref timers do not keep the clock from being dropped (handle still clearable)', async (t) => {
  const clock = new HostClock({ unref: true });
  let fired = false;
  clock.setTimer(5, () => (fired = true));
  await new Promise((r) => setTimeout(r, 30));
  t.true(fired);
});

test('random fills the whole buffer with varying bytes', (t) => {
  const r = new HostRandom();
  const a = new Uint8Array(64);
  const b = new Uint8Array(64);
  t.is(r.fill(a), a);
  r.fill(b);
  t.notDeepEqual(a, b);
  // 64 random bytes all zero has probability 2^-512.
  t.true(a.some((x) => x !== 0));
  const counts = new Uint32Array(256);
  const big = r.fill(new Uint8Array(65536));
  for (const x of big) counts[x]!++;
  t.true(counts.every((c) => c > 128 && c < 400), 'roughly uniform');
});

test('random: small requests served from the pool never repeat bytes across refills, and are uniform', (t) => {
  const r = new HostRandom();
  const counts = new Uint32Array(256);
  const seen = new Set<string>();
  // 10 bytes at a time, well past several 4 KB pool refills
  for (let i = 0; i < 6000; i++) {
    const d = new Uint8Array(10);
    t.is(r.fill(d), d);
    let key = '';
    for (const x of d) {
      counts[x]!++;
      key += String.fromCharCode(x);
    }
    seen.add(key);
  }
  t.is(seen.size, 6000, '80-bit draws all distinct');
  t.true(counts.every((c) => c > 120 && c < 360), 'roughly uniform');
  const empty = new Uint8Array(0);
  t.is(r.fill(empty), empty);
});
