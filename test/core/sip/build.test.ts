import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import { buildRequest, buildResponse, reasonPhrase } from '../../../src/sip/build.js';
import { encodeMessage, serialize } from '../../../src/sip/serialize.js';
import { parseMessage } from '../../../src/sip/parser/index.js';
import { isSipUri } from '../../../src/sip/uri.js';
import type { SipMessage, SipRequest } from '../../../src/sip/message.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function invite(): ReturnType<typeof buildRequest> {
  return buildRequest({
    method: 'INVITE',
    uri: 'sip:bob@biloxi.example.com',
    via: { protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.example.com', port: 5060, params: {}, branch: 'z9hG4bK74bf9', rport: null },
    from: '"Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl',
    to: 'Bob <sip:bob@biloxi.example.com>',
    callId: '3848276298220188511@atlanta.example.com',
    cseq: 1,
    contact: '<sip:alice@pc33.atlanta.example.com>',
    headers: [['Allow', 'INVITE, ACK, BYE'], ['X-Custom', 'yes']],
    body: 'v=0\r\n',
    contentType: 'application/sdp',
  });
}

/** The observable content of a message, for round-trip comparison. */
function view(m: SipMessage): unknown {
  return {
    start: m.kind === 'request' ? [m.method, JSON.stringify(m.uri)] : [m.status, m.reason],
    headers: m.headerLines().filter(([n]) => n.toLowerCase() !== 'content-length'),
    body: dec.decode(m.body),
    callId: m.callId,
    cseq: m.cseq,
    via: m.via,
    fromTag: m.from.params['tag'],
  };
}

test('buildRequest: fields, defaults and typed getters', (t) => {
  const r = invite();
  t.is(r.kind, 'request');
  t.is(r.method, 'INVITE');
  t.true(isSipUri(r.uri) && r.uri.user === 'bob');
  t.is(r.maxForwards, 70);
  t.deepEqual(r.cseq, { seq: 1, method: 'INVITE' });
  t.is(r.via[0]!.branch, 'z9hG4bK74bf9');
  t.is(r.via[0]!.rport, null);
  t.is(r.from.params['tag'], '9fxced76sl');
  t.is(r.from.displayName, 'Alice');
  t.is(r.header('x-custom'), 'yes');
  t.is(r.contentType!.subtype, 'sdp');
  t.deepEqual(r.headerLines().map(([n]) => n), ['Via', 'Max-Forwards', 'To', 'From', 'Call-ID', 'CSeq', 'Contact', 'Allow', 'X-Custom', 'Content-Type']);
});

test('serialize writes a matching Content-Length and parse(serialize(m)) round-trips', (t) => {
  const r = invite();
  const bytes = serialize(r);
  const text = dec.decode(bytes);
  t.true(text.startsWith('INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com:5060;'));
  t.true(text.includes('\r\nContent-Length: 5\r\n\r\nv=0\r\n'));
  const p = parseMessage(bytes);
  t.deepEqual(view(p), view(r));
  // A received message serializes to exactly its bytes; re-encoding it field by field parses the same.
  t.deepEqual(serialize(p), bytes);
  t.deepEqual(view(parseMessage(encodeMessage(p))), view(p));
});

test('mutating a built message updates its typed values', (t) => {
  const r = invite();
  t.is(r.maxForwards, 70);
  r.setHeader('Max-Forwards', '69');
  t.is(r.maxForwards, 69);
  r.addHeader('Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bKtop', true);
  t.deepEqual(r.via.map((v) => v.host), ['proxy.example.com', 'pc33.atlanta.example.com']);
  r.removeHeader('x-custom');
  t.is(r.header('X-Custom'), undefined);
  t.throws(() => r.addHeader('Bad Name', 'x'), { instanceOf: SipError });
  t.throws(() => r.addHeader('X-Inject', 'a\r\nVia: evil'), { instanceOf: SipError });
});

