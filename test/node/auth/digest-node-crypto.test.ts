// Digest responses checked against an independent computation with node:crypto, for every algorithm
// (SHA-512-256 included, which only the host HAL offers) and qop mode, over generated inputs.
import test from 'ava';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { HostCrypto } from '../../../hal/host/crypto.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';
import { digestResponse, supportedAlgorithms, type DigestAlgorithmName, type Qop } from '../../../src/sip/auth/digest.js';

const NODE_NAME: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

function expected(
  alg: DigestAlgorithmName, user: string, realm: string, pass: string, nonce: string, cnonce: string, nc: number,
  qop: Qop | undefined, method: string, uri: string, body: string,
): string {
  const base = alg.replace('-sess', '');
  const H = (s: string) => createHash(NODE_NAME[base]!).update(s, 'utf8').digest('hex');
  let ha1 = H(`${user}:${realm}:${pass}`);
  if (alg.endsWith('-sess')) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = H(qop === 'auth-int' ? `${method}:${uri}:${H(body)}` : `${method}:${uri}`);
  const ncText = nc.toString(16).padStart(8, '0');
  return qop ? H(`${ha1}:${nonce}:${ncText}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);
}

const algorithms: DigestAlgorithmName[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'];
const word = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' });

test('both the host HAL and soft crypto offer SHA-512-256', (t) => {
  t.true(supportedAlgorithms(new HostCrypto()).has('SHA-512-256'));
  t.true(supportedAlgorithms(new SoftCrypto()).has('SHA-512-256'));
});

test('digestResponse equals an independent node:crypto computation', (t) => {
  const host = new HostCrypto();
  const soft = new SoftCrypto();
  fc.assert(
    fc.property(
      fc.constantFrom(...algorithms), word, word, word, word, word, fc.integer({ min: 1, max: 0xffffffff }),
      fc.constantFrom<Qop | undefined>('auth', 'auth-int', undefined), fc.constantFrom('REGISTER', 'INVITE', 'BYE'),
      word, fc.string({ maxLength: 200 }),
      (alg, user, realm, pass, nonce, cnonce, nc, qop, method, uri, body) => {
        const input = {
          challenge: {
            realm, nonce, algorithm: alg, algorithmGiven: true, qop: qop ? [qop] : [], qopUnknown: false, stale: false, userhash: false,
          },
          credentials: { username: user, password: pass },
          request: { method, uri, body: new TextEncoder().encode(body) },
          nc, cnonce, ...(qop ? { qop } : {}),
        };
        const want = expected(alg, user, realm, pass, nonce, cnonce, nc, qop, method, uri, body);
        if (digestResponse(host, input) !== want) return false;
        return alg.startsWith('SHA-512') || digestResponse(soft, input) === want;
      },
    ),
    { numRuns: 400 },
  );
  t.pass();
});
