import test from 'ava';
import { CHUNK_BYTES, ChunkedRecordStorage, MAX_CHUNKS, type KeyValueStore } from '../../../hal/esp32/chunked-records.js';

/** Preference in memory, with the ESP32 limits checked, and a power cut after a given number of changes. */
class FakePreference implements KeyValueStore {
  readonly data = new Map<string, Map<string, ArrayBuffer | string>>();
  changesLeft = Infinity;
  set(domain: string, key: string, value: ArrayBuffer | string): void {
    if (domain.length > 15 || key.length > 15) throw new Error('name too long');
    const size = typeof value === 'string' ? new TextEncoder().encode(value).length : value.byteLength;
    if (size > 4000) throw new Error('value too large');
    this.#tick();
    if (!this.data.has(domain)) this.data.set(domain, new Map());
    this.data.get(domain)!.set(key, typeof value === 'string' ? value : value.slice(0));
  }
  get(domain: string, key: string): unknown {
    return this.data.get(domain)?.get(key);
  }
  delete(domain: string, key: string): void {
    if (!this.data.get(domain)?.has(key)) return;
    this.#tick();
    this.data.get(domain)!.delete(key);
  }
  keys(domain: string): string[] {
    return [...(this.data.get(domain)?.keys() ?? [])];
  }
  #tick(): void {
    if (this.changesLeft-- <= 0) throw new Error('power cut');
  }
}

function text(n: number, seed: string): string {
  let s = '';
  while (s.length < n) s += `${seed}-é€-${s.length};`;
  return s.slice(0, n);
}

test('small and multi-chunk records round-trip, including multi-byte characters split across chunks', (t) => {
  const kv = new FakePreference();
  const s = new ChunkedRecordStorage(kv);
  s.write('settings', '{"a":1}');
  t.is(s.read('settings'), '{"a":1}');
  const big = text(CHUNK_BYTES * 3 + 17, 'x');
  s.write('contacts', big);
  t.is(s.read('contacts'), big);
  t.deepEqual(s.names().sort(), ['contacts', 'settings']);
  s.write('contacts', 'short');
  t.is(s.read('contacts'), 'short');
  s.remove('contacts');
  t.is(s.read('contacts'), undefined);
  t.deepEqual(s.names(), ['settings']);
  // No chunk of a removed record is left behind.
  t.false([...kv.data.values()].some((m) => m.has('contacts')));
});

test('names and sizes outside the limits throw', (t) => {
  const s = new ChunkedRecordStorage(new FakePreference());
  t.throws(() => s.write('a-name-that-is-too-long', 'x'), { message: /not a record name/ });
  t.throws(() => s.write('big', 'x'.repeat(CHUNK_BYTES * MAX_CHUNKS + 1)), { message: /at most/ });
});

test('a power cut at any point of a write leaves the old or the new value, never a mix', (t) => {
  const oldValue = text(CHUNK_BYTES * 2 + 5, 'old');
  const newValue = text(CHUNK_BYTES * 3 + 9, 'new');
  let sawOld = false;
  let sawNew = false;
  for (let cut = 0; cut < 60; cut++) {
    const kv = new FakePreference();
    new ChunkedRecordStorage(kv).write('rec', oldValue);
    kv.changesLeft = cut;
    try {
      new ChunkedRecordStorage(kv).write('rec', newValue);
    } catch {
      // power cut
    }
    kv.changesLeft = Infinity;
    const after = new ChunkedRecordStorage(kv).read('rec');
    t.true(after === oldValue || after === newValue, `cut after ${cut} changes`);
    if (after === oldValue) sawOld = true;
    else sawNew = true;
    // And the next write after the reboot works.
    const s = new ChunkedRecordStorage(kv);
    s.write('rec', 'again');
    t.is(s.read('rec'), 'again');
  }
  t.true(sawOld && sawNew);
});
