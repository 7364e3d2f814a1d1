import type { Random } from '../../../hal/random.js';
import { base64Decode, base64Encode } from './base64.js';
import { SUITES, isSrtpSuite, type SrtpKeys, type SrtpSuite } from './suite.js';

/** One `a=crypto` line (RFC 4568 §9.1) as text: what SDP keeps, whatever the suite. */
export interface CryptoLine {
  tag: number;
  suite: string;
  /** Key parameters, `inline:...` separated by ';'. */
  keyParams: string;
  /** Session parameters (e.g. UNENCRYPTED_SRTP, KDR=...), kept verbatim. */
  sessionParams: string[];
}

/** A decoded crypto line for a suite we implement. */
export interface SdesKey {
  tag: number;
  suite: SrtpSuite;
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** Lifetime in packets, if given. */
  lifetime?: number;
  mki?: { value: number; length: number };
}

export class SdesError extends Error {
  override get name(): string {
    return 'SdesError';
  }
}

/** Parses the value after `a=crypto:` into its text fields. */
export function parseCryptoLine(value: string): CryptoLine {
  const parts = value.trim().split(/[ \t]+/);
  if (parts.length < 3) throw new SdesError(`crypto attribute needs tag, suite and key params: "${value}"`);
  const tag = Number(parts[0]);
  if (!/^[0-9]{1,9}$/.test(parts[0])) throw new SdesError(`crypto tag is not a number: "${parts[0]}"`);
  return { tag, suite: parts[1], keyParams: parts[2], sessionParams: parts.slice(3) };
}

export function formatCryptoLine(c: CryptoLine): string {
  return [String(c.tag), c.suite, c.keyParams, ...c.sessionParams].join(' ');
}

/**
 * Decodes the key of a crypto line we can use. Only the first key param is taken (multiple keys
 * are for MKI-based rekeying, which we do not do); session parameters we do not implement (KDR
 * other than 0, UNENCRYPTED_*, FEC_*) make the line unusable, as §6.3 says to reject the line.
 */
export function decodeSdesKey(c: CryptoLine): SdesKey {
  if (!isSrtpSuite(c.suite)) throw new SdesError(`unsupported crypto suite ${c.suite}`);
  for (const p of c.sessionParams) {
    if (p !== 'KDR=0') throw new SdesError(`unsupported crypto session parameter ${p}`);
  }
  const first = c.keyParams.split(';')[0];
  if (!first.startsWith('inline:')) throw new SdesError(`key method must be inline: "${first}"`);
  const fields = first.slice(7).split('|');
  const material = base64Decode(fields[0]);
  const { keyLength, saltLength } = SUITES[c.suite];
  if (!material || material.length !== keyLength + saltLength) {
    throw new SdesError(`${c.suite} key must be ${keyLength + saltLength} base64-encoded bytes`);
  }
  const key: SdesKey = {
    tag: c.tag,
    suite: c.suite,
    masterKey: material.slice(0, keyLength),
    masterSalt: material.slice(keyLength),
  };
  for (const field of fields.slice(1)) {
    const mki = /^([0-9]+):([0-9]+)$/.exec(field);
    if (mki) {
      const length = Number(mki[2]);
      if (length < 1 || length > 128) throw new SdesError(`bad MKI length ${length}`);
      key.mki = { value: Number(mki[1]), length };
      continue;
    }
    const life = /^(?:2\^([0-9]+)|([0-9]+))$/.exec(field);
    if (!life) throw new SdesError(`bad key parameter field "${field}"`);
    key.lifetime = life[1] !== undefined ? 2 ** Number(life[1]) : Number(life[2]);
  }
  return key;
}

export function encodeSdesKey(key: SdesKey): CryptoLine {
  const material = new Uint8Array(key.masterKey.length + key.masterSalt.length);
  material.set(key.masterKey);
  material.set(key.masterSalt, key.masterKey.length);
  let inline = 'inline:' + base64Encode(material);
  if (key.lifetime !== undefined) {
    const exp = Math.log2(key.lifetime);
    inline += '|' + (Number.isInteger(exp) ? `2^${exp}` : String(key.lifetime));
  }
  if (key.mki) inline += `|${key.mki.value}:${key.mki.length}`;
  return { tag: key.tag, suite: key.suite, keyParams: inline, sessionParams: [] };
}

/** A fresh random master key and salt for one suite. */
export function generateSdesKey(tag: number, suite: SrtpSuite, random: Random): SdesKey {
  const { keyLength, saltLength } = SUITES[suite];
  const material = random.fill(new Uint8Array(keyLength + saltLength));
  return { tag, suite, masterKey: material.slice(0, keyLength), masterSalt: material.slice(keyLength) };
}

/** The SrtpContext input for a decoded key: the MKI value becomes its big-endian byte string. */
export function srtpKeysOf(key: SdesKey): SrtpKeys {
  if (!key.mki) return { suite: key.suite, masterKey: key.masterKey, masterSalt: key.masterSalt };
  const mki = new Uint8Array(key.mki.length);
  let v = key.mki.value;
  for (let i = key.mki.length - 1; i >= 0; i--) {
    mki[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return { suite: key.suite, masterKey: key.masterKey, masterSalt: key.masterSalt, mki };
}
