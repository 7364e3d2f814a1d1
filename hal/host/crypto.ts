import { createCipheriv, createHash, createHmac, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Crypto, DigestAlgorithm, StreamingDigest } from '../crypto.js';

const NODE_DIGEST: Record<DigestAlgorithm, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

// DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) }.
const ED25519_SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** The HAL Crypto on Node: every primitive from node:crypto (OpenSSL). */
export class HostCrypto implements Crypto {
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
    return new Uint8Array(createHash(NODE_DIGEST[algorithm]).update(data).digest());
  }

  hmac(algorithm: 'SHA-1' | 'SHA-256', key: Uint8Array, data: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac(NODE_DIGEST[algorithm], key).update(data).digest());
  }

  createDigest(_algorithm: 'SHA-256'): StreamingDigest {
    const hash = createHash('sha256');
    return {
      update: (data) => void hash.update(data),
      final: () => new Uint8Array(hash.digest()),
    };
  }

  aesEncryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    const name = key.length === 16 ? 'aes-128-ecb' : key.length === 24 ? 'aes-192-ecb' : key.length === 32 ? 'aes-256-ecb' : '';
    if (!name) throw new RangeError(`AES key must be 16, 24 or 32 bytes, not ${key.length}`);
    const cipher = createCipheriv(name, key, null).setAutoPadding(false);
    const out = cipher.update(input.subarray(0, 16));
    output.set(out.subarray(0, 16));
  }

  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    let key: KeyObject;
    try {
      const der = new Uint8Array(ED25519_SPKI_PREFIX.length + 32);
      der.set(ED25519_SPKI_PREFIX);
      der.set(publicKey, ED25519_SPKI_PREFIX.length);
      key = createPublicKey({ key: Buffer.from(der.buffer, der.byteOffset, der.length), format: 'der', type: 'spki' });
    } catch {
      return false;
    }
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  }
}
