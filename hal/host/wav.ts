import { readFileSync, writeFileSync } from 'node:fs';
import { SAMPLE_RATE } from '../audio.js';

/** A WAV file that cannot be used, with the file's name and the reason in the message. */
export class WavError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'WavError';
  }
}

export type WavEncoding = 'pcm' | 'float' | 'mulaw' | 'alaw';

/** A decoded WAV file: interleaved samples scaled to 16-bit, whatever the file's own format. */
export interface WavData {
  readonly sampleRate: number;
  readonly channels: number;
  /** Bits per sample in the file (8 for G.711). */
  readonly bitsPerSample: number;
  readonly encoding: WavEncoding;
  /** Interleaved samples, frames = samples.length / channels. */
  readonly samples: Int16Array;
  /** Tolerated defects (e.g. a data size past the end of the file, as a crashed recorder leaves). */
  readonly warnings: readonly string[];
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

/** G.711 µ-law byte to linear (ITU-T G.711, scaled to 16 bits). */
export function mulawToLinear(u: number): number {
  const v = ~u & 0xff;
  const t = (((v & 0x0f) << 3) + 0x84) << ((v & 0x70) >> 4);
  return v & 0x80 ? 0x84 - t : t - 0x84;
}

/** G.711 A-law byte to linear (ITU-T G.711, scaled to 16 bits). */
export function alawToLinear(a: number): number {
  const v = a ^ 0x55;
  const seg = (v & 0x70) >> 4;
  let t = (v & 0x0f) << 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return v & 0x80 ? t : -t;
}

/** Decodes a RIFF WAV file held in memory. `name` is only used in error messages. */
export function parseWav(bytes: Uint8Array, name: string): WavData {
  const fail = (reason: string): never => {
    throw new WavError(name, reason);
  };
  if (bytes.length < 12) fail(`not a WAV file (only ${bytes.length} bytes)`);
  const magic = fourcc(bytes, 0);
  if (magic === 'RIFX') fail('big-endian WAV (RIFX) is not supported');
  if (magic !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') fail('not a WAV file (no RIFF/WAVE header)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const warnings: string[] = [];
  let fmt: { format: number; channels: number; rate: number; blockAlign: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = fourcc(bytes, at);
    let size = dv.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'data' && size === 0 && body < bytes.length) {
      warnings.push('data size is 0 in the header (recording never finalized?); used the rest of the file');
      size = bytes.length - body;
    }
    if (body + size > bytes.length) {
      if (id !== 'data') fail(`chunk "${id}" runs past the end of the file (truncated file?)`);
      warnings.push(`data chunk says ${size} bytes but only ${bytes.length - body} are present; used those`);
      size = bytes.length - body;
    }
    if (id === 'fmt ') {
      if (size < 16) fail(`fmt chunk too short (${size} bytes)`);
      let format = dv.getUint16(body, true);
      if (format === FORMAT_EXTENSIBLE) {
        // The sub-format GUID starts with the plain format code.
        if (size < 40) fail('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
        format = dv.getUint16(body + 24, true);
      }
      fmt = {
        format,
        channels: dv.getUint16(body + 2, true),
        rate: dv.getUint32(body + 4, true),
        blockAlign: dv.getUint16(body + 12, true),
        bits: dv.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) fail('data chunk before the fmt chunk');
      data = bytes.subarray(body, body + size);
      break;
    }
    at = body + size + (size & 1); // chunks are padded to an even length
  }
  if (!fmt) return fail('no fmt chunk');
  if (!data) return fail('no data chunk');
  const { format, channels, rate, bits } = fmt;
  if (channels < 1 || channels > 8) fail(`${channels} channels is not supported (1 to 8)`);
  if (rate < 1000 || rate > 384_000) fail(`sample rate ${rate} Hz is not supported`);
  let encoding: WavEncoding;
  if (format === FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) encoding = 'pcm';
  else if (format === FORMAT_FLOAT && bits === 32) encoding = 'float';
  else if (format === FORMAT_MULAW && bits === 8) encoding = 'mulaw';
  else if (format === FORMAT_ALAW && bits === 8) encoding = 'alaw';
  else {
    const known: Record<number, string> = { 1: 'PCM', 2: 'MS ADPCM', 3: 'IEEE float', 6: 'A-law', 7: 'µ-law', 17: 'IMA ADPCM', 85: 'MP3' };
    return fail(`unsupported encoding: ${known[format] ?? `format code ${format}`} with ${bits} bits per sample (supported: PCM 8/16/24/32-bit, float 32-bit, µ-law, A-law)`);
  }
  const bytesPerSample = bits / 8;
  if (fmt.blockAlign !== bytesPerSample * channels) {
    fail(`block align ${fmt.blockAlign} does not match ${channels} channel(s) of ${bits} bits`);
  }
  const frames = Math.floor(data.length / fmt.blockAlign);
  if (frames * fmt.blockAlign !== data.length) warnings.push(`data ends with a partial frame; dropped ${data.length - frames * fmt.blockAlign} bytes`);
  const n = frames * channels;
  const out = new Int16Array(n);
  const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (encoding) {
    case 'pcm':
      if (bits === 8) for (let i = 0; i < n; i++) out[i] = (data[i]! - 128) << 8; // 8-bit WAV is unsigned
      else if (bits === 16) for (let i = 0; i < n; i++) out[i] = d.getInt16(i * 2, true);
      else if (bits === 24) for (let i = 0; i < n; i++) out[i] = d.getInt16(i * 3 + 1, true);
      else for (let i = 0; i < n; i++) out[i] = d.getInt32(i * 4, true) >> 16;
      break;
    case 'float':
      for (let i = 0; i < n; i++) out[i] = clamp16(d.getFloat32(i * 4, true) * 32768);
      break;
    case 'mulaw':
      for (let i = 0; i < n; i++) out[i] = mulawToLinear(data[i]!);
      break;
    case 'alaw':
      for (let i = 0; i < n; i++) out[i] = alawToLinear(data[i]!);
      break;
  }
  if (frames === 0) fail('no audio in the data chunk');
  return { sampleRate: rate, channels, bitsPerSample: bits, encoding, samples: out, warnings };
}

/** Reads and decodes a WAV file; every failure is a WavError naming the file. */
export function readWavFile(file: string): WavData {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new WavError(file, `cannot read: ${(e as Error).message}`);
  }
  return parseWav(bytes, file);
}

/** Encodes interleaved 16-bit samples as a PCM WAV file image. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const dv = new DataView(out.buffer);
  writeWavHeader(dv, sampleRate, channels, dataBytes);
  for (let i = 0; i < samples.length; i++) dv.setInt16(44 + i * 2, samples[i]!, true);
  return out;
}

export function writeWavFile(file: string, samples: Int16Array, sampleRate: number, channels = 1): void {
  writeFileSync(file, encodeWav(samples, sampleRate, channels));
}

/** Writes the canonical 44-byte header of a 16-bit PCM WAV with dataBytes of audio. */
export function writeWavHeader(dv: DataView, sampleRate: number, channels: number, dataBytes: number): void {
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) dv.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, FORMAT_PCM, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * channels * 2, true);
  dv.setUint16(32, channels * 2, true);
  dv.setUint16(34, 16, true);
  ascii(36, 'data');
  dv.setUint32(40, dataBytes, true);
}

