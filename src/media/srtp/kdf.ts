import type { BlockCipherFactory } from '../../../hal/soft/aes.js';
import { AesCm } from './aes-cm.js';

/** Key derivation labels (RFC 3711 §4.3.2). */
export const LABEL = {
  rtpEncryption: 0x00,
  rtpAuth: 0x01,
  rtpSalt: 0x02,
  rtcpEncryption: 0x03,
  rtcpAuth: 0x04,
  rtcpSalt: 0x05,
} as const;

export interface SessionKeys {
  rtpKey: Uint8Array;
  rtpSalt: Uint8Array;
  rtpAuth: Uint8Array;
  rtcpKey: Uint8Array;
  rtcpSalt: Uint8Array;
  rtcpAuth: Uint8Array;
}

/**
 * The AES-CM PRF of RFC 3711 §4.3.1 with key_derivation_rate 0 (so r = 0): the keystream under the
 * master key, starting at IV = (master_salt ⊕ label·2^48)·2^16, truncated to `length` bytes.
 */
export function deriveKey(master: AesCm, masterSalt: Uint8Array, label: number, length: number): Uint8Array {
  const iv = new Uint8Array(16);
  iv.set(masterSalt.subarray(0, 14));
  iv[7] ^= label;
  const out = new Uint8Array(length);
  master.xorWithIv(iv, out, 0, length);
  return out;
}

export function deriveSessionKeys(
  cipher: BlockCipherFactory,
  masterKey: Uint8Array,
  masterSalt: Uint8Array,
  keyLength = 16,
  saltLength = 14,
): SessionKeys {
  // The master AesCm ignores its own salt: deriveKey passes the full counter block.
  const prf = new AesCm(cipher(masterKey), new Uint8Array(14));
  return {
    rtpKey: deriveKey(prf, masterSalt, LABEL.rtpEncryption, keyLength),
    rtpAuth: deriveKey(prf, masterSalt, LABEL.rtpAuth, 20),
    rtpSalt: deriveKey(prf, masterSalt, LABEL.rtpSalt, saltLength),
    rtcpKey: deriveKey(prf, masterSalt, LABEL.rtcpEncryption, keyLength),
    rtcpAuth: deriveKey(prf, masterSalt, LABEL.rtcpAuth, 20),
    rtcpSalt: deriveKey(prf, masterSalt, LABEL.rtcpSalt, saltLength),
  };
}
