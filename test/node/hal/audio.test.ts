import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WavAudioInput, WavAudioOutput, toneSamples } from '../../../hal/host/audio.js';
import { HostClock } from '../../../hal/host/clock.js';
import { WavError, encodeWav, readWavFile, writeWavFile } from '../../../hal/host/wav.js';
import { VirtualClock } from '../../../hal/virtual/clock.js';

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-audio-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function ramp(n: number): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => i + 1);
}

/** Starts input on a virtual clock and collects copies of the frames with the time each arrived. */
function collect(input: WavAudioInput, clock: VirtualClock) {
  const frames: { at: number; data: number[] }[] = [];
  const buffers = new Set<Int16Array>();
  input.start((f) => {
    buffers.add(f);
    frames.push({ at: clock.now(), data: [...f] });
  });
  return { frames, buffers };
}

test('frames of 160 samples every 20 ms on the HAL clock, one reused buffer', (t) => {
  const clock = new VirtualClock();
  const input = new WavAudioInput(clock, ramp(8000));
  const { frames, buffers } = collect(input, clock);
  clock.advance(19);
  t.is(frames.length, 0, 'the first frame comes after 20 ms of "capture"');
  clock.advance(1);
  t.is(frames.length, 1);
  clock.advance(180);
  t.is(frames.length, 10);
  t.deepEqual(frames.map((f) => f.at), [20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
  t.true(frames.every((f) => f.data.length === 160));
  t.deepEqual(frames[1]!.data.slice(0, 2), [161, 162]);
  t.is(frames[9]!.data[159], 1600);
  t.is(buffers.size, 1);
  input.stop();
  clock.advance(100);
  t.is(frames.length, 10, 'nothing after stop');
  t.is(clock.pending, 0);
});

test('loop wraps around the end seamlessly', (t) => {
  const clock = new VirtualClock();
  const { frames } = collect(new WavAudioInput(clock, ramp(250)), clock);
  clock.advance(80);
  const all = frames.flatMap((f) => f.data);
  t.deepEqual(all.slice(248, 253), [249, 250, 1, 2, 3]);
  t.deepEqual(all.slice(498, 503), [249, 250, 1, 2, 3]);
});

test("atEnd 'stop': the last frame is zero-padded, then onEnd once and no more frames", (t) => {
  const clock = new VirtualClock();
  let ended = 0;
  const input = new WavAudioInput(clock, ramp(400), { atEnd: 'stop', onEnd: () => ended++ });
  const { frames } = collect(input, clock);
  clock.advance(200);
  t.is(frames.length, 3);
  t.deepEqual(frames[2]!.data.slice(78, 82), [399, 400, 0, 0]);
  t.is(frames[2]!.data[159], 0);
  t.is(ended, 1);
  t.is(clock.pending, 0);
});

test("atEnd 'silence': zeros keep flowing after the end; rewind plays again", (t) => {
  const clock = new VirtualClock();
  let ended = 0;
  const input = new WavAudioInput(clock, ramp(320), { atEnd: 'silence', onEnd: () => ended++ });
  const { frames } = collect(input, clock);
  clock.advance(100);
  t.is(frames.length, 5);
  t.true(frames.slice(2).every((f) => f.data.every((s) => s === 0)));
  t.is(ended, 1);
  input.rewind();
  clock.advance(20);
  t.is(frames[5]!.data[0], 1);
});

test('stop from inside onFrame ends delivery; start again restarts the cadence', (t) => {
  const clock = new VirtualClock();
  const input = new WavAudioInput(clock, ramp(1000));
  let n = 0;
  input.start(() => {
    if (++n === 2) input.stop();
  });
  clock.advance(200);
  t.is(n, 2);
  t.is(clock.pending, 0);
  const times: number[] = [];
  input.start(() => times.push(clock.now()));
  clock.advance(45);
  t.deepEqual(times, [220, 240]);
});

test('paced by a real clock: about 50 frames per second', async (t) => {
  const clock = new HostClock();
  const input = WavAudioInput.tone(clock, [440]);
  let n = 0;
  const start = clock.now();
  input.start(() => n++);
  await new Promise((r) => setTimeout(r, 410));
  const expected = Math.floor((clock.now() - start) / 20);
  input.stop();
  // Late timers are caught up (up to 5 frames), so the count follows elapsed time even on a loaded machine.
  t.true(n >= expected - 6 && n <= expected, `${n} frames, ${expected} expected`);
});

test('tone samples have the asked frequency and level', (t) => {
  const x = toneSamples([1000], 100, 0.5);
  t.is(x.length, 800);
  t.is(x[0], 0);
  t.is(x[2], 16384); // sin(pi/2) at 1 kHz sampled at 8 kHz
  const dual = toneSamples([350, 440], 1000, 0.4);
  t.true(Math.max(...dual) <= Math.round(0.4 * 32767));
});

test('fromFile converts a 48 kHz stereo WAV and reports what it did; bad files fail with WavError', (t) => {
  const dir = tempDir(t);
  const n = 48000;
  const st = new Int16Array(n * 2);
  for (let i = 0; i < n; i++) st[i * 2] = st[i * 2 + 1] = Math.round(10000 * Math.sin((2 * Math.PI * 400 * i) / 48000));
  const file = path.join(dir, 'greeting.wav');
  writeWavFile(file, st, 48000, 2);
  const clock = new VirtualClock();
  const input = WavAudioInput.fromFile(clock, file, { atEnd: 'stop' });
  t.regex(input.message, /greeting\.wav: converted 48000 Hz stereo 16-bit PCM to 8000 Hz mono .*1\.00 s/);
  let frames = 0;
  let peak = 0;
  input.start((f) => {
    frames++;
    for (const s of f) peak = Math.max(peak, s);
  });
  clock.runAll(5000);
  t.is(frames, 50);
  t.true(peak > 9500 && peak < 10500, `peak ${peak}`);
  t.throws(() => WavAudioInput.fromFile(clock, path.join(dir, 'nope.wav')), { instanceOf: WavError, message: /nope\.wav: cannot read/ });
});

test('WavAudioOutput records frames into a WAV whose header is finalized on stop', (t) => {
  const file = path.join(tempDir(t), 'rec.wav');
  const out = new WavAudioOutput(file);
  const frame = new Int16Array(160);
  for (let k = 0; k < 10; k++) {
    for (let i = 0; i < 160; i++) frame[i] = k * 1000 - i;
    out.play(frame); // the caller reuses its buffer: the output must have copied it
  }
  t.is(out.samples, 1600);
  const before = readFileSync(file);
  t.is(before.readUInt32LE(40), 0, 'header not final before stop');
  out.stop();
  out.stop();
  out.play(frame); // ignored after stop
  const wav = readWavFile(file);
  t.deepEqual(wav.warnings, []);
  t.is(wav.sampleRate, 8000);
  t.is(wav.channels, 1);
  t.is(wav.samples.length, 1600);
  t.is(wav.samples[0], 0);
  t.is(wav.samples[159], -159);
  t.is(wav.samples[1599], 9000 - 159);
  const bytes = readFileSync(file);
  t.is(bytes.readUInt32LE(4), bytes.length - 8);
  t.is(bytes.readUInt32LE(40), 3200);
  t.deepEqual(new Uint8Array(bytes), encodeWav(wav.samples, 8000), 'byte-identical to a canonical WAV');
});

test('input to output: a played file comes back out sample for sample', (t) => {
  const dir = tempDir(t);
  const src = toneSamples([697, 1209], 200, 0.3); // DTMF "1"
  writeWavFile(path.join(dir, 'in.wav'), src, 8000);
  const clock = new VirtualClock();
  const input = WavAudioInput.fromFile(clock, path.join(dir, 'in.wav'), { atEnd: 'stop' });
  const output = new WavAudioOutput(path.join(dir, 'out.wav'));
  input.start((f) => output.play(f));
  clock.runAll(1000);
  output.stop();
  t.deepEqual(readWavFile(path.join(dir, 'out.wav')).samples, src);
});
