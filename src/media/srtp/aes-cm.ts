import type { BlockCipher } from '../../../hal/soft/aes.js';

/**
 * AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): IV = (salt·2^16) ⊕ (SSRC·2^64) ⊕ (index·2^16),
 * the low 16 bits counting blocks. One instance per session key; xor() allocates nothing.
 */
export class AesCm {
  private readonly iv = new Uint8Array(16);
  private readonly stream = new Uint8Array(16);

  constructor(
    private readonly cipher: BlockCipher,
    /** The 14-byte session salt. */
    private readonly salt: Uint8Array,
  ) {}

  /**
   * XORs the keystream for (ssrc, index) into buf[offset..offset+length). The 48-bit index is given
   * as its high 32 bits and low 16 bits (for SRTP: ROC and SEQ).
   */
  xor(buf: Uint8Array, offset: number, length: number, ssrc: number, indexHigh: number, indexLow: number): void {
    const iv = this.iv;
    const salt = this.salt;
    for (let i = 0; i < 14; i++) iv[i] = salt[i];
    iv[4] ^= ssrc >>> 24;
    iv[5] ^= ssrc >>> 16;
    iv[6] ^= ssrc >>> 8;
    iv[7] ^= ssrc;
    iv[8] ^= indexHigh >>> 24;
    iv[9] ^= indexHigh >>> 16;
    iv[10] ^= indexHigh >>> 8;
    iv[11] ^= indexHigh;
    iv[12] ^= indexLow >>> 8;
    iv[13] ^= indexLow;
    this.run(buf, offset, length);
  }

  /** XORs the keystream that starts at the given 16-byte counter block (bytes 14-15 count from there). */
  xorWithIv(iv: Uint8Array, buf: Uint8Array, offset: number, length: number): void {
    for (let i = 0; i < 14; i++) this.iv[i] = iv[i];
    this.run(buf, offset, length);
  }

  private run(buf: Uint8Array, offset: number, length: number): void {
    const iv = this.iv;
    const stream = this.stream;
    const end = offset + length;
    let counter = 0;
    for (let pos = offset; pos < end; counter++) {
      iv[14] = counter >>> 8;
      iv[15] = counter;
      this.cipher.encryptBlock(iv, 0, stream, 0);
      const n = end - pos < 16 ? end - pos : 16;
      for (let i = 0; i < n; i++) buf[pos + i] ^= stream[i];
      pos += n;
    }
  }
}
