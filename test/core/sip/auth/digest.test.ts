import test from 'ava';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import type { Crypto, DigestAlgorithm } from '../../../../hal/crypto.js';
import {
  authorizationValue, chooseChallenges, chooseQop, digestResponse, parseChallenge, supportedAlgorithms,
  type DigestInput,
} from '../../../../src/sip/auth/digest.js';
import { parseAuth } from '../../../../src/sip/headers/auth.js';

const crypto = new SoftCrypto();
const text = new TextEncoder();

function input(challengeText: string, extra: Partial<DigestInput> & Pick<DigestInput, 'credentials' | 'request'>): DigestInput {
  const challenge = parseChallenge(parseAuth(challengeText, 'WWW-Authenticate'))!;
  return { challenge, nc: 1, cnonce: '', qop: chooseQop(challenge), ...extra } as DigestInput;
}

test('RFC 2617 §3.5: MD5 with qop=auth gives the published response', (t) => {
  const i = input(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    {
      credentials: { username: 'Mufasa', password: 'Circle Of Life' },
      request: { method: 'GET', uri: '/dir/index.html' },
      cnonce: '0a4f113b',
    },
  );
  t.is(i.qop, 'auth');
  t.is(digestResponse(crypto, i), '6629fae49393a05397450978507c4ef1');
  t.is(
    authorizationValue(crypto, i),
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
      'uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", ' +
      'opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001',
  );
});

const rfc7616 = (algorithm: string) =>
  input(
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    {
      credentials: { username: 'Mufasa', password: 'Circle of Life' },
      request: { method: 'GET', uri: '/dir/index.html' },
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    },
  );

