/** Hashes and ciphers the core needs, done natively on each platform. */
export type DigestAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-512-256';

/** An incremental hash: feed chunks as they arrive (an OTA image never fits in memory at once). */
export interface StreamingDigest {
  update(data: Uint8Array): void;
  /** The digest of everything fed so far; the object is spent afterwards. */
  final(): Uint8Array;
}

export interface Crypto {
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: 'SHA-1' | 'SHA-256', key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-128/256 in ECB mode on exactly one 16-byte block: the primitive under SRTP's AES-CM. */
  aesEncryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void;
  /** Ed25519 signature check for signed updates. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** Optional streaming SHA-256; callers fall back to hal/soft/sha256-stream.ts when absent. */
  createDigest?(algorithm: 'SHA-256'): StreamingDigest;
}
