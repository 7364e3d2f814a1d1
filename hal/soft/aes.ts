/**
 * AES block encryption (FIPS-197) with 128-, 192- or 256-bit keys, table-driven. Only the forward
 * direction exists: SRTP's AES-CM (and any CTR/GCM mode) never decrypts blocks.
 */

function xtime(b: number): number {
  return ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;
}

// The S-box and the four round tables are computed once at module load (build-time preload on the
// device, where they then live in flash) and never written afterwards.
function rotl8(x: number, s: number): number {
  return ((x << s) | (x >> (8 - s))) & 0xff;
}

const SBOX: Uint8Array = (() => {
  const sbox = new Uint8Array(256);
  // Walk the multiplicative group with generator 3: p runs over 3^i, q over its inverse 3^-i.
  let p = 1;
  let q = 1;
  do {
    p = p ^ xtime(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    sbox[p] = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63;
  } while (p !== 1);
  sbox[0] = 0x63;
  return sbox;
})();

const TE: Int32Array = (() => {
  const te = new Int32Array(1024);
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x];
    const s2 = xtime(s);
    const s3 = s2 ^ s;
    const t = (s2 << 24) | (s << 16) | (s << 8) | s3;
    te[x] = t;
    te[256 + x] = (t >>> 8) | (t << 24);
    te[512 + x] = (t >>> 16) | (t << 16);
    te[768 + x] = (t >>> 24) | (t << 8);
  }
  return te;
})();

const RCON = new Uint8Array([0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36]);

function subWord(w: number): number {
  return (SBOX[w >>> 24] << 24) | (SBOX[(w >>> 16) & 255] << 16) | (SBOX[(w >>> 8) & 255] << 8) | SBOX[w & 255];
}

/** One AES key with its expanded schedule; encryptBlock allocates nothing. */
export class Aes {
  readonly rounds: number;
  private readonly rk: Int32Array;

  constructor(key: Uint8Array) {
    const nk = key.length >> 2;
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new RangeError(`AES key must be 16, 24 or 32 bytes, not ${key.length}`);
    }
    this.rounds = nk + 6;
    const total = 4 * (this.rounds + 1);
    const rk = new Int32Array(total);
    for (let i = 0; i < nk; i++) {
      rk[i] = (key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3];
    }
    for (let i = nk; i < total; i++) {
      let t = rk[i - 1];
      if (i % nk === 0) {
        t = subWord((t << 8) | (t >>> 24)) ^ (RCON[i / nk - 1] << 24);
      } else if (nk > 6 && i % nk === 4) {
        t = subWord(t);
      }
      rk[i] = rk[i - nk] ^ t;
    }
    this.rk = rk;
  }

  /** Encrypts the 16 bytes at input[inOff..] into output[outOff..]; input and output may overlap exactly. */
  encryptBlock(input: Uint8Array, inOff: number, output: Uint8Array, outOff: number): void {
    const rk = this.rk;
    const te = TE;
    let s0 = ((input[inOff] << 24) | (input[inOff + 1] << 16) | (input[inOff + 2] << 8) | input[inOff + 3]) ^ rk[0];
    let s1 = ((input[inOff + 4] << 24) | (input[inOff + 5] << 16) | (input[inOff + 6] << 8) | input[inOff + 7]) ^ rk[1];
    let s2 = ((input[inOff + 8] << 24) | (input[inOff + 9] << 16) | (input[inOff + 10] << 8) | input[inOff + 11]) ^ rk[2];
    let s3 = ((input[inOff + 12] << 24) | (input[inOff + 13] << 16) | (input[inOff + 14] << 8) | input[inOff + 15]) ^ rk[3];
    let k = 4;
    for (let r = 1; r < this.rounds; r++, k += 4) {
      const t0 = te[s0 >>> 24] ^ te[256 + ((s1 >>> 16) & 255)] ^ te[512 + ((s2 >>> 8) & 255)] ^ te[768 + (s3 & 255)] ^ rk[k];
      const t1 = te[s1 >>> 24] ^ te[256 + ((s2 >>> 16) & 255)] ^ te[512 + ((s3 >>> 8) & 255)] ^ te[768 + (s0 & 255)] ^ rk[k + 1];
      const t2 = te[s2 >>> 24] ^ te[256 + ((s3 >>> 16) & 255)] ^ te[512 + ((s0 >>> 8) & 255)] ^ te[768 + (s1 & 255)] ^ rk[k + 2];
      const t3 = te[s3 >>> 24] ^ te[256 + ((s0 >>> 16) & 255)] ^ te[512 + ((s1 >>> 8) & 255)] ^ te[768 + (s2 & 255)] ^ rk[k + 3];
      s0 = t0;
      s1 = t1;
      s2 = t2;
      s3 = t3;
    }
    const sb = SBOX;
    const o0 = ((sb[s0 >>> 24] << 24) | (sb[(s1 >>> 16) & 255] << 16) | (sb[(s2 >>> 8) & 255] << 8) | sb[s3 & 255]) ^ rk[k];
    const o1 = ((sb[s1 >>> 24] << 24) | (sb[(s2 >>> 16) & 255] << 16) | (sb[(s3 >>> 8) & 255] << 8) | sb[s0 & 255]) ^ rk[k + 1];
    const o2 = ((sb[s2 >>> 24] << 24) | (sb[(s3 >>> 16) & 255] << 16) | (sb[(s0 >>> 8) & 255] << 8) | sb[s1 & 255]) ^ rk[k + 2];
    const o3 = ((sb[s3 >>> 24] << 24) | (sb[(s0 >>> 16) & 255] << 16) | (sb[(s1 >>> 8) & 255] << 8) | sb[s2 & 255]) ^ rk[k + 3];
    put(output, outOff, o0);
    put(output, outOff + 4, o1);
    put(output, outOff + 8, o2);
    put(output, outOff + 12, o3);
  }
}

function put(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = v >>> 16;
  out[off + 2] = v >>> 8;
  out[off + 3] = v;
}

/** A factory for allocation-free block ciphers, so SRTP can take the device's native AES instead. */
export interface BlockCipher {
  encryptBlock(input: Uint8Array, inOff: number, output: Uint8Array, outOff: number): void;
}
export type BlockCipherFactory = (key: Uint8Array) => BlockCipher;
export const softAes: BlockCipherFactory = (key) => new Aes(key);
