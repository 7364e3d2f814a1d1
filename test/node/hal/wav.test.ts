import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  WavError, alawToLinear, encodeWav, loadPhoneAudio, mulawToLinear, parseWav, readWavFile, resample, toPhoneAudio,
} from '../../../hal/host/wav.js';

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-wav-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Amplitude of the `freq` component of x (Goertzel), as a fraction of full scale 32768. */
function level(x: Int16Array, rate: number, freq: number, skip = 200): number {
  const s = x.subarray(skip, x.length - skip);
  let re = 0;
  let im = 0;
  for (let i = 0; i < s.length; i++) {
    re += s[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
    im -= s[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / s.length / 32768;
}

function rms(x: Int16Array, skip = 200): number {
  let sum = 0;
  for (let i = skip; i < x.length - skip; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / (x.length - 2 * skip)) / 32768;
}

function sine(rate: number, freq: number, seconds: number, amp: number, channels = 1, right?: (i: number) => number): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n * channels);
  for (let i = 0; i < n; i++) {
    const v = Math.round(amp * 32767 * Math.sin((2 * Math.PI * freq * i) / rate));
    out[i * channels] = v;
    if (channels === 2) out[i * 2 + 1] = right ? right(i) : v;
  }
  return out;
}

/** Builds a WAV image by hand from a format code, bit depth and raw data, with optional extra chunks before data. */
function rawWav(o: { format: number; channels: number; rate: number; bits: number; data: Uint8Array; before?: Uint8Array; dataSize?: number; extensible?: boolean }): Uint8Array {
  const fmtSize = o.extensible ? 40 : 16;
  const before = o.before ?? new Uint8Array(0);
  const out = new Uint8Array(12 + 8 + fmtSize + before.length + 8 + o.data.length);
  const dv = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  dv.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, fmtSize, true);
  dv.setUint16(20, o.extensible ? 0xfffe : o.format, true);
  dv.setUint16(22, o.channels, true);
  dv.setUint32(24, o.rate, true);
  dv.setUint32(28, (o.rate * o.channels * o.bits) / 8, true);
  dv.setUint16(32, (o.channels * o.bits) / 8, true);
  dv.setUint16(34, o.bits, true);
  if (o.extensible) {
    dv.setUint16(36, 22, true);
    dv.setUint16(38, o.bits, true);
    dv.setUint16(44, o.format, true); // first bytes of the sub-format GUID
  }
  let at = 20 + fmtSize;
  out.set(before, at);
  at += before.length;
  ascii(at, 'data');
  dv.setUint32(at + 4, o.dataSize ?? o.data.length, true);
  out.set(o.data, at + 8);
  return out;
}

test('16-bit 8 kHz mono round-trips unchanged and says so', (t) => {
  const x = sine(8000, 440, 0.5, 0.5);
  const wav = parseWav(encodeWav(x, 8000), 'a.wav');
  t.is(wav.sampleRate, 8000);
  t.is(wav.channels, 1);
  t.is(wav.bitsPerSample, 16);
  t.deepEqual(wav.samples, x);
  const p = toPhoneAudio(wav, 'a.wav');
  t.deepEqual(p.samples, x);
  t.is(p.message, 'a.wav: already 8000 Hz mono 16-bit PCM; 0.50 s');
});

test('44.1 kHz stereo: channels averaged, resampled, tone kept at its level and frequency', (t) => {
  // Left 1 kHz at half scale, right silent: the mono average is 1 kHz at quarter scale.
  const x = sine(44100, 1000, 1, 0.5, 2, () => 0);
  const p = toPhoneAudio(parseWav(encodeWav(x, 44100, 2), 'song.wav'), 'song.wav');
  t.is(p.samples.length, 8000);
  t.regex(p.message, /^song\.wav: converted 44100 Hz stereo 16-bit PCM to 8000 Hz mono 16-bit PCM: averaged 2 channels to mono, resampled 44100 Hz to 8000 Hz/);
  const at1k = level(p.samples, 8000, 1000);
  t.true(Math.abs(at1k - 0.25) < 0.01, `1 kHz level ${at1k}`);
  t.true(level(p.samples, 8000, 1100) < 0.005, 'energy is at 1 kHz, not beside it');
});

test('resampling passes the telephone band and removes what would alias', (t) => {
  for (const rate of [44100, 48000, 16000, 11025]) {
    const pass = resample(sine(rate, 3000, 0.5, 0.5), rate, 8000);
    t.true(level(pass, 8000, 3000) > 0.45, `${rate}: 3 kHz passes (${level(pass, 8000, 3000)})`);
    if (rate > 10000) {
      // 5 kHz (above the 4 kHz Nyquist of 8 kHz) would fold to 3 kHz without the low-pass.
      const stop = resample(sine(rate, 5000, 0.5, 0.5), rate, 8000);
      t.true(rms(stop) < 0.5 * 0.707 * 0.001, `${rate}: 5 kHz is at least 60 dB down (rms ${rms(stop)})`);
    }
  }
  // Upsampling keeps the tone too.
  const up = resample(sine(4000, 1000, 0.5, 0.5), 4000, 8000);
  t.is(up.length, 4000);
  t.true(Math.abs(level(up, 8000, 1000) - 0.5) < 0.02);
});

