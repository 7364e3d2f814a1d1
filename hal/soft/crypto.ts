import type { Crypto, DigestAlgorithm, StreamingDigest } from '../crypto.js';
import { Aes } from './aes.js';
import { ed25519Verify } from './ed25519.js';
import type { Hasher } from './hash.js';
import { Hmac } from './hmac.js';
import { Md5 } from './md5.js';
import { Sha1 } from './sha1.js';
import { Sha256 } from './sha256.js';
import { Sha512t256 } from './sha512.js';

function hasherFor(algorithm: DigestAlgorithm): () => Hasher {
  switch (algorithm) {
    case 'MD5':
      return () => new Md5();
    case 'SHA-1':
      return () => new Sha1();
    case 'SHA-256':
      return () => new Sha256();
    case 'SHA-512-256':
      return () => new Sha512t256();
  }
}

interface CachedKey {
  aes: Aes;
  /** The key bytes the schedule was built from: a caller that rewrites its key array gets a fresh schedule. */
  bytes: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The HAL Crypto in plain TypeScript, for XS where no native primitive is wired up. */
export class SoftCrypto implements Crypto {
  private readonly keys = new WeakMap<Uint8Array, CachedKey>();
  private readonly hashers = new Map<DigestAlgorithm, Hasher>();

  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    let h = this.hashers.get(algorithm);
    if (!h) {
      h = hasherFor(algorithm)();
      this.hashers.set(algorithm, h);
    }
    const out = new Uint8Array(h.digestSize);
    h.reset().update(data).digestInto(out);
    return out;
  }

  createDigest(_algorithm: 'SHA-256'): StreamingDigest {
    const h = new Sha256();
    return {
      update: (data) => void h.update(data),
      final: () => {
        const out = new Uint8Array(32);
        h.digestInto(out);
        return out;
      },
    };
  }

  hmac(algorithm: 'SHA-1' | 'SHA-256', key: Uint8Array, data: Uint8Array): Uint8Array {
    return new Hmac(hasherFor(algorithm), key).mac(data);
  }

  /** Key schedules are cached per key array, so calling this per block costs no expansion and no allocation. */
  aesEncryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    let cached = this.keys.get(key);
    if (!cached || !sameBytes(cached.bytes, key)) {
      cached = { aes: new Aes(key), bytes: key.slice() };
      this.keys.set(key, cached);
    }
    if (input.length < 16 || output.length < 16) throw new RangeError('AES block must be 16 bytes');
    cached.aes.encryptBlock(input, 0, output, 0);
  }

  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    return ed25519Verify(publicKey, message, signature);
  }
}
