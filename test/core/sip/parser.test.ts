import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import { DEFAULT_LIMITS, parseMessage, isKeepAlive } from '../../../src/sip/parser/index.js';
import { canonicalName, idOf, H } from '../../../src/sip/header-names.js';
import { isSipUri } from '../../../src/sip/uri.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const INVITE =
  'INVITE sip:bob@biloxi.example.com SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n' +
  'Max-Forwards: 70\r\n' +
  'To: Bob <sip:bob@biloxi.example.com>\r\n' +
  'From: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n' +
  'CSeq: 314159 INVITE\r\n' +
  'Contact: <sip:alice@pc33.atlanta.example.com>\r\n' +
  'Content-Type: application/sdp\r\n' +
  `Content-Length: ${SDP.length}\r\n\r\n` + SDP;

test('request: start line, hot fields and body view', (t) => {
  const b = bytes(INVITE);
  const m = parseMessage(b);
  t.is(m.kind, 'request');
  if (m.kind !== 'request') return;
  t.is(m.method, 'INVITE');
  t.is(m.version, 'SIP/2.0');
  t.is(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  t.deepEqual(m.cseq, { seq: 314159, method: 'INVITE' });
  t.is(m.from.params['tag'], '1928301774');
  t.is(m.from.displayName, 'Alice A.');
  t.is(m.via[0]!.branch, 'z9hG4bK776asdhds');
  t.is(m.via[0]!.rport, null);
  t.is(m.maxForwards, 70);
  t.is(m.contentLength, SDP.length);
  t.is(m.contentType!.subtype, 'sdp');
  t.is(dec.decode(m.body), SDP);
  t.is(m.body.buffer, b.buffer, 'body is a view, not a copy');
  t.is(m.raw.length, b.length);
  const u = m.uri;
  t.true(isSipUri(u) && u.host === 'biloxi.example.com');
  t.false('tag' in m.to.params);
  t.is(m.expires, undefined);
  t.deepEqual(m.route, []);
});

test('typed values are parsed once and cached', (t) => {
  const m = parseMessage(bytes(INVITE));
  t.is(m.from, m.from);
  t.is(m.via, m.via);
  t.is(m.cseq, m.cseq);
});

test('response: status, reason, empty reason phrase', (t) => {
  const m = parseMessage(bytes('SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n'));
  t.is(m.kind, 'response');
  if (m.kind !== 'response') return;
  t.is(m.status, 180);
  t.is(m.reason, 'Ringing');
  t.is(m.body.length, 0);
  const n = parseMessage(bytes('SIP/2.0 100 \r\nCall-ID: x\r\n\r\n'));
  if (n.kind === 'response') t.is(n.reason, '');
});

test('header names: case-insensitive, compact forms, canonical names', (t) => {
  const m = parseMessage(bytes(
    'OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/TCP h1;branch=z9hG4bKa\r\nVIA: SIP/2.0/UDP h2;branch=z9hG4bKb\r\n' +
    'i: cid1\r\nf: <sip:x@y>;tag=1\r\nt: sip:z@y\r\nCSEQ: 5 OPTIONS\r\nm: <sip:c@d>\r\nc: text/plain\r\nk: timer\r\n' +
    'o: presence\r\nx: 1800\r\ns: hello\r\nL: 0\r\n\r\n'));
  t.is(m.callId, 'cid1');
  t.is(m.header('Call-ID'), 'cid1');
  t.is(m.header('CALL-ID'), 'cid1');
  t.is(m.header('i'), 'cid1');
  t.is(m.via.length, 2);
  t.is(m.via[1]!.host, 'h2');
  t.is(m.headers('Via').length, 2);
  t.is(m.from.params['tag'], '1');
  t.is(m.header('Subject'), 'hello');
  t.is(m.contentLength, 0);
  t.is((m as unknown as { event: { type: string } }).event.type, 'presence');
  t.deepEqual((m as unknown as { supported: string[] }).supported, ['timer']);
  t.is(canonicalName('call-id'), 'Call-ID');
  t.is(canonicalName('www-authenticate'), 'WWW-Authenticate');
  t.is(canonicalName('X-Custom'), 'X-Custom');
  for (const [c, full] of [['i', 'Call-ID'], ['m', 'Contact'], ['f', 'From'], ['t', 'To'], ['v', 'Via'], ['l', 'Content-Length'],
    ['c', 'Content-Type'], ['k', 'Supported'], ['s', 'Subject'], ['e', 'Content-Encoding'], ['o', 'Event'], ['r', 'Refer-To'],
    ['b', 'Referred-By'], ['u', 'Allow-Events'], ['x', 'Session-Expires']] as const) {
    t.is(canonicalName(c), full, c);
    t.is(idOf(c), idOf(full));
  }
  t.is(idOf('cOnTaCt'), H.Contact);
});

test('folding (LWS, §7.3.1) is unfolded to single spaces', (t) => {
  const m = parseMessage(bytes(
    'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP\r\n h1;branch=z9hG4bKa\r\nSubject: first\r\n\t second\r\n   third\r\n' +
    'Contact:\r\n  <sip:c@d>\r\nCall-ID: x\r\n\r\n'));
  t.is(m.header('subject'), 'first second third');
  t.is(m.via[0]!.host, 'h1');
  const c = m.contact;
  t.true(Array.isArray(c) && c.length === 1);
  t.is(m.header('Contact'), '<sip:c@d>');
});

test('several Via values on one line and across lines, in order', (t) => {
  const m = parseMessage(bytes(
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b:5061;branch=z9hG4bK2\r\nv: SIP/2.0/TLS c;branch=z9hG4bK3;received=192.0.2.9;rport=5070\r\n\r\n'));
  t.deepEqual(m.via.map((v) => v.host), ['a', 'b', 'c']);
  t.is(m.via[1]!.port, 5061);
  t.is(m.via[2]!.received, '192.0.2.9');
  t.is(m.via[2]!.rport, 5070);
  t.deepEqual(m.headers('via').length, 3);
});

test('bare LF line ends are tolerated', (t) => {
  const m = parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\nCall-ID: lf\nCSeq: 1 OPTIONS\nContent-Length: 2\n\nhi'));
  t.is(m.callId, 'lf');
  t.is(dec.decode(m.body), 'hi');
});

test('datagram: no Content-Length means the rest of the datagram; extra bytes after it are ignored', (t) => {
  const a = parseMessage(bytes('MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nhello'));
  t.is(dec.decode(a.body), 'hello');
  const b = parseMessage(bytes('MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: 3\r\n\r\nhello'));
  t.is(dec.decode(b.body), 'hel');
  t.true(dec.decode(b.raw).endsWith('\r\n\r\nhel'));
  const c = parseMessage(bytes('\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nCall-ID: lead\r\n\r\n'));
  t.is(c.callId, 'lead');
});

test('keep-alive datagrams are recognised and are not messages', (t) => {
  t.true(isKeepAlive(bytes('\r\n\r\n')));
  t.false(isKeepAlive(bytes('OPTIONS')));
  t.throws(() => parseMessage(bytes('\r\n\r\n')), { instanceOf: SipError });
});

test('framing errors throw SipError with the defect named', (t) => {
  const e1 = t.throws(() => parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nabc')), { instanceOf: SipError });
  t.regex(e1!.message, /larger than/);
  const e2 = t.throws(() => parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n')), { instanceOf: SipError });
  t.regex(e2!.message, /Content-Length/);
  const e3 = t.throws(() => parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 1\r\n\r\nx')), { instanceOf: SipError });
  t.regex(e3!.message, /multiple Content-Length/);
  const e4 = t.throws(() => parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nNoColonHere\r\n\r\n')), { instanceOf: SipError });
  t.regex(e4!.message, /missing colon/);
  const e5 = t.throws(() => parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x')), { instanceOf: SipError });
  t.regex(e5!.message, /incomplete/);
  t.throws(() => parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\n folded-first: x\r\n\r\n')), { message: /continuation/ });
});

test('start line defects: each gets its own reason and status', (t) => {
  const cases: Array<[string, RegExp, number]> = [
    ['INVITE  sip:a@b SIP/2.0', /extra whitespace/, 400],
    ['INVITE sip:a@b SIP/2.0 ', /trailing whitespace/, 400],
    ['INVITE sip:a@b; lr SIP/2.0', /Request-URI: contains whitespace/, 400],
    ['INVITE <sip:a@b> SIP/2.0', /enclosed in <>/, 400],
    ['INVITE sip:a@b SIP/7.0', /version not supported/, 505],
    ['INVITE sip:a@b HTTP/1.1', /bad SIP-Version/, 400],
    ['IN(VITE sip:a@b SIP/2.0', /not a token/, 400],
    ['INVITE', /missing Request-URI/, 400],
    ['SIP/2.0 4294967301 big', /3 digits/, 400],
    ['SIP/2.0 099 low', /out of range/, 400],
    ['SIP/2.0 20 OK', /3 digits/, 400],
  ];
  for (const [line, re, status] of cases) {
    const e = t.throws(() => parseMessage(bytes(line + '\r\nCall-ID: x\r\n\r\n')), { instanceOf: SipError }, line);
    t.regex(e!.message, re, line);
    t.is((e as SipError).status, status, line);
  }
  const m = parseMessage(bytes('invite sip:a@b sip/2.0\r\n\r\n'));
  t.is(m.kind === 'request' && m.method, 'invite');
});

test('malformed header values throw only when read', (t) => {
  const m = parseMessage(bytes('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;;\r\nCSeq: x OPTIONS\r\nCall-ID: ok\r\n\r\n'));
  t.is(m.callId, 'ok');
  t.throws(() => m.via, { instanceOf: SipError, message: /Via/ });
  t.throws(() => m.cseq, { instanceOf: SipError, message: /CSeq/ });
  t.throws(() => m.from, { instanceOf: SipError, message: /missing From/ });
});

test('limits: start line, header bytes, header count, body', (t) => {
  const long = 'OPTIONS sip:' + 'a'.repeat(200) + '@b SIP/2.0\r\n\r\n';
  t.is((t.throws(() => parseMessage(bytes(long), { startLineBytes: 100 })) as SipError).status, 513);
  const many = 'OPTIONS sip:a@b SIP/2.0\r\n' + 'X-A: 1\r\n'.repeat(20) + '\r\n';
  t.is((t.throws(() => parseMessage(bytes(many), { headerCount: 10 }), { message: /too many header/ }) as SipError).status, 513);
  t.notThrows(() => parseMessage(bytes(many), { headerCount: 20 }));
  t.is((t.throws(() => parseMessage(bytes(many), { headerBytes: 100 }), { message: /header section too large/ }) as SipError).status, 513);
  const body = 'MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 50\r\n\r\n' + 'x'.repeat(50);
  t.is((t.throws(() => parseMessage(bytes(body), { bodyBytes: 10 }), { message: /body too large/ }) as SipError).status, 413);
  t.true(DEFAULT_LIMITS.headerBytes >= 4096);
});

test('raw access: header(), headers() splitting lists, headerLines() in wire order', (t) => {
  const m = parseMessage(bytes(
    'OPTIONS sip:a@b SIP/2.0\r\nContact: "A, B" <sip:a@b>;q=0.5, <sip:c@d>\r\nAllow: INVITE, ACK\r\nAllow: BYE\r\n' +
    'X-Thing : spaced\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\nCall-ID: x\r\n\r\n'));
  t.deepEqual(m.headers('Contact'), ['"A, B" <sip:a@b>;q=0.5', '<sip:c@d>']);
  t.deepEqual(m.headers('allow'), ['INVITE', 'ACK', 'BYE']);
  t.deepEqual(m.headers('Date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  t.is(m.header('x-thing'), 'spaced');
  t.is(m.header('Nope'), undefined);
  t.deepEqual(m.headers('Nope'), []);
  t.deepEqual(m.headerLines().map(([n]) => n), ['Contact', 'Allow', 'Allow', 'X-Thing', 'Date', 'Call-ID']);
  const c = m.contact;
  t.true(Array.isArray(c) && c.length === 2 && c[0]!.displayName === 'A, B');
  t.deepEqual((m as unknown as { allow: string[] }).allow, ['INVITE', 'ACK', 'BYE']);
});

test('Contact: * and mixing it with addresses', (t) => {
  const m = parseMessage(bytes('REGISTER sip:r SIP/2.0\r\nContact: *\r\nExpires: 0\r\n\r\n'));
  t.is(m.contact, '*');
  t.is(m.expires, 0);
  const bad = parseMessage(bytes('REGISTER sip:r SIP/2.0\r\nContact: *\r\nContact: <sip:a@b>\r\n\r\n'));
  t.throws(() => bad.contact, { instanceOf: SipError });
});

test('typed getters for authentication and extension headers', (t) => {
  const m = parseMessage(bytes(
    'SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm="r", nonce="n1", qop="auth"\r\n' +
    'WWW-Authenticate: Digest realm="r", nonce="n2", algorithm=SHA-256\r\nMin-Expires: 60\r\nRSeq: 7\r\n' +
    'Require: 100rel\r\nUnsupported: foo\r\nServer: test/1\r\nWarning: 399 host "text"\r\n' +
    'Session-Expires: 1800;refresher=uac\r\nRetry-After: 30\r\n\r\n'));
  const x = m as unknown as Record<string, any>;
  t.is(x.wwwAuthenticate.length, 2);
  t.is(x.wwwAuthenticate[1].params.algorithm, 'SHA-256');
  t.is(x.minExpires, 60);
  t.is(x.rseq, 7);
  t.deepEqual(x.require, ['100rel']);
  t.deepEqual(x.unsupported, ['foo']);
  t.is(x.server, 'test/1');
  t.is(x.warning[0].code, 399);
  t.is(x.sessionExpires.delta, 1800);
  t.is(x.retryAfter.delta, 30);
  t.is(x.userAgent, undefined);
  t.is(x.accept, undefined);
});

test('non-ASCII (UTF-8) header values and reason phrases decode correctly', (t) => {
  const m = parseMessage(bytes('SIP/2.0 200 Très bien\r\nSubject: café ☎\r\nCall-ID: u@x\r\nContent-Length: 2\r\n\r\nok'));
  t.is(m.kind === 'response' && m.reason, 'Très bien');
  t.is(m.header('Subject'), 'café ☎');
  t.is(dec.decode(m.body), 'ok');
});
