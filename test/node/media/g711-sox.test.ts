import test from 'ava';
import { execFileSync } from 'node:child_process';
import { ALAW_DECODE, ULAW_DECODE, encodeAlaw, encodeUlaw, linearToAlaw, linearToUlaw } from '../../../src/media/g711.js';

// sox is the reference: every 16-bit input value and every code, converted by sox and by us, must agree.
// -D: no dither (sox would otherwise dither when reducing 16 bits to 13/14).
function sox(args: string[], input: Uint8Array): Uint8Array {
  return execFileSync('sox', ['-D', ...args], { input, maxBuffer: 1 << 20 });
}

const ALL = new Int16Array(65536);
for (let i = 0; i < 65536; i++) ALL[i] = i - 32768;
const ALL_BYTES = new Uint8Array(ALL.buffer);
const CODES = new Uint8Array(256);
for (let i = 0; i < 256; i++) CODES[i] = i;

for (const [name, encoding, encodeOne, encodeMany, decode] of [
  ['µ-law', 'u-law', linearToUlaw, encodeUlaw, ULAW_DECODE],
  ['A-law', 'a-law', linearToAlaw, encodeAlaw, ALAW_DECODE],
] as const) {
  test(`${name} encoding of all 65,536 samples matches sox`, (t) => {
    const ref = sox(['-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-', '-t', 'raw', '-e', encoding, '-'], ALL_BYTES);
    t.is(ref.length, 65536);
    const ours = new Uint8Array(65536);
    encodeMany(ALL, ours);
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) {
      if (ours[i] !== ref[i]) {
        if (mismatches++ < 5) t.log(`sample ${ALL[i]}: sox ${ref[i]} ours ${ours[i]}`);
      }
      if (encodeOne(ALL[i]!) !== ours[i]) mismatches++;
    }
    t.is(mismatches, 0);
  });

  test(`${name} decoding of all 256 codes matches sox`, (t) => {
    const ref = sox(['-t', 'raw', '-r', '8000', '-e', encoding, '-b', '8', '-c', '1', '-', '-t', 'raw', '-e', 'signed', '-b', '16', '-'], CODES);
    t.is(ref.length, 512);
    const pcm = new Int16Array(ref.buffer, ref.byteOffset, 256);
    t.deepEqual(Array.from(decode), Array.from(pcm));
  });
}