test('RFC 7616 §3.9.1: the MD5 and SHA-256 examples', (t) => {
  t.is(digestResponse(crypto, rfc7616('MD5')), '8ca523f5e9506fed4657c9700eebdbec');
  t.is(digestResponse(crypto, rfc7616('SHA-256')), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  const value = authorizationValue(crypto, rfc7616('SHA-256'));
  t.regex(value, /, algorithm=SHA-256,/);
  t.regex(value, /opaque="FQhe\/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"/);
  // What we send parses back with the header parser, every parameter intact.
  const back = parseAuth(value);
  t.is(back.params['response'], '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  t.is(back.params['nc'], '00000001');
  t.is(back.params['qop'], 'auth');
});

// A SIP REGISTER: expected values computed independently (Python hashlib) from the RFC 7616 formulas.
const register = (algorithm: string, extra: Partial<DigestInput> = {}) =>
  input(`Digest realm="example.com", nonce="4f1c7a2bd8e94b3e", qop="auth", algorithm=${algorithm}`, {
    credentials: { username: 'alice', password: 's3cr3t' },
    request: { method: 'REGISTER', uri: 'sip:example.com' },
    cnonce: '0a1b2c3d',
    ...extra,
  });

test('SIP REGISTER: MD5, MD5-sess, SHA-256 and SHA-256-sess responses', (t) => {
  t.is(digestResponse(crypto, register('MD5')), 'e12506f3ea6fd330c0df35df8b32370f');
  t.is(digestResponse(crypto, register('MD5-sess')), '39cd3997c371e0e110ac3ff035a976b1');
  t.is(digestResponse(crypto, register('SHA-256')), '9ba78a53d817b5885b5bdc967308a85a2025bf17d2a1fd0d698ffcb92da3a491');
  t.is(digestResponse(crypto, register('SHA-256-sess')), '0a1b22ef762a5e06135780094ed8834f80e515a8d1d87ac7660c03d38d97c763');
  t.regex(authorizationValue(crypto, register('MD5-sess')), /algorithm=MD5-sess, cnonce="0a1b2c3d"/);
});

test('legacy challenge without qop: no cnonce, nc or qop sent, algorithm not named', (t) => {
  const i = input('Digest realm="example.com", nonce="4f1c7a2bd8e94b3e"', {
    credentials: { username: 'alice', password: 's3cr3t' },
    request: { method: 'REGISTER', uri: 'sip:example.com' },
    cnonce: 'ignored',
  });
  t.is(i.qop, undefined);
  t.is(digestResponse(crypto, i), '95ed382fd92582ff89b406a68a28e184');
  const v = authorizationValue(crypto, i);
  t.is(v, 'Digest username="alice", realm="example.com", nonce="4f1c7a2bd8e94b3e", uri="sip:example.com", ' +
    'response="95ed382fd92582ff89b406a68a28e184"');
});

test('qop=auth-int hashes the body (an empty body hashes the empty string)', (t) => {
  const body = text.encode('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  const i = input('Digest realm="example.com", nonce="4f1c7a2bd8e94b3e", qop="auth-int"', {
    credentials: { username: 'alice', password: 's3cr3t' },
    request: { method: 'INVITE', uri: 'sip:bob@example.com', body },
    cnonce: '0a1b2c3d',
    nc: 2,
  });
  t.is(i.qop, 'auth-int');
  t.is(digestResponse(crypto, i), 'c5c95af4313a1fd70a49040e8c6aaa96');
  t.regex(authorizationValue(crypto, i), /qop=auth-int, nc=00000002$/);
  t.is(digestResponse(crypto, register('MD5', { qop: 'auth-int' })), 'cb65735413d9cd04f07a094dc99d08c1');
});

test('userhash: the username is H(user:realm) and userhash=true is sent', (t) => {
  const i = input('Digest realm="example.com", nonce="n", qop="auth", algorithm=SHA-256, userhash=true', {
    credentials: { username: 'alice', password: 's3cr3t' },
    request: { method: 'REGISTER', uri: 'sip:example.com' },
    cnonce: 'c',
  });
  const v = parseAuth(authorizationValue(crypto, i));
  t.is(v.params['username'], '182821e63518db2dd774c82f8142291d0376025311d4a5988d61e5a5dfafbbde');
  t.is(v.params['userhash'], 'true');
});

test('quotes and backslashes in user names are escaped', (t) => {
  const i = input('Digest realm="example.com", nonce="n"', {
    credentials: { username: 'a"b\\c', password: 'p' },
    request: { method: 'REGISTER', uri: 'sip:example.com' },
  });
  t.is(parseAuth(authorizationValue(crypto, i)).params['username'], 'a"b\\c');
});

test('challenges that cannot be answered are refused when parsed', (t) => {
  t.is(parseChallenge(parseAuth('Basic realm="x"')), undefined);
  t.is(parseChallenge(parseAuth('Digest realm="x", nonce="n", algorithm=SHA-1')), undefined);
  t.is(parseChallenge(parseAuth('Digest nonce="n"')), undefined);
  const odd = parseChallenge(parseAuth('Digest realm="x", nonce="n", qop="auth-conf"'))!;
  t.true(odd.qopUnknown);
  t.deepEqual(chooseChallenges([parseAuth('Digest realm="x", nonce="n", qop="auth-conf"')], supportedAlgorithms(crypto)), []);
  const st = parseChallenge(parseAuth('Digest realm="x", nonce="n", stale=TRUE, algorithm=md5-SESS'))!;
  t.true(st.stale);
  t.is(st.algorithm, 'MD5-sess');
});

const offers = [
  'Digest realm="a.example", nonce="1", algorithm=MD5, qop="auth"',
  'Digest realm="a.example", nonce="2", algorithm=SHA-256, qop="auth"',
  'Digest realm="a.example", nonce="3", algorithm=SHA-512-256, qop="auth"',
  'Digest realm="b.example", nonce="4", qop="auth"',
].map((s) => parseAuth(s, 'WWW-Authenticate'));

/** A platform whose crypto has MD5 and SHA-256 only (as a device without SHA-512 would). */
const limited: Crypto = {
  digest: (a: DigestAlgorithm, d: Uint8Array) => {
    if (a === 'SHA-512-256') throw new Error('not offered');
    return crypto.digest(a, d);
  },
  hmac: (a, k, d) => crypto.hmac(a, k, d),
  aesEncryptBlock: (k, i, o) => crypto.aesEncryptBlock(k, i, o),
  ed25519Verify: (p, m, s) => crypto.ed25519Verify(p, m, s),
};

test('several challenges: the strongest supported algorithm per realm (RFC 8760 §2.4)', (t) => {
  const soft = supportedAlgorithms(limited);
  t.false(soft.has('SHA-512-256'), 'this platform has no SHA-512-256');
  t.true(supportedAlgorithms(crypto).has('SHA-512-256'), 'soft crypto has SHA-512-256');
  t.is(chooseChallenges(offers, supportedAlgorithms(crypto))[0]!.algorithm, 'SHA-512-256');
  const chosen = chooseChallenges(offers, soft);
  t.deepEqual(chosen.map((c) => [c.realm, c.algorithm, c.nonce]), [['a.example', 'SHA-256', '2'], ['b.example', 'MD5', '4']]);
  const topmost = chooseChallenges(offers, soft, 'topmost');
  t.deepEqual(topmost.map((c) => c.algorithm), ['MD5', 'MD5']);
});

test('SHA-512-256 is chosen when the HAL offers it', (t) => {
  // A Crypto that claims SHA-512-256 (answering with SHA-256 output is enough to test the choice).
  const wide: Crypto = {
    ...crypto,
    digest: (a: DigestAlgorithm, d: Uint8Array) => crypto.digest(a === 'SHA-512-256' ? 'SHA-256' : a, d),
    hmac: crypto.hmac.bind(crypto),
    aesEncryptBlock: crypto.aesEncryptBlock.bind(crypto),
    ed25519Verify: crypto.ed25519Verify.bind(crypto),
  };
  const chosen = chooseChallenges(offers, supportedAlgorithms(wide));
  t.is(chosen[0]!.algorithm, 'SHA-512-256');
  t.regex(authorizationValue(wide, {
    challenge: chosen[0]!, credentials: { username: 'u', password: 'p' }, request: { method: 'REGISTER', uri: 'sip:a.example' },
    qop: 'auth', nc: 1, cnonce: 'c',
  }), /algorithm=SHA-512-256/);
});