function clamp16(x: number): number {
  const r = Math.round(x);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** Zero crossings of the sinc on each side, and kernel table points per input sample. */
const SINC_ZEROS = 24;
const TABLE_STEPS = 256;

/**
 * Band-limited resampling with a Blackman-windowed sinc. The cut-off sits at 45% of the lower of the
 * two rates, so a 44.1 kHz file brought to 8 kHz keeps the telephone band and drops what would alias.
 */
export function resample(input: Float32Array | Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) {
    const out = new Int16Array(input.length);
    for (let i = 0; i < input.length; i++) out[i] = clamp16(input[i]!);
    return out;
  }
  const fc = (0.45 * Math.min(fromRate, toRate)) / fromRate; // cut-off in cycles per input sample
  const half = SINC_ZEROS / (2 * fc); // kernel half-width in input samples
  const size = Math.ceil(half * TABLE_STEPS) + 2;
  const table = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const x = i / TABLE_STEPS;
    if (x >= half) break;
    const s = x === 0 ? 1 : Math.sin(2 * Math.PI * fc * x) / (2 * Math.PI * fc * x);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
    table[i] = 2 * fc * s * w;
  }
  const kernel = (x: number): number => {
    const p = Math.abs(x) * TABLE_STEPS;
    const i = Math.floor(p);
    if (i + 1 >= size) return 0;
    const f = p - i;
    return table[i]! * (1 - f) + table[i + 1]! * f;
  };
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  for (let n = 0; n < outLength; n++) {
    const t = n * step;
    const lo = Math.max(0, Math.ceil(t - half));
    const hi = Math.min(input.length - 1, Math.floor(t + half));
    let acc = 0;
    for (let k = lo; k <= hi; k++) acc += input[k]! * kernel(t - k);
    out[n] = clamp16(acc);
  }
  return out;
}

