/** The SRTP crypto suites we speak (RFC 4568 §6.2), with their key, salt and tag sizes in bytes. */
export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

export interface SuiteParams {
  readonly keyLength: number;
  readonly saltLength: number;
  /** Auth tag on SRTP packets; SRTCP always uses 10 bytes for these suites (RFC 4568 §6.2.2). */
  readonly rtpTagLength: number;
  readonly rtcpTagLength: number;
}

export const SUITES: { readonly [S in SrtpSuite]: SuiteParams } = {
  AES_CM_128_HMAC_SHA1_80: { keyLength: 16, saltLength: 14, rtpTagLength: 10, rtcpTagLength: 10 },
  AES_CM_128_HMAC_SHA1_32: { keyLength: 16, saltLength: 14, rtpTagLength: 4, rtcpTagLength: 10 },
};

export function isSrtpSuite(name: string): name is SrtpSuite {
  return name === 'AES_CM_128_HMAC_SHA1_80' || name === 'AES_CM_128_HMAC_SHA1_32';
}

/** Master key material for one direction of one media stream. */
export interface SrtpKeys {
  readonly suite: SrtpSuite;
  readonly masterKey: Uint8Array;
  readonly masterSalt: Uint8Array;
  /** Master Key Identifier carried in every packet, when the SDES line asked for one. */
  readonly mki?: Uint8Array;
}
