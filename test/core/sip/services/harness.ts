/** Two user agents on the fake network for the service tests: alice (10.0.0.1) and bob (10.0.0.2). */
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import { CredentialsCache } from '../../../../src/sip/auth/credentials-cache.js';
import { DigestVerifier } from '../../../../src/sip/auth/verify.js';
import { parseAuth } from '../../../../src/sip/headers/auth.js';
import type { SipRequest } from '../../../../src/sip/message.js';
import type { ServiceAccount } from '../../../../src/sip/services/account.js';
import type { ServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import { sipCodec, SipTransport } from '../../../../src/sip/transport/index.js';
import { UserAgent } from '../../../../src/sip/ua/user-agent.js';
import { formatUri, parseUri, type SipUri } from '../../../../src/sip/uri.js';
import { FakeInternet } from '../transport/fake-network.js';
import { SeededRandom } from '../transport/helpers.js';

export async function pair() {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const make = async (address: string, seed: number) => {
    const random = new SeededRandom(seed);
    const transport = await SipTransport.open({ network: internet.host(address), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
    return new UserAgent({ clock, random, crypto, transport, host: address });
  };
  const alice = await make('10.0.0.1', 1);
  const bob = await make('10.0.0.2', 2);
  const aliceAccount: ServiceAccount = { aor: parseUri('sip:alice@10.0.0.1') as SipUri, displayName: 'Alice' };
  const bobAccount: ServiceAccount = { aor: parseUri('sip:bob@10.0.0.2') as SipUri };
  /** Lets queued sends start (resolution is a microtask) and delivers everything due within ms. */
  const run = async (ms = 10): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(0);
  };
  return { clock, internet, crypto, alice, bob, aliceAccount, bobAccount, run };
}

/** A digest check for bob's handlers: true when the request may proceed, else it was answered 401. */
export function digestGate(ua: UserAgent, clock: VirtualClock, crypto: SoftCrypto, users: Record<string, string>) {
  const verifier = new DigestVerifier({ crypto, random: new SeededRandom(9), clock, realm: 'lab', passwordFor: (u) => users[u] });
  return (req: SipRequest, tx: ServerTransaction): boolean => {
    const cred = req.header('Authorization');
    if (cred && verifier.verify(parseAuth(cred), { method: req.method, uri: formatUri(req.uri) }).ok) return true;
    ua.respond(tx, req, 401, undefined, { headers: { 'WWW-Authenticate': verifier.challenge() } });
    return false;
  };
}

export function credentials(crypto: SoftCrypto, user: string, password: string): CredentialsCache {
  return new CredentialsCache({ crypto, random: new SeededRandom(5), credentials: () => ({ username: user, password }) });
}