/** 8 kHz 16-bit mono samples ready for the phone, and a sentence saying what was done to get them. */
export interface PhoneAudio {
  readonly samples: Int16Array;
  readonly message: string;
}

function describe(w: WavData): string {
  const ch = w.channels === 1 ? 'mono' : w.channels === 2 ? 'stereo' : `${w.channels}-channel`;
  const enc = w.encoding === 'pcm' ? `${w.bitsPerSample}-bit PCM` : w.encoding === 'float' ? '32-bit float' : w.encoding === 'mulaw' ? 'µ-law' : 'A-law';
  return `${w.sampleRate} Hz ${ch} ${enc}`;
}

/** Converts decoded audio to the phone's format: channels averaged, resampled to 8 kHz, 16-bit. */
export function toPhoneAudio(wav: WavData, name: string): PhoneAudio {
  const { channels, sampleRate } = wav;
  const steps: string[] = [];
  if (wav.encoding !== 'pcm' || wav.bitsPerSample !== 16) steps.push(`decoded ${wav.encoding === 'pcm' ? `${wav.bitsPerSample}-bit PCM` : wav.encoding} to 16-bit`);
  const frames = wav.samples.length / channels;
  let samples: Int16Array;
  if (channels === 1 && sampleRate === SAMPLE_RATE) {
    samples = wav.samples;
  } else {
    let mono: Float32Array | Int16Array = wav.samples;
    if (channels > 1) {
      const m = new Float32Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += wav.samples[f * channels + c]!;
        m[f] = sum / channels;
      }
      mono = m;
      steps.push(`averaged ${channels} channels to mono`);
    }
    samples = resample(mono, sampleRate, SAMPLE_RATE);
    if (sampleRate !== SAMPLE_RATE) steps.push(`resampled ${sampleRate} Hz to ${SAMPLE_RATE} Hz (windowed-sinc low-pass at ${Math.round(0.45 * Math.min(sampleRate, SAMPLE_RATE))} Hz)`);
  }
  const seconds = (samples.length / SAMPLE_RATE).toFixed(2);
  const what = steps.length ? `converted ${describe(wav)} to 8000 Hz mono 16-bit PCM: ${steps.join(', ')}` : 'already 8000 Hz mono 16-bit PCM';
  const warn = wav.warnings.length ? ` (warning: ${wav.warnings.join('; ')})` : '';
  return { samples, message: `${name}: ${what}; ${seconds} s${warn}` };
}

/** Reads any supported WAV file and converts it to 8 kHz 16-bit mono. */
export function loadPhoneAudio(file: string): PhoneAudio {
  return toPhoneAudio(readWavFile(file), file);
}
