import test from 'ava';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import type { Random } from '../../../../hal/random.js';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { CredentialsCache, type AuthHeader } from '../../../../src/sip/auth/credentials-cache.js';
import { DigestVerifier } from '../../../../src/sip/auth/verify.js';
import { parseAuth } from '../../../../src/sip/headers/auth.js';

const crypto = new SoftCrypto();

/** Counts up, so every cnonce/nonce differs and tests are reproducible. */
class CountingRandom implements Random {
  #n = 0;
  fill(dst: Uint8Array): Uint8Array {
    for (let i = 0; i < dst.length; i++) dst[i] = (this.#n + i * 7) & 0xff;
    this.#n++;
    return dst;
  }
}

const REGISTER = { method: 'REGISTER', uri: 'sip:example.com' };

function setup(password = 's3cr3t', opts: { algorithms?: ('MD5' | 'SHA-256' | 'MD5-sess')[]; qop?: boolean } = {}) {
  const clock = new VirtualClock();
  const random = new CountingRandom();
  const server = new DigestVerifier({
    crypto, random, clock, realm: 'example.com', passwordFor: (u) => (u === 'alice' ? 's3cr3t' : undefined),
    users: () => ['alice'], ...opts,
  });
  const cache = new CredentialsCache({
    crypto, random,
    credentials: (realm) => (realm === 'example.com' ? { username: 'alice', password } : undefined),
  });
  const check = (h: AuthHeader, req = REGISTER) => server.verify(parseAuth(h.value), req);
  const challenges = (stale = false) => server.challenge(stale).map((v) => parseAuth(v, 'WWW-Authenticate'));
  return { clock, server, cache, check, challenges };
}

const param = (h: AuthHeader, name: string) => parseAuth(h.value).params[name];

test('a 401 is answered, accepted by the verifier, and later requests reuse the nonce with nc counting up', (t) => {
  const { cache, check, challenges } = setup();
  t.deepEqual(cache.authorize(REGISTER), [], 'nothing to send before the first challenge');
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail(out.reason);
  t.is(out.headers.length, 1);
  const first = out.headers[0]!;
  t.is(first.name, 'Authorization');
  t.false(first.preemptive);
  t.is(param(first, 'nc'), '00000001');
  t.is(param(first, 'algorithm'), 'SHA-256', 'strongest of SHA-256 and MD5');
  t.deepEqual(check(first), { ok: true, username: 'alice' });

  const second = cache.authorize(REGISTER)[0]!;
  const third = cache.authorize({ method: 'INVITE', uri: 'sip:bob@example.com' })[0]!;
  t.true(second.preemptive);
  t.is(param(second, 'nc'), '00000002');
  t.is(param(third, 'nc'), '00000003');
  t.is(param(second, 'nonce'), param(first, 'nonce'));
  t.not(param(second, 'cnonce'), param(first, 'cnonce'), 'fresh cnonce per request');
  t.deepEqual(check(second), { ok: true, username: 'alice' });
  t.deepEqual(check(third, { method: 'INVITE', uri: 'sip:bob@example.com' }), { ok: true, username: 'alice' });
  t.deepEqual(check(second), { ok: false, reason: 'replayed' }, 'the verifier refuses an old nc');
});

test('wrong password: the second challenge is reported as rejected, not retried forever', (t) => {
  const { cache, check, challenges } = setup('wrong');
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail(out.reason);
  t.deepEqual(check(out.headers[0]!), { ok: false, reason: 'wrong-response' });
  const again = cache.challenge(401, challenges(), REGISTER, out.headers);
  t.deepEqual(again, { ok: false, reason: 'rejected', realm: 'example.com' });
  t.deepEqual(cache.authorize(REGISTER), [], 'the bad nonce is forgotten');
});

test('stale=true: retried with the new nonce without asking the user, nc back to 1', (t) => {
  const { clock, cache, check, challenges } = setup();
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail();
  cache.authorize(REGISTER);
  clock.advance(301_000); // the nonce has expired on the server
  const late = cache.authorize(REGISTER)[0]!;
  t.deepEqual(check(late), { ok: false, reason: 'stale' });
  const retry = cache.challenge(401, challenges(true), REGISTER, out.headers);
  if (!retry.ok) return t.fail(retry.reason);
  t.is(param(retry.headers[0]!, 'nc'), '00000001');
  t.not(param(retry.headers[0]!, 'nonce'), param(late, 'nonce'));
  t.deepEqual(check(retry.headers[0]!), { ok: true, username: 'alice' });
});

test('a preemptive nonce the server forgot (no stale flag) gets one fresh try', (t) => {
  const { cache, check, challenges } = setup();
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail();
  const pre = cache.authorize(REGISTER);
  const retry = cache.challenge(401, challenges(), REGISTER, pre);
  if (!retry.ok) return t.fail(retry.reason);
  t.deepEqual(check(retry.headers[0]!), { ok: true, username: 'alice' });
});

test('407 gives Proxy-Authorization; both realms are carried when the registrar then challenges', (t) => {
  const proxy = new DigestVerifier({
    crypto, random: new CountingRandom(), clock: new VirtualClock(), realm: 'proxy.example', algorithms: ['MD5'],
    passwordFor: () => 'pp',
  });
  const { check, challenges } = setup();
  const c = new CredentialsCache({
    crypto, random: new CountingRandom(),
    credentials: (realm) => (realm === 'proxy.example' ? { username: 'alice', password: 'pp' } : { username: 'alice', password: 's3cr3t' }),
  });
  const p = c.challenge(407, proxy.challenge().map((v) => parseAuth(v)), REGISTER);
  if (!p.ok) return t.fail();
  t.is(p.headers[0]!.name, 'Proxy-Authorization');
  t.deepEqual(proxy.verify(parseAuth(p.headers[0]!.value), REGISTER), { ok: true, username: 'alice' });
  const w = c.challenge(401, challenges(), REGISTER, p.headers);
  if (!w.ok) return t.fail(w.reason);
  t.deepEqual(w.headers.map((h) => [h.name, h.realm]), [['Authorization', 'example.com'], ['Proxy-Authorization', 'proxy.example']]);
  t.deepEqual(check(w.headers[0]!), { ok: true, username: 'alice' });
  t.deepEqual(proxy.verify(parseAuth(w.headers[1]!.value), REGISTER), { ok: true, username: 'alice' });
  t.is(param(w.headers[1]!, 'nc'), '00000002');
  t.deepEqual(c.realms.sort(), ['example.com', 'proxy.example']);
});

test('one realm challenged by 401 and 407: REGISTER carries only Authorization, INVITE only Proxy-Authorization', (t) => {
  const { cache, challenges, check } = setup();
  const invite = { method: 'INVITE', uri: 'sip:bob@example.com' };
  const w = cache.challenge(401, challenges(), REGISTER);
  const p = cache.challenge(407, challenges(), invite);
  if (!w.ok || !p.ok) return t.fail();
  const onRegister = cache.authorize(REGISTER);
  t.deepEqual(onRegister.map((h) => h.name), ['Authorization']);
  t.deepEqual(check(onRegister[0]!), { ok: true, username: 'alice' });
  t.deepEqual(cache.authorize(invite).map((h) => h.name), ['Proxy-Authorization']);
  t.deepEqual(cache.authorize({ method: 'BYE', uri: 'sip:bob@example.com' }).map((h) => h.name), ['Proxy-Authorization']);
});

test('no credentials for the realm, or nothing we support, are told apart', (t) => {
  const { cache } = setup();
  t.deepEqual(cache.challenge(401, [parseAuth('Digest realm="other", nonce="n"')], REGISTER), {
    ok: false, reason: 'no-credentials', realm: 'other',
  });
  t.deepEqual(cache.challenge(401, [parseAuth('Basic realm="example.com"')], REGISTER), { ok: false, reason: 'unsupported' });
});

test('MD5-sess keeps its cnonce for the life of the nonce; the verifier accepts every request', (t) => {
  const { cache, check, challenges } = setup('s3cr3t', { algorithms: ['MD5-sess'] });
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail();
  const later = cache.authorize(REGISTER)[0]!;
  t.is(param(later, 'cnonce'), param(out.headers[0]!, 'cnonce'));
  t.deepEqual(check(out.headers[0]!), { ok: true, username: 'alice' });
  t.deepEqual(check(later), { ok: true, username: 'alice' });
});

test('no-qop challenges are answered in the RFC 2069 form and verified', (t) => {
  const { cache, check, challenges } = setup('s3cr3t', { qop: false, algorithms: ['MD5'] });
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail();
  const h = out.headers[0]!;
  t.false('qop' in parseAuth(h.value).params);
  t.false('nc' in parseAuth(h.value).params);
  t.false('cnonce' in parseAuth(h.value).params);
  t.deepEqual(check(h), { ok: true, username: 'alice' });
});

test('the verifier checks the uri and the user', (t) => {
  const { cache, check, challenges, server } = setup();
  const out = cache.challenge(401, challenges(), REGISTER);
  if (!out.ok) return t.fail();
  t.deepEqual(check(out.headers[0]!, { method: 'REGISTER', uri: 'sip:evil.example' }), { ok: false, reason: 'wrong-response' });
  t.deepEqual(check(out.headers[0]!, { method: 'INVITE', uri: 'sip:example.com' }), { ok: false, reason: 'wrong-response' });
  const v = parseAuth(out.headers[0]!.value);
  t.deepEqual(server.verify({ ...v, params: { ...v.params, username: 'mallory' } }, REGISTER), { ok: false, reason: 'unknown-user' });
  t.deepEqual(server.verify({ ...v, params: { ...v.params, realm: 'x' } }, REGISTER), { ok: false, reason: 'realm' });
});
