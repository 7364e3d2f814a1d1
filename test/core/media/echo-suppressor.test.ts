import test from 'ava';
import { EchoSuppressor } from '../../../src/media/echo-suppressor.js';

const FRAME = 160;

/** Voiced, speech-like bursts: three harmonics of f0 under syllables of 120-360 ms with 60-240 ms pauses. */
function talker(f0: number, level: number, seed: number, seconds: number): Int16Array {
  const out = new Int16Array(seconds * 8000);
  let s = seed;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let i = 0;
  while (i < out.length) {
    const on = Math.floor((120 + 240 * rnd()) * 8);
    const amp = level * (0.5 + 0.5 * rnd());
    for (let k = 0; k < on && i < out.length; k++, i++) {
      const env = Math.sin((Math.PI * k) / on);
      const t = i / 8000;
      out[i] = Math.round(amp * env * (0.6 * Math.sin(2 * Math.PI * f0 * t) + 0.3 * Math.sin(4 * Math.PI * f0 * t) + 0.1 * Math.sin(6 * Math.PI * f0 * t)));
    }
    i += Math.floor((60 + 180 * rnd()) * 8);
  }
  return out;
}

/**
 * Runs the suppressor frame by frame: the speaker plays `far`; the microphone hears its echo (gain `echo`, after
 * 60 ms, and a reflection a quarter as loud after 100 ms), `near`, and a little noise.
 */
function run(couplingDb: number, echo: number, far: Int16Array, near: Int16Array): { es: EchoSuppressor; mic: Int16Array; sent: Int16Array } {
  const n = far.length;
  const mic = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const e = echo * ((i >= 480 ? far[i - 480]! : 0) + (i >= 800 ? far[i - 800]! : 0) / 4);
    mic[i] = Math.max(-32768, Math.min(32767, Math.round(e) + near[i]! + ((i * 7919) % 17) - 8));
  }
  const es = new EchoSuppressor({ couplingDb });
  const sent = mic.slice();
  for (let f = 0; f + FRAME <= n; f += FRAME) {
    es.near(sent.subarray(f, f + FRAME));
    es.far(far.subarray(f, f + FRAME));
  }
  return { es, mic, sent };
}

function energy(a: Int16Array, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += a[i]! * a[i]!;
  return e;
}

const dB = (ratio: number): number => 10 * Math.log10(ratio);
const silence = (seconds: number): Int16Array => new Int16Array(seconds * 8000);

test('far end alone: its echo is turned down by at least 25 dB, up to the device\'s coupling', (t) => {
  // Echo 20, 6 and 0 dB under what is played, on a device whose coupling is 0 dB at most.
  for (const echo of [0.1, 0.5, 0.8]) {
    const r = run(0, echo, talker(120, 8000, 1, 6), silence(6));
    const erle = dB(energy(r.mic, 0, r.mic.length) / energy(r.sent, 0, r.sent.length));
    t.true(erle >= 25, `echo gain ${echo}: ${erle.toFixed(1)} dB`);
    t.is(r.es.doubleTalkFrames, 0);
  }
});

test('near end alone: the microphone passes untouched', (t) => {
  const r = run(0, 0.5, silence(4), talker(210, 6000, 2, 4));
  t.deepEqual(r.sent, r.mic);
  t.is(r.es.suppressedFrames, 0);
});

test('double talk: a near end louder than the echo breaks in over the far end', (t) => {
  // Echo 6 dB under what is played (the device's coupling); the near end as loud as the far end.
  const far = talker(120, 8000, 3, 8);
  const near = silence(8);
  near.set(talker(210, 8000, 4, 6), 2 * 8000);
  const r = run(-6, 0.5, far, near);
  let active = 0;
  let passed = 0;
  for (let f = 2 * 8000; f + FRAME <= near.length; f += FRAME) {
    if (energy(near, f, f + FRAME) < FRAME * 1500 * 1500) continue; // the loud part of a syllable
    active++;
    // Passed: the second half of the frame (after the gain ramp) keeps at least half the near end's energy.
    if (energy(r.sent, f + FRAME / 2, f + FRAME) >= 0.5 * energy(near, f + FRAME / 2, f + FRAME)) passed++;
  }
  t.true(active > 50, `${active} frames of near-end speech`);
  t.true(passed / active >= 0.9, `${passed} of ${active} loud near-end frames passed`);
  // And while the near end pauses, the far end's echo is still turned down.
  t.true(r.es.suppressedFrames > 100, `${r.es.suppressedFrames} frames suppressed`);
});

test('no clicks: the gain moves over a frame, never in one step', (t) => {
  const es = new EchoSuppressor({ couplingDb: 0 });
  const loud = new Int16Array(FRAME).fill(8000);
  for (let i = 0; i < 10; i++) es.far(loud);
  const mic = new Int16Array(FRAME).fill(1000);
  es.near(mic);
  for (let i = 1; i < FRAME; i++) t.true(Math.abs(mic[i]! - mic[i - 1]!) <= 8, `step at ${i}: ${mic[i - 1]} -> ${mic[i]}`);
  t.is(mic[FRAME - 1], 30);
});
