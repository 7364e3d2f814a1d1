import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import type { Contact } from '../../../src/sip/message.js';
import { contactExpires, contactQ, formatContactList, parseContactList } from '../../../src/sip/headers/contact.js';
import { formatMediaType, isMediaType, parseMediaType } from '../../../src/sip/headers/media-type.js';
import { parseAccept, parseTokenList, parseUInt } from '../../../src/sip/headers/simple.js';
import { formatUri } from '../../../src/sip/uri.js';

// Contact
test('Contact: * alone, with LWS', (t) => {
  t.is(parseContactList('*'), '*');
  t.is(parseContactList('  * '), '*');
  t.is(formatContactList('*'), '*');
});

test('formatContactList round-trips a list', (t) => {
  const text = '"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7;expires=3600, <mailto:watson@bell-telephone.com>;q=0.1';
  t.is(formatContactList(parseContactList(text)), text);
});

test('Contact: list with expires and q (RFC 3261 §20.10 examples)', (t) => {
  const list = parseContactList(
    '"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600, "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1',
  ) as Contact[];
  t.is(list.length, 2);
  t.is(list[0]!.displayName, 'Mr. Watson');
  t.is(formatUri(list[0]!.uri), 'sip:watson@worcester.bell-telephone.com');
  t.is(contactQ(list[0]!), 0.7);
  t.is(contactExpires(list[0]!), 3600);
  t.is(formatUri(list[1]!.uri), 'mailto:watson@bell-telephone.com');
  t.is(contactQ(list[1]!), 0.1);
  t.is(contactExpires(list[1]!), undefined);
});

test('Contact: addr-spec params belong to the header, <> params to the URI (RFC 4475 cparam01/02)', (t) => {
  const a = parseContactList('sip:+19725552222@gw1.example.net;unknownparam') as Contact[];
  t.deepEqual(a[0]!.params, { unknownparam: null });
  const b = parseContactList('<sip:+19725552222@gw1.example.net;unknownparam>') as Contact[];
  t.deepEqual(b[0]!.params, {});
  t.is(formatUri(b[0]!.uri), 'sip:+19725552222@gw1.example.net;unknownparam');
});

test('Contact: wsinv value with LWS around params', (t) => {
  const [c] = parseContactList('"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33') as Contact[];
  t.deepEqual(c!.params, { newparam: 'newvalue', secondparam: null, q: '0.33' });
  t.is(contactQ(c!), 0.33);
});

test('Contact: expires beyond 32 bits is kept but reads as undefined (RFC 4475 scalar02)', (t) => {
  const [c] = parseContactList('<sip:user@host129.example.com>\r\n  ;expires=280297596632815') as Contact[];
  t.is(c!.params['expires'], '280297596632815');
  t.is(contactExpires(c!), undefined);
  const [d] = parseContactList('<sip:u@h>;expires=4294967295') as Contact[];
  t.is(contactExpires(d!), 4294967295);
});

const contactBad: Array<[string, RegExp]> = [
  ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', /bad Contact: URI with '\?' must be enclosed in <>/],
  ['<sip:a@b>;q=1.5', /bad Contact: bad q value/],
  ['<sip:a@b>;q=0.1234', /bad q value/],
  ['<sip:a@b>;q=2', /bad q value/],
  ['<sip:a@b>;q=1.001', /bad q value/],
  ['<sip:a@b>;q', /bad q value/],
  ['<sip:a@b>;expires=soon', /expires is not a number/],
  ['*, <sip:a@b>', /bad Contact: '\*' must be the only value/],
  ['', /bad Contact: empty value/],
];

for (const [text, message] of contactBad) {
  test(`parseContactList rejects ${JSON.stringify(text)}`, (t) => {
    t.throws(() => parseContactList(text), { instanceOf: SipError, message });
  });
}

test('Contact: valid q values', (t) => {
  for (const q of ['0', '1', '0.', '1.', '0.5', '0.001', '1.000', '0.999']) {
    t.notThrows(() => parseContactList(`<sip:a@b>;q=${q}`), q);
  }
});

// Media types
test('parseMediaType: type, subtype and params, case and LWS', (t) => {
  t.deepEqual(parseMediaType('application/sdp'), { type: 'application', subtype: 'sdp', params: {} });
  t.deepEqual(parseMediaType('Text/HTML; charset=ISO-8859-4'), { type: 'text', subtype: 'html', params: { charset: 'ISO-8859-4' } });
  t.deepEqual(parseMediaType('multipart/mixed ; boundary="unique-boundary 1"'), {
    type: 'multipart',
    subtype: 'mixed',
    params: { boundary: 'unique-boundary 1' },
  });
  t.deepEqual(parseMediaType(' message / sipfrag ;version=2.0 '), { type: 'message', subtype: 'sipfrag', params: { version: '2.0' } });
  t.true(isMediaType(parseMediaType('Application/SDP'), 'application', 'sdp'));
  t.false(isMediaType(undefined, 'application', 'sdp'));
});