test('8-bit unsigned PCM, 22.05 kHz stereo', (t) => {
  const frames = 22050;
  const data = new Uint8Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    const v = 128 + Math.round(100 * Math.sin((2 * Math.PI * 500 * i) / 22050));
    data[i * 2] = v;
    data[i * 2 + 1] = v;
  }
  const wav = parseWav(rawWav({ format: 1, channels: 2, rate: 22050, bits: 8, data }), 'eight.wav');
  t.is(wav.bitsPerSample, 8);
  t.is(wav.samples[0], 0);
  const p = toPhoneAudio(wav, 'eight.wav');
  t.regex(p.message, /22050 Hz stereo 8-bit PCM .* decoded 8-bit PCM to 16-bit, averaged 2 channels/);
  t.true(Math.abs(level(p.samples, 8000, 500) - 100 / 128) < 0.02);
});

test('µ-law (7) and A-law (6) WAV files decode with G.711', (t) => {
  t.deepEqual([0x00, 0x80, 0xff, 0x0f].map(mulawToLinear), [-32124, 32124, 0, -16764]);
  t.deepEqual([0xd5, 0x55, 0xaa, 0x2a].map(alawToLinear), [8, -8, 32256, -32256]);
  const mu = parseWav(rawWav({ format: 7, channels: 1, rate: 8000, bits: 8, data: Uint8Array.of(0x00, 0x80, 0xff) }), 'mu.wav');
  t.is(mu.encoding, 'mulaw');
  t.deepEqual([...mu.samples], [-32124, 32124, 0]);
  const a = parseWav(rawWav({ format: 6, channels: 1, rate: 8000, bits: 8, data: Uint8Array.of(0xd5, 0x2a) }), 'a.wav');
  t.is(a.encoding, 'alaw');
  t.deepEqual([...a.samples], [8, -32256]);
  t.regex(toPhoneAudio(a, 'a.wav').message, /8000 Hz mono A-law .* decoded alaw to 16-bit/);
});

test('WAVE_FORMAT_EXTENSIBLE, odd-sized chunks before data, and float samples', (t) => {
  const pcm = new Uint8Array(new Int16Array([1000, -1000, 32767]).buffer);
  const ext = parseWav(rawWav({ format: 1, channels: 1, rate: 8000, bits: 16, data: pcm, extensible: true }), 'ext.wav');
  t.deepEqual([...ext.samples], [1000, -1000, 32767]);
  // A 3-byte LIST chunk is padded to 4 bytes.
  const list = Uint8Array.of(0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0);
  const odd = parseWav(rawWav({ format: 1, channels: 1, rate: 8000, bits: 16, data: pcm, before: list }), 'odd.wav');
  t.deepEqual([...odd.samples], [1000, -1000, 32767]);
  const f = new Uint8Array(new Float32Array([0.5, -1, 2]).buffer);
  const fl = parseWav(rawWav({ format: 3, channels: 1, rate: 8000, bits: 32, data: f }), 'float.wav');
  t.deepEqual([...fl.samples], [16384, -32768, 32767]);
});

test('truncated and unfinalized recordings are used with a warning', (t) => {
  const pcm = new Uint8Array(new Int16Array([1, 2, 3, 4]).buffer);
  const cut = parseWav(rawWav({ format: 1, channels: 1, rate: 8000, bits: 16, data: pcm, dataSize: 1000 }), 'cut.wav');
  t.deepEqual([...cut.samples], [1, 2, 3, 4]);
  t.regex(cut.warnings[0]!, /says 1000 bytes but only 8/);
  const zero = parseWav(rawWav({ format: 1, channels: 1, rate: 8000, bits: 16, data: pcm, dataSize: 0 }), 'zero.wav');
  t.deepEqual([...zero.samples], [1, 2, 3, 4]);
  t.regex(toPhoneAudio(zero, 'zero.wav').message, /warning: data size is 0/);
});

test('unusable files are rejected with the file name and the reason', (t) => {
  const dir = tempDir(t);
  const pcm = new Uint8Array(16);
  const cases: [string, Uint8Array | undefined, RegExp][] = [
    ['notes.txt', new TextEncoder().encode('this is not audio at all, just text'), /notes\.txt: not a WAV file \(no RIFF\/WAVE header\)/],
    ['tiny.wav', Uint8Array.of(0x52, 0x49), /tiny\.wav: not a WAV file \(only 2 bytes\)/],
    ['adpcm.wav', rawWav({ format: 2, channels: 1, rate: 8000, bits: 4, data: pcm }), /adpcm\.wav: unsupported encoding: MS ADPCM with 4 bits/],
    ['mp3.wav', rawWav({ format: 85, channels: 2, rate: 44100, bits: 16, data: pcm }), /unsupported encoding: MP3/],
    ['six.wav', rawWav({ format: 1, channels: 0, rate: 8000, bits: 16, data: pcm }), /0 channels is not supported/],
    ['nodata.wav', rawWav({ format: 1, channels: 1, rate: 8000, bits: 16, data: pcm }).subarray(0, 36), /nodata\.wav: no data chunk/],
    ['empty.wav', rawWav({ format: 1, channels: 1, rate: 8000, bits: 16, data: new Uint8Array(0) }), /no audio in the data chunk/],
    ['missing.wav', undefined, /missing\.wav: cannot read: ENOENT/],
  ];
  for (const [name, bytes, re] of cases) {
    const file = path.join(dir, name);
    if (bytes) writeFileSync(file, bytes);
    const e = t.throws(() => loadPhoneAudio(file), { instanceOf: WavError }, name);
    t.regex(e!.message, re, name);
    t.true(e!.message.startsWith(file), `${name}: message starts with the path`);
    t.is((e as WavError).file, file);
  }
  t.throws(() => readWavFile(dir), { instanceOf: WavError, message: /cannot read/ });
});
