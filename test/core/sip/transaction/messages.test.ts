import test from 'ava';
import { parseMessage, type ParsedRequest, type ParsedResponse } from '../../../../src/sip/parser/index.js';
import { serialize } from '../../../../src/sip/serialize.js';
import { InviteClientTransaction } from '../../../../src/sip/transaction/invite-client.js';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server.js';
import { ackForNon2xx, createMessageFactory } from '../../../../src/sip/transaction/messages.js';
import { SeededRandom } from '../transport/helpers.js';
import { recorder, setup, source, UDP_TARGET } from './helpers.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const parse = (lines: string[], body = '') => parseMessage(enc.encode(lines.join('\r\n') + `\r\nContent-Length: ${body.length}\r\n\r\n${body}`));

const INVITE = parse(
  [
    'INVITE sip:bob@biloxi.example.com;transport=udp SIP/2.0',
    'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;rport',
    'Max-Forwards: 70',
    'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
    'To: Bob <sip:bob@biloxi.example.com>',
    'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710',
    'CSeq: 314159 INVITE',
    'Timestamp: 54',
    'Contact: <sip:alice@pc33.atlanta.example.com>',
    'Content-Type: application/sdp',
  ],
  'v=0\r\n',
) as ParsedRequest;

const BUSY = parse([
  'SIP/2.0 486 Busy Here',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;rport=5060;received=192.0.2.101',
  'To: Bob <sip:bob@biloxi.example.com>;tag=8321234356',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
]) as ParsedResponse;

test('ACK for a non-2xx (§17.1.1.3): Request-URI, top Via, Route, From, Call-ID and CSeq number of the INVITE, To of the response', (t) => {
  const ack = ackForNon2xx(INVITE, BUSY);
  const text = dec.decode(serialize(ack));
  t.is(
    text,
    [
      'ACK sip:bob@biloxi.example.com;transport=udp SIP/2.0',
      'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;rport',
      'Max-Forwards: 70',
      'Route: <sip:p1.example.com;lr>',
      'Route: <sip:p2.example.com;lr>',
      'To: Bob <sip:bob@biloxi.example.com>;tag=8321234356',
      'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710',
      'CSeq: 314159 ACK',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  const again = parseMessage(serialize(ack));
  t.is(again.via.length, 1);
});

test('the INVITE client transaction sends exactly that ACK', (t) => {
  const env = setup(undefined, createMessageFactory(new SeededRandom(5)));
  const tx = new InviteClientTransaction(env.ctx, INVITE, UDP_TARGET, recorder(env.clock).user);
  tx.start();
  tx.receiveResponse(BUSY);
  const ack = env.transport.sent[1]!.message;
  t.is(ack.kind === 'request' && ack.method, 'ACK');
  t.is(dec.decode(serialize(ack)), dec.decode(serialize(ackForNon2xx(INVITE, BUSY))));
});

test('100 Trying from the server transaction: no To tag, Timestamp echoed; final responses get a To tag', (t) => {
  const env = setup(undefined, createMessageFactory(new SeededRandom(5)));
  const tx = new InviteServerTransaction(env.ctx, INVITE, source());
  env.clock.advance(200);
  const trying = env.transport.sent[0]!.message;
  t.true(trying.kind === 'response' && trying.status === 100);
  t.false('tag' in trying.to.params);
  t.is(trying.header('Timestamp'), '54');
  t.is(trying.via[0]!.branch, 'z9hG4bKnashds8');
  const f = createMessageFactory(new SeededRandom(9));
  const r482 = f.response(INVITE, 482, 'Loop Detected');
  t.regex(r482.to.params['tag'] ?? '', /^[a-z0-9]{10}$/);
  t.is(r482.reason, 'Loop Detected');
  t.is(tx.state, 'proceeding');
});