test('buildResponse copies Via, From, To, Call-ID, CSeq (§8.2.6.2) and adds a To tag', (t) => {
  const req = parseMessage(enc.encode(
    'INVITE sip:bob@biloxi.example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1, SIP/2.0/UDP pc33.example.com;branch=z9hG4bK2;received=192.0.2.1\r\n' +
    'Via: SIP/2.0/UDP third.example.com;branch=z9hG4bK3\r\n' +
    'Record-Route: <sip:proxy.example.com;lr>\r\n' +
    'From: Alice <sip:alice@example.com>;tag=abc\r\nTo: Bob <sip:bob@example.com>\r\nCall-ID: c1@example.com\r\n' +
    'CSeq: 7 INVITE\r\nTimestamp: 54\r\nMax-Forwards: 69\r\nContent-Length: 0\r\n\r\n')) as SipRequest;
  const trying = buildResponse(req, 100);
  t.is(trying.reason, 'Trying');
  t.false('tag' in trying.to.params, '100 Trying needs no tag');
  t.is(trying.header('Timestamp'), '54', '§8.2.6.1');
  t.deepEqual(trying.headers('Record-Route'), []);
  const ok = buildResponse(req, 200, undefined, { toTag: 'xyz', headers: { Contact: '<sip:bob@192.0.2.4>' }, body: 'v=0\r\n', contentType: 'application/sdp' });
  t.is(ok.status, 200);
  t.is(ok.reason, 'OK');
  t.deepEqual(ok.via.map((v) => v.branch), ['z9hG4bK1', 'z9hG4bK2', 'z9hG4bK3']);
  t.is(ok.via[1]!.received, '192.0.2.1');
  t.is(ok.headerCount('Via'), 2, 'Via fields copied as they were');
  t.is(ok.from.params['tag'], 'abc');
  t.is(ok.to.params['tag'], 'xyz');
  t.is(ok.to.displayName, 'Bob');
  t.is(ok.callId, 'c1@example.com');
  t.deepEqual(ok.cseq, { seq: 7, method: 'INVITE' });
  t.deepEqual(ok.headers('Record-Route'), ['<sip:proxy.example.com;lr>'], '§12.1.1');
  t.is(ok.header('Max-Forwards'), undefined);
  t.is(ok.header('Timestamp'), undefined);
  const round = parseMessage(serialize(ok));
  t.deepEqual(view(round), view(ok));
  t.is(round.kind === 'response' && round.status, 200);
  // A To that already has a tag keeps it.
  const tagged = buildResponse(parseMessage(serialize(buildRequest({
    method: 'BYE', uri: 'sip:a@b', via: 'SIP/2.0/UDP h;branch=z9hG4bKq', from: '<sip:x@y>;tag=1', to: '<sip:a@b>;tag=2', callId: 'k', cseq: 2,
  }))) as SipRequest, 481, undefined, { toTag: 'other' });
  t.is(tagged.to.params['tag'], '2');
  t.is(tagged.reason, 'Call/Transaction Does Not Exist');
  t.is(buildResponse(req, 486, 'Busy Now').reason, 'Busy Now');
});

test('reason phrases and bad status codes', (t) => {
  t.is(reasonPhrase(404), 'Not Found');
  t.is(reasonPhrase(499), 'Client Error');
  const req = buildRequest({ method: 'OPTIONS', uri: 'sip:a@b', via: 'SIP/2.0/UDP h;branch=z9hG4bKx', from: '<sip:x@y>;tag=1', to: '<sip:a@b>', callId: 'k', cseq: 1 });
  t.throws(() => buildResponse(req, 99), { instanceOf: SipError });
  t.throws(() => buildResponse(req, 200, 'OK\r\nX: y'), { instanceOf: SipError });
  t.throws(() => buildRequest({ method: 'BAD METHOD', uri: 'sip:a@b', from: '<sip:x@y>', to: '<sip:a@b>', callId: 'k', cseq: 1 }), { instanceOf: SipError });
});
