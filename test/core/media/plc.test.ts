import test from 'ava';
import { PLC_FRAME, Plc } from '../../../src/media/plc.js';

function sine(period: number, amp: number, start: number, n: number): Int16Array {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(amp * Math.sin((2 * Math.PI * (start + i)) / period));
  return x;
}

function correlation(a: Int16Array, b: Int16Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

function energy(a: Int16Array, from = 0, to = a.length): number {
  let e = 0;
  for (let i = from; i < to; i++) e += a[i]! * a[i]!;
  return e / (to - from);
}

function feed(plc: Plc, period: number, frames: number): void {
  for (let f = 0; f < frames; f++) {
    const x = sine(period, 8000, f * PLC_FRAME, PLC_FRAME);
    plc.good(x, 0);
  }
}

test('finds the pitch period of a voiced signal', (t) => {
  for (const period of [40, 57, 80, 113]) {
    const plc = new Plc();
    feed(plc, period, 10);
    plc.conceal(new Int16Array(PLC_FRAME), 0);
    t.is(plc.pitch, period, `period ${period}`);
  }
});

test('the first concealed frame continues the waveform', (t) => {
  const plc = new Plc();
  feed(plc, 50, 10);
  const out = new Int16Array(PLC_FRAME);
  plc.conceal(out, 0);
  const truth = sine(50, 8000, 10 * PLC_FRAME, PLC_FRAME);
  t.true(correlation(out, truth) > 0.95, `correlation ${correlation(out, truth)}`);
  t.true(energy(out) > 0.8 * energy(truth));
});

test('fades by 20 % per 10 ms after the first 10 ms and is silent after 60 ms', (t) => {
  const plc = new Plc();
  feed(plc, 64, 10);
  const frames: Int16Array[] = [];
  for (let f = 0; f < 8; f++) {
    const out = new Int16Array(PLC_FRAME);
    plc.conceal(out, 0);
    frames.push(out);
  }
  const rms = frames.map((f) => Math.sqrt(energy(f)));
  t.true(rms[0]! > 5000, `first frame rms ${rms[0]}`);
  for (let f = 1; f < 6; f++) t.true(rms[f]! < rms[f - 1]!, `frame ${f} quieter`);
  // frame 2 (20-30 ms) is attenuated to between 0.8 and 0.6
  t.true(rms[2]! / rms[0]! < 0.85 && rms[2]! / rms[0]! > 0.55, `ratio ${rms[2]! / rms[0]!}`);
  t.is(energy(frames[6]!), 0);
  t.is(energy(frames[7]!), 0);
  t.is(plc.erasedFrames, 8);
});

test('a good frame after a loss is cross-faded in, then passes unchanged', (t) => {
  const plc = new Plc();
  feed(plc, 50, 10);
  plc.conceal(new Int16Array(PLC_FRAME), 0);
  // the real signal comes back quieter than the synthetic continuation, so the blend shows
  const good = sine(50, 2000, 11 * PLC_FRAME, PLC_FRAME);
  const synthetic = sine(50, 8000, 11 * PLC_FRAME, PLC_FRAME);
  const copy = good.slice();
  plc.good(copy, 0);
  t.is(plc.erasedFrames, 0);
  // overlap = period / 4 = 12 samples: the head is blended, the rest untouched
  t.true(Math.abs(copy[1]! - synthetic[1]!) < Math.abs(copy[1]! - good[1]!));
  t.true(Math.abs(copy[10]! - good[10]!) < Math.abs(copy[10]! - synthetic[10]!));
  for (let i = 12; i < PLC_FRAME; i++) t.is(copy[i], good[i]);
  const next = sine(50, 8000, 12 * PLC_FRAME, PLC_FRAME);
  const copy2 = next.slice();
  plc.good(copy2, 0);
  t.deepEqual(copy2, next);
});

test('silence history conceals as silence', (t) => {
  const plc = new Plc();
  const out = new Int16Array(PLC_FRAME).fill(123);
  plc.conceal(out, 0);
  t.is(energy(out), 0);
});

test('a gap with known audio after it is bridged, joining that audio without a fade', (t) => {
  const plc = new Plc();
  feed(plc, 50, 10);
  // the signal changes level across the gap: 8000 before, 3000 after
  const future = sine(50, 3000, 12 * PLC_FRAME, PLC_FRAME);
  const a = new Int16Array(PLC_FRAME);
  const b = new Int16Array(PLC_FRAME);
  plc.concealBetween(a, 0, 160, 160, future, 0);
  plc.concealBetween(b, 0, 80, 160, future, 0);
  t.is(plc.erasedFrames, 2);
  // the waveform continues throughout, and its level moves from the past's to the future's
  const truthA = sine(50, 10000, 10 * PLC_FRAME, PLC_FRAME);
  const truthB = sine(50, 10000, 11 * PLC_FRAME, PLC_FRAME);
  t.true(correlation(a, truthA) > 0.99, `first half ${correlation(a, truthA)}`);
  t.true(correlation(b, truthB) > 0.98, `second half ${correlation(b, truthB)}`);
  const rmsA = Math.sqrt(energy(a));
  const rmsB = Math.sqrt(energy(b));
  t.true(rmsA > rmsB && rmsB > 3000 / Math.SQRT2 * 0.9, `${rmsA} > ${rmsB}`);
  // the last sample before the future is close to its continuation
  t.true(Math.abs(b[PLC_FRAME - 1]! - sine(50, 3000, 12 * PLC_FRAME - 1, 1)[0]!) < 600);
  const after = future.slice();
  plc.good(after, 0);
  t.deepEqual(after, future, 'no fade-in after a bridged gap');
});

test('a gap that ends inside the frame takes the real samples from there on', (t) => {
  const plc = new Plc();
  feed(plc, 64, 10);
  const future = sine(64, 8000, 10 * PLC_FRAME + 30, PLC_FRAME);
  const out = new Int16Array(PLC_FRAME);
  plc.concealBetween(out, 0, 30, 30, future, 0);
  for (let i = 30; i < PLC_FRAME; i++) t.is(out[i], future[i - 30]);
});
