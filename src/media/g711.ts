/**
 * ITU-T G.711 µ-law and A-law. Decoding reads 256-entry tables built once at module load;
 * encoding uses the segment arithmetic of the ITU reference quantizer on 14-bit (µ-law) or 13-bit (A-law)
 * input, rounded from 16-bit PCM as sox does, so the two agree code for code.
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

/** µ-law code of one 16-bit sample. */
export function linearToUlaw(sample: number): number {
  let v = (sample + 2) >> 2; // rounded to the 14-bit quantizer input
  let mask = 0xff;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  }
  if (v > 8159) v = 8159;
  v += 33;
  // Segment = position of the highest set bit above bit 5 (v is at most 0x2000 - 1 + 33 < 0x4000).
  let seg = 0;
  for (let r = v >> 6; r !== 0; r >>= 1) seg++;
  if (seg > 7) return 0x7f ^ mask;
  return (((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask) & 0xff;
}

/** A-law code of one 16-bit sample. */
export function linearToAlaw(sample: number): number {
  let v = (sample + 4) >> 3; // rounded to the 13-bit quantizer input
  let mask = 0xd5;
  if (v < 0) {
    v = -v - 1;
    mask = 0x55;
  }
  if (v > 0xfff) return 0x7f ^ mask;
  let seg = 0;
  for (let r = v >> 5; r !== 0; r >>= 1) seg++;
  const q = seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return ((seg << 4) | q) ^ mask;
}

/** Encodes count samples of pcm (from pcmOffset) as µ-law into out at offset. */
export function encodeUlaw(pcm: Int16Array, out: Uint8Array, offset = 0, count = pcm.length, pcmOffset = 0): void {
  for (let i = 0; i < count; i++) out[offset + i] = linearToUlaw(pcm[pcmOffset + i]!);
}

/** Encodes count samples of pcm (from pcmOffset) as A-law into out at offset. */
export function encodeAlaw(pcm: Int16Array, out: Uint8Array, offset = 0, count = pcm.length, pcmOffset = 0): void {
  for (let i = 0; i < count; i++) out[offset + i] = linearToAlaw(pcm[pcmOffset + i]!);
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
