import { Aes, type BlockCipher } from '../../../hal/soft/aes.js';
import { Hmac } from '../../../hal/soft/hmac.js';
import { Sha1 } from '../../../hal/soft/sha1.js';

export type { BlockCipher } from '../../../hal/soft/aes.js';

/** An allocation-free MAC: start, feed ranges, write the full tag. */
export interface Mac {
  start(): Mac;
  update(data: Uint8Array, offset: number, length: number): Mac;
  finish(out: Uint8Array, outOffset: number): void;
}

/**
 * The two primitives SRTP runs per packet, injectable so a device can hand in native AES and
 * HMAC-SHA1 (Moddable's crypt) instead of the pure-TypeScript ones, which XS runs slowly.
 */
export interface SrtpPrimitives {
  blockCipher(key: Uint8Array): BlockCipher;
  hmacSha1(key: Uint8Array): Mac;
}

export const softPrimitives: SrtpPrimitives = {
  blockCipher: (key) => new Aes(key),
  hmacSha1: (key) => new Hmac(() => new Sha1(), key),
};
