import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import { multipartParts, splitMultipart } from '../../../src/sip/multipart.js';
import { parseMessage } from '../../../src/sip/parser/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const BODY =
  'preamble is ignored\r\n' +
  '--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n' +
  '\r\n--b1\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition:\r\n recipient-list\r\n\r\n<list/>\r\n' +
  '--b1\r\n\r\nno headers here\r\n' +
  '--b1--\r\nepilogue\r\n';

test('splits parts with their headers; the CRLF before a delimiter belongs to it', (t) => {
  const parts = splitMultipart(enc.encode(BODY), 'b1');
  t.is(parts.length, 3);
  t.is(parts[0]!.contentType.subtype, 'sdp');
  t.is(dec.decode(parts[0]!.body), 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  t.is(parts[1]!.contentType.subtype, 'resource-lists+xml');
  t.deepEqual(parts[1]!.headers[1], ['Content-Disposition', 'recipient-list']);
  t.is(dec.decode(parts[1]!.body), '<list/>');
  t.deepEqual(parts[2]!.headers, []);
  t.is(parts[2]!.contentType.type, 'text', 'default text/plain');
  t.is(dec.decode(parts[2]!.body), 'no headers here');
});

test('part bodies are views into the message body (binary kept)', (t) => {
  const bin = new Uint8Array([0, 255, 13, 10, 32, 45, 45, 98, 49, 7, 45, 45, 98, 49]); // "--b1" but never at a line start
  const head = enc.encode('--b1\r\nContent-Type: application/octet-stream\r\n\r\n');
  const tail = enc.encode('\r\n--b1--');
  const body = new Uint8Array(head.length + bin.length + tail.length);
  body.set(head);
  body.set(bin, head.length);
  body.set(tail, head.length + bin.length);
  const parts = splitMultipart(body, 'b1');
  t.is(parts.length, 1);
  t.deepEqual(Array.from(parts[0]!.body), Array.from(bin));
  t.is(parts[0]!.body.buffer, body.buffer);
});

test('multipartParts reads the boundary from Content-Type', (t) => {
  const msg = 'MESSAGE sip:a@b SIP/2.0\r\nCall-ID: m\r\nContent-Type: multipart/mixed;boundary="b1"\r\n' +
    `Content-Length: ${enc.encode(BODY).length}\r\n\r\n` + BODY;
  const parts = multipartParts(parseMessage(enc.encode(msg)));
  t.is(parts.length, 3);
  t.deepEqual(multipartParts(parseMessage(enc.encode('MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\n\r\nhi'))), []);
  const nb = parseMessage(enc.encode('MESSAGE sip:a@b SIP/2.0\r\nContent-Type: multipart/mixed\r\n\r\nhi'));
  t.throws(() => multipartParts(nb), { instanceOf: SipError, message: /boundary/ });
  t.throws(() => splitMultipart(enc.encode('no delimiter'), 'zz'), { instanceOf: SipError, message: /boundary not found/ });
});
