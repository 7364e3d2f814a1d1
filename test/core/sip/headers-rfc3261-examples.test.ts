// RFC 3261 §20: the example of every header field whose value has a grammar, through the matching parser.
import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import type { Contact } from '../../../src/sip/message.js';
import { authQop, parseAuth, parseAuthParams } from '../../../src/sip/headers/auth.js';
import { contactExpires, parseContactList } from '../../../src/sip/headers/contact.js';
import { parseCSeq } from '../../../src/sip/headers/cseq.js';
import { parseCallId, parseCallIdList, parseDate, parseRetryAfter, parseWarning } from '../../../src/sip/headers/dialog-headers.js';
import { parseMediaType } from '../../../src/sip/headers/media-type.js';
import { parseNameAddr, parseNameAddrList } from '../../../src/sip/headers/name-addr.js';
import {
  formatTokenWithParams,
  parseAccept,
  parseProducts,
  parseTimestamp,
  parseTokenList,
  parseTokenParamsList,
  parseTokenWithParams,
  parseUInt,
} from '../../../src/sip/headers/simple.js';
import { parseVia } from '../../../src/sip/headers/via.js';
import { formatUri } from '../../../src/sip/uri.js';

test('§20.1 Accept', (t) => {
  t.deepEqual(parseAccept('application/sdp;level=1, application/x-private, text/html').map((m) => m.subtype), ['sdp', 'x-private', 'html']);
});

test('§20.2 Accept-Encoding and §20.3 Accept-Language: tokens with q', (t) => {
  t.deepEqual(parseTokenParamsList('gzip'), [{ value: 'gzip', params: {} }]);
  t.deepEqual(parseTokenParamsList('gzip;q=1.0, identity; q=0.5, *;q=0'), [
    { value: 'gzip', params: { q: '1.0' } },
    { value: 'identity', params: { q: '0.5' } },
    { value: '*', params: { q: '0' } },
  ]);
  t.deepEqual(parseTokenParamsList('da, en-gb;q=0.8, en;q=0.7').map((v) => v.value), ['da', 'en-gb', 'en']);
  t.deepEqual(parseTokenParamsList(''), []);
  t.throws(() => parseTokenParamsList('da,,en', 'Accept-Language'), { instanceOf: SipError, message: "bad Accept-Language: expected token, found ','" });
});

test('§20.4 Alert-Info, §20.9 Call-Info, §20.18 Error-Info', (t) => {
  t.is(formatUri(parseNameAddrList('<http://www.example.com/sounds/moo.wav>', 'Alert-Info')[0]!.uri), 'http://www.example.com/sounds/moo.wav');
  const info = parseNameAddrList('<http://wwww.example.com/alice/photo.jpg> ;purpose=icon,\r\n <http://www.example.com/alice/> ;purpose=info', 'Call-Info');
  t.deepEqual(info.map((i) => [formatUri(i.uri), i.params['purpose']]), [
    ['http://wwww.example.com/alice/photo.jpg', 'icon'],
    ['http://www.example.com/alice/', 'info'],
  ]);
  t.is(formatUri(parseNameAddrList('<sip:not-in-service-recording@atlanta.com>', 'Error-Info')[0]!.uri), 'sip:not-in-service-recording@atlanta.com');
});

test('§20.5 Allow, §20.29 Proxy-Require, §20.32 Require, §20.37 Supported, §20.40 Unsupported, §20.12 Content-Encoding', (t) => {
  t.deepEqual(parseTokenList('INVITE, ACK, OPTIONS, CANCEL, BYE'), ['INVITE', 'ACK', 'OPTIONS', 'CANCEL', 'BYE']);
  t.deepEqual(parseTokenList('foo'), ['foo']);
  t.deepEqual(parseTokenList('100rel'), ['100rel']);
  t.deepEqual(parseTokenList('gzip'), ['gzip']);
});

test('§20.6 Authentication-Info', (t) => {
  t.deepEqual(parseAuthParams('nextnonce="47364c23432d2e131a5fb210812c"'), { nextnonce: '47364c23432d2e131a5fb210812c' });
  t.deepEqual(parseAuthParams('qop=auth, rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc=00000001'), {
    qop: 'auth',
    rspauth: '6629fae49393a05397450978507c4ef1',
    cnonce: '0a4f113b',
    nc: '00000001',
  });
  t.deepEqual(parseAuthParams(''), {});
  t.throws(() => parseAuthParams('nextnonce'), { instanceOf: SipError, message: /bad Authentication-Info: expected '=' after nextnonce/ });
});