test('formatMediaType quotes values that need it', (t) => {
  t.is(formatMediaType(parseMediaType('multipart/mixed;boundary="unique boundary"')), 'multipart/mixed;boundary="unique boundary"');
  t.is(formatMediaType(parseMediaType('Application/SDP')), 'application/sdp');
});

const mediaBad: Array<[string, RegExp]> = [
  ['', /bad Content-Type: missing media type/],
  ['application', /expected '\/' after application/],
  ['application/', /missing subtype/],
  ['application/sdp;', /empty parameter name/],
  ['application/sdp x', /unexpected 'x'/],
  ['*/*', /bad media type/],
  ['application/sdp, text/plain', /unexpected ','/],
];

for (const [text, message] of mediaBad) {
  test(`parseMediaType rejects ${JSON.stringify(text)}`, (t) => {
    t.throws(() => parseMediaType(text), { instanceOf: SipError, message });
  });
}

test('parseAccept: media ranges with params; empty value', (t) => {
  t.deepEqual(parseAccept(''), []);
  const list = parseAccept('application/sdp;level=1, application/x-private, text/html, */*;q=0.1, text/*');
  t.deepEqual(
    list.map((m) => `${m.type}/${m.subtype}`),
    ['application/sdp', 'application/x-private', 'text/html', '*/*', 'text/*'],
  );
  t.deepEqual(list[0]!.params, { level: '1' });
  t.deepEqual(list[3]!.params, { q: '0.1' });
  // RFC 4475 semiuri: Accept folded over lines
  t.is(parseAccept('application/sdp, application/pkcs7-mime,\r\n        multipart/mixed, multipart/signed,\r\n        message/sip, message/sipfrag').length, 6);
  t.throws(() => parseAccept('*/sdp'), { instanceOf: SipError, message: /bad Accept: bad media type/ });
  t.throws(() => parseAccept('application/sdp,'), { instanceOf: SipError, message: /bad Accept: missing media type/ });
});

// Token lists
test('parseTokenList: Allow, Supported, Require', (t) => {
  t.deepEqual(parseTokenList('INVITE, ACK, OPTIONS, CANCEL, BYE'), ['INVITE', 'ACK', 'OPTIONS', 'CANCEL', 'BYE']);
  t.deepEqual(parseTokenList('  100rel ,timer,\tpath  '), ['100rel', 'timer', 'path']);
  t.deepEqual(parseTokenList(''), []);
  t.deepEqual(parseTokenList('   '), []);
  t.deepEqual(parseTokenList('replaces'), ['replaces']);
  t.throws(() => parseTokenList('a,,b', 'Supported'), { instanceOf: SipError, message: "bad Supported: expected token, found ','" });
  t.throws(() => parseTokenList('a b', 'Require'), { instanceOf: SipError, message: "bad Require: unexpected 'b'" });
  t.throws(() => parseTokenList('a,', 'Allow'), { instanceOf: SipError, message: 'bad Allow: expected token, found end of value' });
  t.throws(() => parseTokenList('a;b', 'Allow'), { instanceOf: SipError, message: "bad Allow: unexpected ';'" });
});

// Integers
test('parseUInt: valid values', (t) => {
  t.is(parseUInt('0', 'Content-Length'), 0);
  t.is(parseUInt(' 150 ', 'Content-Length'), 150);
  t.is(parseUInt('0068', 'Max-Forwards'), 68);
  t.is(parseUInt('255', 'Max-Forwards'), 255);
  t.is(parseUInt('4294967295', 'Expires'), 4294967295);
  t.is(parseUInt('000000000000000000000042', 'Expires'), 42);
  t.is(parseUInt('100', 'X', 100), 100);
});

const uintBad: Array<[string, string, RegExp]> = [
  ['', 'Content-Length', /^bad Content-Length: empty value$/],
  ['  ', 'Content-Length', /empty value/],
  ['abc', 'Content-Length', /not a number \('a'\)/],
  ['-1', 'Content-Length', /not a number/],
  ['1.5', 'Expires', /not a number \('\.'\)/],
  ['1 2', 'Expires', /not a number/],
  ['0x10', 'Expires', /not a number/],
  ['300', 'Max-Forwards', /^bad Max-Forwards: value out of range$/],
  ['256', 'max-forwards', /out of range/],
  ['4294967296', 'Expires', /out of range/],
  ['10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000', 'Expires', /out of range/],
  ['949302838503028349304023988', 'Retry-After', /out of range/],
  ['101', 'X', /out of range/],
];

for (const [text, name, message] of uintBad) {
  test(`parseUInt rejects ${JSON.stringify(text.slice(0, 20))} for ${name}`, (t) => {
    const e = t.throws(() => (name === 'X' ? parseUInt(text, name, 100) : parseUInt(text, name)), { instanceOf: SipError, message }) as SipError | undefined;
    t.is(e?.header, name);
  });
}
