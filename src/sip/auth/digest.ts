/**
 * HTTP Digest for SIP (RFC 2617, RFC 7616, RFC 8760): reading challenges, choosing among them, and computing
 * the Authorization / Proxy-Authorization value. Hashes go through the HAL Crypto.
 */
import type { Crypto, DigestAlgorithm } from '../../../hal/crypto.js';
import type { Random } from '../../../hal/random.js';
import type { AuthValue } from '../message.js';
import { utf8Encoder } from '../../utf8.js';

export type DigestAlgorithmName = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';
export type Qop = 'auth' | 'auth-int';

interface AlgorithmInfo {
  hash: DigestAlgorithm;
  sess: boolean;
  /** Higher is stronger (RFC 8760 §2.4 local policy: prefer the strongest we support). */
  rank: number;
}

const ALGORITHMS: ReadonlyMap<string, Readonly<AlgorithmInfo> & { name: DigestAlgorithmName }> = new Map(
  ([
    ['MD5', 'MD5', false, 1],
    ['MD5-sess', 'MD5', true, 0],
    ['SHA-256', 'SHA-256', false, 3],
    ['SHA-256-sess', 'SHA-256', true, 2],
    ['SHA-512-256', 'SHA-512-256', false, 5],
    ['SHA-512-256-sess', 'SHA-512-256', true, 4],
  ] as const).map(([name, hash, sess, rank]) => [name.toLowerCase(), { name, hash, sess, rank }] as const),
);

/** A Digest challenge from WWW-Authenticate or Proxy-Authenticate, checked and typed. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithmName;
  /** Whether the challenge named its algorithm (RFC 2617 servers may not; then MD5 and we do not name it either). */
  algorithmGiven: boolean;
  /** qop options offered; empty for an RFC 2069-style challenge without qop. */
  qop: Qop[];
  /** qop was present but offered nothing we know. */
  qopUnknown: boolean;
  opaque?: string;
  stale: boolean;
  userhash: boolean;
}

/** Reads a Digest challenge; undefined for other schemes, unknown algorithms, or a missing realm/nonce. */
export function parseChallenge(v: AuthValue): DigestChallenge | undefined {
  if (v.scheme.toLowerCase() !== 'digest') return undefined;
  const p = v.params;
  const realm = p['realm'];
  const nonce = p['nonce'];
  if (realm === undefined || nonce === undefined) return undefined;
  const algText = p['algorithm'];
  const alg = ALGORITHMS.get((algText ?? 'MD5').toLowerCase());
  if (!alg) return undefined;
  const qop: Qop[] = [];
  let qopUnknown = false;
  if (p['qop'] !== undefined) {
    for (const part of p['qop'].split(',')) {
      const q = part.trim().toLowerCase();
      if ((q === 'auth' || q === 'auth-int') && !qop.includes(q)) qop.push(q);
    }
    qopUnknown = qop.length === 0;
  }
  const challenge: DigestChallenge = {
    realm, nonce, algorithm: alg.name, algorithmGiven: algText !== undefined, qop, qopUnknown,
    stale: (p['stale'] ?? '').toLowerCase() === 'true',
    userhash: (p['userhash'] ?? '').toLowerCase() === 'true',
  };
  if (p['opaque'] !== undefined) challenge.opaque = p['opaque'];
  return challenge;
}

/** Which hash algorithms this Crypto really has (SHA-512-256 is optional in the HAL); callers keep the answer. */
export function supportedAlgorithms(crypto: Crypto): ReadonlySet<DigestAlgorithm> {
  const set = new Set<DigestAlgorithm>();
  const empty = new Uint8Array(0);
  for (const a of ['MD5', 'SHA-256', 'SHA-512-256'] as const) {
    try {
      if (crypto.digest(a, empty).length > 0) set.add(a);
    } catch {
      // not offered on this platform
    }
  }
  return set;
}

export type ChoicePolicy = 'strongest' | 'topmost';

/**
 * One challenge per realm out of a response's WWW-/Proxy-Authenticate values: the strongest algorithm we
 * support (default), or the topmost we support (RFC 8760 §2.4's default when no local policy applies).
 * Realms keep the order of their first appearance.
 */