test('§20.7 Authorization, §20.27 Proxy-Authenticate, §20.28 Proxy-Authorization, §20.44 WWW-Authenticate', (t) => {
  const a = parseAuth('Digest username="Alice", realm="atlanta.com",\r\n nonce="84a4cc6f3082121f32b42a2187831a9e",\r\n response="7587245234b3434cc3412213e5f113a5432"');
  t.is(a.params['username'], 'Alice');
  const pa = parseAuth('Digest realm="atlanta.com",\r\n domain="sip:ss1.carrier.com", qop="auth",\r\n nonce="f84f1cec41e6cbe5aea9c8e88d359",\r\n opaque="", stale=FALSE, algorithm=MD5', 'Proxy-Authenticate');
  t.deepEqual(authQop(pa), ['auth']);
  const pz = parseAuth('Digest username="Alice", realm="atlanta.com",\r\n nonce="c60f3082ee1212b402a21831ae",\r\n response="245f23415f11432b3434341c022"', 'Proxy-Authorization');
  t.is(pz.params['nonce'], 'c60f3082ee1212b402a21831ae');
  const w = parseAuth('Digest realm="atlanta.com",\r\n domain="sip:boxesbybob.com", qop="auth",\r\n nonce="f84f1cec41e6cbe5aea9c8e88d359",\r\n opaque="", stale=FALSE, algorithm=MD5', 'WWW-Authenticate');
  t.is(w.params['stale'], 'FALSE');
});

