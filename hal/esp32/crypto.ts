/**
 * The HAL Crypto on Moddable's crypt modules: Digest (MD5, SHA1, SHA256), HMAC, BlockCipher("AES").
 * Moddable has no Ed25519 and no SHA-512/256 (a SHA-512 with other initial values): those come from
 * hal/soft (pure TypeScript; Ed25519 verification runs once per update, so its speed does not matter).
 */
import { BlockCipher, Digest } from 'crypt';
import HMAC from 'hmac';
import type { Crypto, DigestAlgorithm, StreamingDigest } from '../crypto.js';
import { SoftCrypto } from '../soft/crypto.js';

const NATIVE: Partial<Record<DigestAlgorithm, string>> = { MD5: 'MD5', 'SHA-1': 'SHA1', 'SHA-256': 'SHA256' };

export class Esp32Crypto implements Crypto {
  readonly #soft = new SoftCrypto();
  /** One native digest object per algorithm, reset for each use (no allocation per SIP digest). */
  readonly #digests = new Map<string, Digest>();
  /** AES key schedules per key array, as SRTP calls this per 16-byte block. */
  readonly #ciphers = new WeakMap<Uint8Array, { cipher: BlockCipher; key: Uint8Array }>();
  /** BlockCipher takes ArrayBuffers only (no views): blocks go through these two, so nothing is allocated per block. */
  readonly #blockIn = new Uint8Array(16);
  readonly #blockOut = new Uint8Array(16);

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    const name = NATIVE[algorithm];
    if (!name) return this.#soft.digest(algorithm, data);
    let d = this.#digests.get(name);
    if (!d) {
      d = new Digest(name);
      this.#digests.set(name, d);
    }
    d.reset();
    d.write(data);
    return new Uint8Array(d.close());
  }

  hmac(algorithm: 'SHA-1' | 'SHA-256', key: Uint8Array, data: Uint8Array): Uint8Array {
    return new Uint8Array(new HMAC(new Digest(NATIVE[algorithm]!), key).process(data));
  }

  aesEncryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    let c = this.#ciphers.get(key);
    if (!c || !same(c.key, key)) {
      const copy = key.slice();
      c = { cipher: new BlockCipher('AES', copy.buffer), key: copy };
      this.#ciphers.set(key, c);
    }
    if (input.length < 16 || output.length < 16) throw new RangeError('AES block must be 16 bytes');
    this.#blockIn.set(input.subarray(0, 16));
    c.cipher.encrypt(this.#blockIn.buffer, this.#blockOut.buffer);
    output.set(this.#blockOut);
  }

  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    return this.#soft.ed25519Verify(publicKey, message, signature);
  }

  createDigest(_algorithm: 'SHA-256'): StreamingDigest {
    const d = new Digest('SHA256');
    return {
      update: (data) => d.write(data),
      final: () => new Uint8Array(d.close()),
    };
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
