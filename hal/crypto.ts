/** Hashes and ciphers the core needs, done natively on each platform. */
export type DigestAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-512-256';

export interface Crypto {
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: 'SHA-1' | 'SHA-256', key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-128/256 in ECB mode on exactly one 16-byte block: the primitive under SRTP's AES-CM. */
  aesEncryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void;
  /** Ed25519 signature check for signed updates. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