test('§20.8 Call-ID and §20.21 In-Reply-To', (t) => {
  t.is(parseCallId('f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com'), 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com');
  t.is(parseCallId('f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.4'), 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.4');
  t.deepEqual(parseCallIdList('70710@saturn.bell-tel.com, 17320@saturn.bell-tel.com'), ['70710@saturn.bell-tel.com', '17320@saturn.bell-tel.com']);
  t.throws(() => parseCallIdList('a@b c'), { instanceOf: SipError, message: "bad In-Reply-To: unexpected 'c'" });
});

test('§20.10 Contact', (t) => {
  const l = parseContactList('"Mr. Watson" <sip:watson@worcester.bell-telephone.com>\r\n ;q=0.7; expires=3600,\r\n "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1') as Contact[];
  t.is(l.length, 2);
  t.is(contactExpires(l[0]!), 3600);
  const m = parseContactList('<sips:bob@192.0.2.4>;expires=60') as Contact[];
  t.is(formatUri(m[0]!.uri), 'sips:bob@192.0.2.4');
  t.is(contactExpires(m[0]!), 60);
});

test('§20.11 Content-Disposition, §20.26 Priority', (t) => {
  t.deepEqual(parseTokenWithParams('session'), { value: 'session', params: {} });
  t.deepEqual(parseTokenWithParams('session;handling=optional'), { value: 'session', params: { handling: 'optional' } });
  t.deepEqual(parseTokenWithParams('emergency'), { value: 'emergency', params: {} });
  t.is(formatTokenWithParams({ value: 'render', params: { handling: 'required' } }), 'render;handling=required');
  t.throws(() => parseTokenWithParams('session handling', 'Content-Disposition'), { instanceOf: SipError, message: "bad Content-Disposition: unexpected 'h'" });
});

test('§20.14 Content-Length, §20.19 Expires, §20.22 Max-Forwards, §20.23 Min-Expires', (t) => {
  t.is(parseUInt('349', 'Content-Length'), 349);
  t.is(parseUInt('5', 'Expires'), 5);
  t.is(parseUInt('6', 'Max-Forwards'), 6);
  t.is(parseUInt('60', 'Min-Expires'), 60);
});

test('§20.15 Content-Type', (t) => {
  t.deepEqual(parseMediaType('application/sdp'), { type: 'application', subtype: 'sdp', params: {} });
  t.deepEqual(parseMediaType('text/html; charset=ISO-8859-4'), { type: 'text', subtype: 'html', params: { charset: 'ISO-8859-4' } });
});

test('§20.16 CSeq, §20.17 Date', (t) => {
  t.deepEqual(parseCSeq('4711 INVITE'), { seq: 4711, method: 'INVITE' });
  t.is(parseDate('Sat, 13 Nov 2010 23:29:00 GMT'), Date.UTC(2010, 10, 13, 23, 29, 0));
});

test('§20.20 From, §20.31 Reply-To, §20.39 To', (t) => {
  t.is(parseNameAddr('"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s').params['tag'], 'a48s');
  t.is(parseNameAddr('sip:+12125551212@server.phone2net.com;tag=887s').params['tag'], '887s');
  t.is(parseNameAddr('Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8').displayName, 'Anonymous');
  t.is(parseNameAddr('Bob <sip:bob@biloxi.com>', 'Reply-To').displayName, 'Bob');
  t.is(parseNameAddr('The Operator <sip:operator@cs.columbia.edu>;tag=287447').params['tag'], '287447');
  t.deepEqual(parseNameAddr('sip:+12125551212@server.phone2net.com').params, {});
});

test('§20.30 Record-Route, §20.34 Route', (t) => {
  const rr = parseNameAddrList('<sip:server10.biloxi.com;lr>,\r\n <sip:bigbox3.site3.atlanta.com;lr>', 'Record-Route');
  t.deepEqual(rr.map((r) => formatUri(r.uri)), ['sip:server10.biloxi.com;lr', 'sip:bigbox3.site3.atlanta.com;lr']);
  const r = parseNameAddrList('<sip:bigbox3.site3.atlanta.com;lr>,\r\n <sip:server10.biloxi.com;lr>', 'Route');
  t.is(r.length, 2);
});

test('§20.33 Retry-After, §20.43 Warning', (t) => {
  t.deepEqual(parseRetryAfter('18000;duration=3600'), { delta: 18000, duration: 3600, params: { duration: '3600' } });
  t.is(parseRetryAfter("120 (I'm in a meeting)").comment, "I'm in a meeting");
  t.deepEqual(parseWarning('307 isi.edu "Session parameter \'foo\' not understood"')[0]!.code, 307);
  t.deepEqual(parseWarning('301 isi.edu "Incompatible network address type \'E.164\'"')[0]!.agent, 'isi.edu');
});

test('§20.35 Server, §20.41 User-Agent', (t) => {
  t.deepEqual(parseProducts('HomeServer v2', 'Server'), [{ name: 'HomeServer' }, { name: 'v2' }]);
  t.deepEqual(parseProducts('Softphone Beta1.5'), [{ name: 'Softphone' }, { name: 'Beta1.5' }]);
  t.deepEqual(parseProducts('xsphone/0.1 (ESP32; rev (B)) SIP/2.0'), [
    { name: 'xsphone', version: '0.1', comment: 'ESP32; rev (B)' },
    { name: 'SIP', version: '2.0' },
  ]);
  t.deepEqual(parseProducts('(just a comment)'), [{ name: '', comment: 'just a comment' }]);
  t.throws(() => parseProducts('a/ (x)'), { instanceOf: SipError, message: 'bad User-Agent: missing product version after a/' });
  t.throws(() => parseProducts('a (open'), { instanceOf: SipError, message: 'bad User-Agent: unterminated comment' });
});

test('§20.38 Timestamp', (t) => {
  t.deepEqual(parseTimestamp('54'), { value: 54 });
  t.deepEqual(parseTimestamp('54.3 0.5'), { value: 54.3, delay: 0.5 });
  t.deepEqual(parseTimestamp('54. .5'), { value: 54, delay: 0.5 });
  t.throws(() => parseTimestamp('x'), { instanceOf: SipError, message: /bad Timestamp: expected a number/ });
  t.throws(() => parseTimestamp('54 x'), { instanceOf: SipError, message: "bad Timestamp: unexpected 'x'" });
});

test('§20.42 Via', (t) => {
  const v = parseVia('SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7');
  t.is(v[0]!.port, 5060);
  const w = parseVia('SIP/2.0/UDP 192.0.2.1:5060 ;received=192.0.2.207\r\n ;branch=z9hG4bK77asjd');
  t.is(w[0]!.received, '192.0.2.207');
  const x = parseVia('SIP / 2.0 / UDP first.example.com: 4000;ttl=16\r\n ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1');
  t.deepEqual([x[0]!.host, x[0]!.port, x[0]!.params['ttl'], x[0]!.params['maddr']], ['first.example.com', 4000, '16', '224.2.0.1']);
});