export function chooseChallenges(
  values: readonly AuthValue[], supported: ReadonlySet<DigestAlgorithm>, policy: ChoicePolicy = 'strongest',
): DigestChallenge[] {
  const byRealm = new Map<string, DigestChallenge>();
  for (const v of values) {
    const c = parseChallenge(v);
    if (!c || c.qopUnknown || !supported.has(info(c.algorithm).hash)) continue;
    const prev = byRealm.get(c.realm);
    if (!prev || (policy === 'strongest' && info(c.algorithm).rank > info(prev.algorithm).rank)) byRealm.set(c.realm, c);
  }
  return [...byRealm.values()];
}

function info(name: DigestAlgorithmName) {
  return ALGORITHMS.get(name.toLowerCase())!;
}

export interface DigestRequest {
  method: string;
  /** The digest-uri: the Request-URI as sent. */
  uri: string;
  /** The body, for qop=auth-int; empty when absent. */
  body?: Uint8Array;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestInput {
  challenge: DigestChallenge;
  credentials: DigestCredentials;
  request: DigestRequest;
  /** The qop to answer with (one the challenge offered), or undefined for the legacy no-qop form. */
  qop?: Qop;
  /** Nonce count, from 1 (ignored without qop). */
  nc: number;
  /** Client nonce (ignored without qop, unless the algorithm is -sess). */
  cnonce: string;
}

const HEX = '0123456789abcdef';

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}

/** Lower-case hex of a hash of UTF-8 text. */
export function hashHex(crypto: Crypto, algorithm: DigestAlgorithmName, text: string): string {
  return toHex(crypto.digest(info(algorithm).hash, utf8Encoder().encode(text)));
}

/** The 8-hex-digit nonce count. */
export function formatNc(nc: number): string {
  return (nc >>> 0).toString(16).padStart(8, '0');
}

/** The request-digest (RFC 7616 §3.4.1, RFC 2617 §3.2.2.1). */
export function digestResponse(crypto: Crypto, input: DigestInput): string {
  const { challenge: c, credentials, request, qop } = input;
  const H = (s: string) => hashHex(crypto, c.algorithm, s);
  let ha1 = H(`${credentials.username}:${c.realm}:${credentials.password}`);
  if (info(c.algorithm).sess) ha1 = H(`${ha1}:${c.nonce}:${input.cnonce}`);
  let a2 = `${request.method}:${request.uri}`;
  if (qop === 'auth-int') a2 += `:${toHex(crypto.digest(info(c.algorithm).hash, request.body ?? new Uint8Array(0)))}`;
  const ha2 = H(a2);
  if (!qop) return H(`${ha1}:${c.nonce}:${ha2}`);
  return H(`${ha1}:${c.nonce}:${formatNc(input.nc)}:${input.cnonce}:${qop}:${ha2}`);
}

/** RFC 7616 §3.4.4: the username sent when the server asked for userhash. */
export function userhash(crypto: Crypto, algorithm: DigestAlgorithmName, username: string, realm: string): string {
  return hashHex(crypto, algorithm, `${username}:${realm}`);
}

function quoted(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** The whole Authorization / Proxy-Authorization header value for one challenge. */
export function authorizationValue(crypto: Crypto, input: DigestInput): string {
  const { challenge: c, credentials, request, qop } = input;
  const sendsCnonce = qop !== undefined || info(c.algorithm).sess;
  const user = c.userhash ? userhash(crypto, c.algorithm, credentials.username, c.realm) : credentials.username;
  let out = `Digest username=${quoted(user)}, realm=${quoted(c.realm)}, nonce=${quoted(c.nonce)}, uri=${quoted(request.uri)}`;
  out += `, response="${digestResponse(crypto, input)}"`;
  if (c.algorithmGiven || c.algorithm !== 'MD5') out += `, algorithm=${c.algorithm}`;
  if (sendsCnonce) out += `, cnonce=${quoted(input.cnonce)}`;
  if (c.opaque !== undefined) out += `, opaque=${quoted(c.opaque)}`;
  if (qop) out += `, qop=${qop}, nc=${formatNc(input.nc)}`;
  if (c.userhash) out += ', userhash=true';
  return out;
}

/** The qop we answer with: auth when offered (auth-int only if asked to prefer it), else auth-int, else none. */
export function chooseQop(c: DigestChallenge, preferAuthInt = false): Qop | undefined {
  if (preferAuthInt && c.qop.includes('auth-int')) return 'auth-int';
  if (c.qop.includes('auth')) return 'auth';
  if (c.qop.includes('auth-int')) return 'auth-int';
  return undefined;
}

/** A fresh client nonce: 16 random bytes as hex. */
export function makeCnonce(random: Random): string {
  return toHex(random.fill(new Uint8Array(16)));
}
