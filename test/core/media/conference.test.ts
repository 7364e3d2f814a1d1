import test from 'ava';
import { mixConference } from '../../../src/media/conference.js';

test('three-way conference mix', (t) => {
  const mic = new Int16Array([100, 30000, -30000]);
  const a = new Int16Array([10, 10000, -10000]);
  const b = new Int16Array([1, 5000, -5000]);
  const toA = new Int16Array(3);
  const toB = new Int16Array(3);
  const speaker = new Int16Array(3);
  mixConference(mic, a, b, toA, toB, speaker);
  t.deepEqual(Array.from(toA), [101, 32767, -32768]);
  t.deepEqual(Array.from(toB), [110, 32767, -32768]);
  t.deepEqual(Array.from(speaker), [11, 15000, -15000]);
});
