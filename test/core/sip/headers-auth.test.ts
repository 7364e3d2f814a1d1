import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import { authQop, formatAuth, parseAuth } from '../../../src/sip/headers/auth.js';

test('WWW-Authenticate challenge (RFC 3261 §20.44 example)', (t) => {
  const v = parseAuth(
    'Digest realm="atlanta.com",\r\n domain="sip:boxesbybob.com", qop="auth",\r\n nonce="f84f1cec41e6cbe5aea9c8e88d359",\r\n opaque="", stale=FALSE, algorithm=MD5',
    'WWW-Authenticate',
  );
  t.is(v.scheme, 'Digest');
  t.deepEqual(v.params, {
    realm: 'atlanta.com',
    domain: 'sip:boxesbybob.com',
    qop: 'auth',
    nonce: 'f84f1cec41e6cbe5aea9c8e88d359',
    opaque: '',
    stale: 'FALSE',
    algorithm: 'MD5',
  });
  t.is(
    formatAuth(v),
    'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
  );
});

test('Authorization credentials (RFC 3261 §20.7 example), names case-insensitive, LWS around =', (t) => {
  const v = parseAuth(
    'Digest username="Alice", realm="atlanta.com",\r\n nonce="84a4cc6f3082121f32b42a2187831a9e",\r\n Response = "7587245234b3434cc3412213e5f113a5432" , URI="sip:alice@atlanta.com;transport=udp", qop=auth, nc=00000001, cnonce="0a4f113b", userhash=false',
  );
  t.deepEqual(v.params, {
    username: 'Alice',
    realm: 'atlanta.com',
    nonce: '84a4cc6f3082121f32b42a2187831a9e',
    response: '7587245234b3434cc3412213e5f113a5432',
    uri: 'sip:alice@atlanta.com;transport=udp',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
    userhash: 'false',
  });
  t.is(
    formatAuth(v),
    'Digest username="Alice", realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", response="7587245234b3434cc3412213e5f113a5432", uri="sip:alice@atlanta.com;transport=udp", qop=auth, nc=00000001, cnonce="0a4f113b", userhash=false',
  );
  t.deepEqual(parseAuth(formatAuth(v)), v);
});

test('quoted values keep commas and escaped quotes', (t) => {
  const v = parseAuth('Digest realm="a, \\"b\\"", qop="auth,auth-int", algorithm=SHA-256', 'Proxy-Authenticate');
  t.is(v.params['realm'], 'a, "b"');
  t.deepEqual(authQop(v), ['auth', 'auth-int']);
  t.is(formatAuth(v), 'Digest realm="a, \\"b\\"", qop="auth,auth-int", algorithm=SHA-256');
  t.deepEqual(authQop(parseAuth('Digest realm="x"')), []);
  t.deepEqual(authQop(parseAuth('Digest qop=" auth , auth-int "')), ['auth', 'auth-int']);
});

test('a scheme alone has no params', (t) => {
  t.deepEqual(parseAuth('Digest'), { scheme: 'Digest', params: {} });
  t.deepEqual(parseAuth('  Digest  '), { scheme: 'Digest', params: {} });
});

test('token68 credentials (RFC 7235, RFC 8898 Bearer) for schemes other than Digest', (t) => {
  const v = parseAuth('Bearer mF_9.B5f-4.1JqM/x+y==', 'Authorization');
  t.deepEqual(v, { scheme: 'Bearer', params: {}, token68: 'mF_9.B5f-4.1JqM/x+y==' });
  t.is(formatAuth(v), 'Bearer mF_9.B5f-4.1JqM/x+y==');
  t.deepEqual(parseAuth('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== '), { scheme: 'Basic', params: {}, token68: 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==' });
  // auth-params still win when the value has the name=value form
  t.deepEqual(parseAuth('Bearer realm="x", error="invalid_token"'), { scheme: 'Bearer', params: { realm: 'x', error: 'invalid_token' } });
  t.throws(() => parseAuth('Bearer a b'), { instanceOf: SipError, message: /expected '=' after a/ });
});

const bad: Array<[string, RegExp]> = [
  ['', /bad Authorization: missing auth scheme/],
  ['Digest realm', /expected '=' after realm/],
  ['Digest realm=', /bad value for realm/],
  ['Digest realm="x" nonce="y"', /expected ',' after realm, found 'n'/],
  ['Digest realm="x",, nonce="y"', /expected parameter name, found ','/],
  ['Digest realm="x",', /expected parameter name, found end of value/],
  ['Digest realm="x', /unterminated quoted string in Authorization/],
  ['Digest realm="x", realm="y"', /duplicate parameter realm/],
  ['Digest uri=sip:a@b', /expected ',' after uri, found ':'/],
  ['Digest,realm="x"', /expected LWS after Digest/],
];

for (const [text, message] of bad) {
  test(`parseAuth rejects ${JSON.stringify(text)}`, (t) => {
    const e = t.throws(() => parseAuth(text), { instanceOf: SipError, message }) as SipError | undefined;
    t.is(e?.status, 400);
  });
}
