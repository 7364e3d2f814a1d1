/**
 * ITU-T G.711 µ-law and A-law. Decoding reads 256-entry tables; encoding reads tables filled from the
 * segment arithmetic of the ITU reference quantizer on 14-bit (µ-law) or 13-bit (A-law) input, rounded
 * from 16-bit PCM as sox does, so the two agree code for code. All tables are built once at module load.
 */

/** 16-bit linear value of a µ-law code. */
function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** 16-bit linear value of an A-law code. */
function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function table(f: (code: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) t[i] = f(i);
  return t;
}

/** µ-law code → 16-bit PCM. Read-only. */
export const ULAW_DECODE: Int16Array = table(ulawToLinear);
/** A-law code → 16-bit PCM. Read-only. */
export const ALAW_DECODE: Int16Array = table(alawToLinear);

function segments(): Uint8Array {
  // SEGMENT[i] = bit length of i: the segment of a quantizer input once its low bits are shifted off
  const t = new Uint8Array(129);
  for (let i = 0; i < t.length; i++) {
    let seg = 0;
    for (let r = i; r !== 0; r >>= 1) seg++;
    t[i] = seg > 8 ? 8 : seg;
  }
  return t;
}
/** Segment lookup shared by both laws (replaces a bit-scan loop per sample). Read-only. */
const SEGMENT: Uint8Array = segments();

/** µ-law code of a 14-bit quantizer input v (-8192..8192), by the segment arithmetic. */
function ulawOf(v: number): number {
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > 8159) v = 8159;
  v += 33;
  // Segment = position of the highest set bit above bit 5 (v is at most 8159 + 33).
  const seg = SEGMENT[v >> 6]!;
  if (seg > 7) return 0x7f ^ mask;
  return (((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask) & 0xff;
}

/** A-law code of a 13-bit quantizer input v (-4096..4096). */
function alawOf(v: number): number {
  let mask = 0xd5;
  if (v < 0) {
    v = -v - 1;
    mask = 0x55;
  }
  if (v > 0xfff) return 0x7f ^ mask;
  const seg = SEGMENT[v >> 5]!;
  const q = seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return ((seg << 4) | q) ^ mask;
}

function encodeTable(size: number, of: (v: number) => number): Uint8Array {
  const t = new Uint8Array(size);
  const half = (size - 1) / 2;
  for (let i = 0; i < size; i++) t[i] = of(i - half);
  return t;
}

/**
 * Encoding tables indexed by the rounded quantizer input plus its offset: one lookup per sample
 * (16 KB + 8 KB, read-only; in flash on the device), several times cheaper in XS than the arithmetic.
 */
const ULAW_ENCODE: Uint8Array = encodeTable(16385, ulawOf);
const ALAW_ENCODE: Uint8Array = encodeTable(8193, alawOf);

/** µ-law code of one 16-bit sample (rounded to the 14-bit quantizer input, as sox does). */
export function linearToUlaw(sample: number): number {
  return ULAW_ENCODE[((sample + 2) >> 2) + 8192]!;
}

/** A-law code of one 16-bit sample (rounded to the 13-bit quantizer input). */
export function linearToAlaw(sample: number): number {
  return ALAW_ENCODE[((sample + 4) >> 3) + 4096]!;
}

/** Encodes count samples of pcm (from pcmOffset) as µ-law into out at offset. */
export function encodeUlaw(pcm: Int16Array, out: Uint8Array, offset = 0, count = pcm.length, pcmOffset = 0): void {
  const t = ULAW_ENCODE;
  for (let i = 0; i < count; i++) out[offset + i] = t[((pcm[pcmOffset + i]! + 2) >> 2) + 8192]!;
}

/** Encodes count samples of pcm (from pcmOffset) as A-law into out at offset. */
export function encodeAlaw(pcm: Int16Array, out: Uint8Array, offset = 0, count = pcm.length, pcmOffset = 0): void {
  const t = ALAW_ENCODE;
  for (let i = 0; i < count; i++) out[offset + i] = t[((pcm[pcmOffset + i]! + 4) >> 3) + 4096]!;
}

/** Decodes count µ-law codes from data at offset into pcm at pcmOffset. */
export function decodeUlaw(data: Uint8Array, offset: number, count: number, pcm: Int16Array, pcmOffset = 0): void {
  for (let i = 0; i < count; i++) pcm[pcmOffset + i] = ULAW_DECODE[data[offset + i]!]!;
}

/** Decodes count A-law codes from data at offset into pcm at pcmOffset. */
export function decodeAlaw(data: Uint8Array, offset: number, count: number, pcm: Int16Array, pcmOffset = 0): void {
  for (let i = 0; i < count; i++) pcm[pcmOffset + i] = ALAW_DECODE[data[offset + i]!]!;
}

/** The two G.711 laws, named as in SDP (PCMU payload type 0, PCMA 8). */
export type G711Law = 'pcmu' | 'pcma';

/** Encoded value of digital silence (what a silent microphone frame turns into). */
export function silenceCode(law: G711Law): number {
  return law === 'pcmu' ? 0xff : 0xd5;
}
