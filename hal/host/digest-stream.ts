import { createHash } from 'node:crypto';
import type { Crypto, StreamingDigest } from '../crypto.js';

/** Streaming SHA-256 on node:crypto. */
export function createHostDigest(_algorithm: 'SHA-256'): StreamingDigest {
  const hash = createHash('sha256');
  return {
    update: (data) => void hash.update(data),
    final: () => new Uint8Array(hash.digest()),
  };
}

/** A Crypto with createDigest added (HostCrypto does not define it itself). */
export function withHostDigest(crypto: Crypto): Crypto {
  return Object.assign(Object.create(crypto) as Crypto, { createDigest: createHostDigest });
}
