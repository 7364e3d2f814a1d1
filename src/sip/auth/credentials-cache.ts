/**
 * A UAC's digest state for one account (RFC 3261 §22.2–22.3): answers 401/407 challenges, remembers each
 * realm's nonce so later requests carry credentials up front with an increasing nonce count, retries on
 * stale=true without bothering the user, and says when credentials were rejected so the caller stops.
 */
import type { Crypto, DigestAlgorithm } from '../../../hal/crypto.js';
import type { Random } from '../../../hal/random.js';
import type { AuthValue } from '../message.js';
import {
  authorizationValue, chooseChallenges, chooseQop, makeCnonce, supportedAlgorithms,
  type ChoicePolicy, type DigestChallenge, type DigestCredentials, type DigestRequest,
} from './digest.js';

export type AuthHeaderName = 'Authorization' | 'Proxy-Authorization';

/** A header to add to a request; hand the list back to challenge() if that request is challenged again. */
export interface AuthHeader {
  readonly name: AuthHeaderName;
  readonly value: string;
  readonly realm: string;
  /** Built from a remembered nonce (sent unasked), rather than in answer to the challenge just received. */
  readonly preemptive: boolean;
}

export type ChallengeOutcome =
  | { ok: true; headers: AuthHeader[] }
  | { ok: false; reason: 'unsupported' | 'no-credentials' | 'rejected'; realm?: string };

/** Credentials for a realm, or undefined if this account has none for it. */
export type CredentialsLookup = (realm: string) => DigestCredentials | undefined;

export interface CredentialsCacheOptions {
  crypto: Crypto;
  random: Random;
  credentials: CredentialsLookup;
  /** How to pick among several challenges for one realm. Default 'strongest'. */
  policy?: ChoicePolicy;
  /** Answer qop=auth-int when the server offers both. Default false. */
  preferAuthInt?: boolean;
  /** Most realms remembered. Default 4. */
  maxRealms?: number;
}

interface RealmState {
  name: AuthHeaderName;
  challenge: DigestChallenge;
  credentials: DigestCredentials;
  nc: number;
  /** For -sess algorithms the cnonce that went into the session key stays fixed for the nonce's life. */
  sessCnonce: string;
}

export class CredentialsCache {
  readonly #o: CredentialsCacheOptions;
  readonly #realms = new Map<string, RealmState>();
  #supported: ReadonlySet<DigestAlgorithm> | undefined;

  constructor(options: CredentialsCacheOptions) {
    this.#o = options;
  }

  /**
   * Answers a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) response.
   * challenges: the parsed header values; request: the request to re-send (with a new CSeq);
   * sent: the AuthHeaders the challenged request carried.
   */
  challenge(status: 401 | 407, challenges: readonly AuthValue[], request: DigestRequest, sent: readonly AuthHeader[] = []): ChallengeOutcome {
    const name: AuthHeaderName = status === 407 ? 'Proxy-Authorization' : 'Authorization';
    this.#supported ??= supportedAlgorithms(this.#o.crypto);
    const chosen = chooseChallenges(challenges, this.#supported, this.#o.policy);
    if (!chosen.length) return { ok: false, reason: 'unsupported' };
    const headers: AuthHeader[] = [];
    for (const challenge of chosen) {
      const credentials = this.#o.credentials(challenge.realm);
      if (!credentials) return { ok: false, reason: 'no-credentials', realm: challenge.realm };
      const prior = sent.find((h) => h.realm === challenge.realm && h.name === name);
      // Credentials answered to a fresh challenge and challenged again without stale=true were wrong:
      // stop here rather than loop. A stale or preemptively sent nonce just gets one more try.
      if (prior && !prior.preemptive && !challenge.stale) {
        this.#realms.delete(key(name, challenge.realm));
        return { ok: false, reason: 'rejected', realm: challenge.realm };
      }
      const state: RealmState = { name, challenge, credentials, nc: 0, sessCnonce: makeCnonce(this.#o.random) };
      this.#remember(key(name, challenge.realm), state);
      headers.push(this.#build(state, request, false));
    }
    // Credentials for realms this response did not challenge (e.g. a proxy's, when the registrar answers) stay.
    for (const h of sent) {
      if (chosen.some((c) => c.realm === h.realm && h.name === name)) continue;
      const state = this.#realms.get(key(h.name, h.realm));
      if (state) headers.push(this.#build(state, request, true));
    }
    return { ok: true, headers };
  }

  /**
   * Credentials for every remembered realm, nonce count advanced, to send on a new request unasked. A realm known
   * both as registrar (401) and as proxy (407) gets one header: Authorization on REGISTER, Proxy-Authorization
   * otherwise (Kamailio 5.6 crashes on a REGISTER carrying both for one realm).
   */
  authorize(request: DigestRequest): AuthHeader[] {
    const preferred: AuthHeaderName = request.method === 'REGISTER' ? 'Authorization' : 'Proxy-Authorization';
    return [...this.#realms.values()]
      .filter((s) => s.name === preferred || !this.#realms.has(key(preferred, s.challenge.realm)))
      .map((s) => this.#build(s, request, true));
  }

  /** Forgets one realm's nonce (or all), e.g. after the account's password changed. */
  forget(realm?: string): void {
    if (realm === undefined) this.#realms.clear();
    else for (const k of [...this.#realms.keys()]) if (this.#realms.get(k)!.challenge.realm === realm) this.#realms.delete(k);
  }

  /** Realms with a remembered nonce. */
  get realms(): string[] {
    return [...this.#realms.values()].map((s) => s.challenge.realm);
  }

  #remember(k: string, state: RealmState): void {
    this.#realms.delete(k);
    this.#realms.set(k, state);
    const max = this.#o.maxRealms ?? 4;
    for (const old of this.#realms.keys()) {
      if (this.#realms.size <= max) break;
      this.#realms.delete(old);
    }
  }

  #build(state: RealmState, request: DigestRequest, preemptive: boolean): AuthHeader {
    const qop = chooseQop(state.challenge, this.#o.preferAuthInt);
    state.nc++;
    const sess = state.challenge.algorithm.endsWith('-sess');
    const cnonce = sess ? state.sessCnonce : makeCnonce(this.#o.random);
    const value = authorizationValue(this.#o.crypto, {
      challenge: state.challenge, credentials: state.credentials, request, nc: state.nc, cnonce,
      ...(qop ? { qop } : {}),
    });
    return { name: state.name, value, realm: state.challenge.realm, preemptive };
  }
}

function key(name: AuthHeaderName, realm: string): string {
  return `${name} ${realm}`;
}
