/**
 * The server side of Digest, for tests and the simulator's peer-to-peer protection: issues challenges and
 * checks credentials, with nonce lifetime (stale=true when a correct response used an old nonce) and
 * nonce-count replay protection.
 */
import type { Clock } from '../../../hal/clock.js';
import type { Crypto } from '../../../hal/crypto.js';
import type { Random } from '../../../hal/random.js';
import type { AuthValue } from '../message.js';
import {
  digestResponse, makeCnonce, parseChallenge, userhash,
  type DigestAlgorithmName, type DigestRequest, type Qop,
} from './digest.js';

export type VerifyResult =
  | { ok: true; username: string }
  | { ok: false; reason: 'malformed' | 'unknown-user' | 'wrong-response' | 'replayed' | 'stale' | 'realm' };

/** Checks one credentials value against a known password: true when the response is the one expected. */
export function checkResponse(crypto: Crypto, credentials: AuthValue, password: string, request: DigestRequest): boolean {
  const p = credentials.params;
  const username = p['username'];
  const response = p['response'];
  if (credentials.scheme.toLowerCase() !== 'digest' || username === undefined || response === undefined) return false;
  if (p['uri'] !== request.uri) return false;
  const challenge = parseChallenge({ scheme: 'Digest', params: { ...p } });
  if (!challenge) return false;
  const qop = p['qop'] as Qop | undefined;
  if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int') return false;
  if (qop !== undefined && (p['nc'] === undefined || p['cnonce'] === undefined)) return false;
  const expected = digestResponse(crypto, {
    challenge, credentials: { username, password }, request, nc: parseInt(p['nc'] ?? '0', 16),
    cnonce: p['cnonce'] ?? '', ...(qop ? { qop } : {}),
  });
  return equalText(expected, response.toLowerCase());
}

/** Compares without an early exit, so timing does not tell how much of a guess was right. */
function equalText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export interface VerifierOptions {
  crypto: Crypto;
  random: Random;
  clock: Clock;
  realm: string;
  /** Challenges offered, most preferred first (one WWW-Authenticate each, RFC 8760 §2.3). Default ['SHA-256', 'MD5']. */
  algorithms?: DigestAlgorithmName[];
  /** Offer qop="auth" (default true); false issues RFC 2069-style challenges. */
  qop?: boolean;
  /** Ask for userhash (RFC 7616). Default false. */
  userhash?: boolean;
  /** How long a nonce is good for. Default 300 s. */
  nonceLifetimeMs?: number;
  /** Most nonces tracked at once. Default 32. */
  maxNonces?: number;
  /** The password of a user of this realm, or undefined. */
  passwordFor(username: string): string | undefined;
  /** Every user name, needed only to map a userhash back to its user. */
  users?(): string[];
}

interface NonceState {
  issued: number;
  lastNc: number;
}

export class DigestVerifier {
  readonly #o: VerifierOptions;
  readonly #nonces = new Map<string, NonceState>();
  readonly #opaque: string;

  constructor(options: VerifierOptions) {
    this.#o = options;
    this.#opaque = makeCnonce(options.random).slice(0, 16);
  }

  /** WWW-Authenticate (or Proxy-Authenticate) values for a 401/407, one per algorithm, sharing one nonce. */
  challenge(stale = false): string[] {
    const nonce = makeCnonce(this.#o.random);
    this.#nonces.set(nonce, { issued: this.#o.clock.now(), lastNc: 0 });
    for (const old of this.#nonces.keys()) {
      if (this.#nonces.size <= (this.#o.maxNonces ?? 32)) break;
      this.#nonces.delete(old);
    }
    return (this.#o.algorithms ?? ['SHA-256', 'MD5']).map((algorithm) => {
      let v = `Digest realm="${this.#o.realm}", nonce="${nonce}", opaque="${this.#opaque}", algorithm=${algorithm}`;
      if (this.#o.qop ?? true) v += ', qop="auth"';
      if (stale) v += ', stale=true';
      if (this.#o.userhash) v += ', userhash=true';
      return v;
    });
  }

  /** Checks the credentials a request carried. On 'stale' answer 401 with challenge(true). */
  verify(credentials: AuthValue, request: DigestRequest): VerifyResult {
    const p = credentials.params;
    const nonce = p['nonce'];
    const sent = p['username'];
    if (credentials.scheme.toLowerCase() !== 'digest' || nonce === undefined || sent === undefined || p['response'] === undefined) {
      return { ok: false, reason: 'malformed' };
    }
    if (p['realm'] !== this.#o.realm) return { ok: false, reason: 'realm' };
    const username = (p['userhash'] ?? '').toLowerCase() === 'true' ? this.#unhash(sent, p['algorithm']) : sent;
    const password = username === undefined ? undefined : this.#o.passwordFor(username);
    if (username === undefined || password === undefined) return { ok: false, reason: 'unknown-user' };
    const plain: AuthValue = { scheme: credentials.scheme, params: { ...p, username } };
    if (!checkResponse(this.#o.crypto, plain, password, request)) return { ok: false, reason: 'wrong-response' };
    const state = this.#nonces.get(nonce);
    if (!state || this.#o.clock.now() - state.issued > (this.#o.nonceLifetimeMs ?? 300_000)) {
      this.#nonces.delete(nonce);
      return { ok: false, reason: 'stale' };
    }
    if (p['qop'] !== undefined) {
      const nc = parseInt(p['nc'] ?? '', 16);
      if (!(nc > state.lastNc)) return { ok: false, reason: 'replayed' };
      state.lastNc = nc;
    }
    return { ok: true, username };
  }

  /** The user a userhash stands for, found by hashing each known user name with the realm. */
  #unhash(hashed: string, algorithm: string | undefined): string | undefined {
    const alg = (parseChallenge({ scheme: 'Digest', params: { realm: '', nonce: '', ...(algorithm ? { algorithm } : {}) } })?.algorithm);
    if (!alg || !this.#o.users) return undefined;
    return this.#o.users().find((u) => userhash(this.#o.crypto, alg, u, this.#o.realm) === hashed.toLowerCase());
  }
}
