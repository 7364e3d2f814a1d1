import type { StreamingDigest } from '../crypto.js';
import { Sha256 } from './sha256.js';

/** Streaming SHA-256 in plain TypeScript, for platforms whose Crypto has no createDigest. */
export function createSoftSha256(): StreamingDigest {
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
