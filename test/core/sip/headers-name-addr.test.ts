import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import type { NameAddr } from '../../../src/sip/message.js';
import {
  formatNameAddr,
  formatNameAddrList,
  type LazyNameAddr,
  nameAddrUri,
  parseNameAddr,
  parseNameAddrList,
  withParams,
} from '../../../src/sip/headers/name-addr.js';
import { parseParams, parseParamsOnly, formatParams } from '../../../src/sip/headers/params.js';
import { formatUri, isSipUri } from '../../../src/sip/uri.js';

interface Expect {
  displayName?: string;
  uri: string; // formatted URI
  params: Record<string, string | null>;
}

function view(na: NameAddr): Expect {
  const out: Expect = { uri: formatUri(na.uri), params: { ...na.params } };
  if (na.displayName !== undefined) out.displayName = na.displayName;
  return out;
}

const good: Array<[string, Expect]> = [
  // RFC 3261 §20 examples
  ['"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s', { displayName: 'A. G. Bell', uri: 'sip:agb@bell-telephone.com', params: { tag: 'a48s' } }],
  ['sip:+12125551212@server.phone2net.com;tag=887s', { uri: 'sip:+12125551212@server.phone2net.com', params: { tag: '887s' } }],
  ['Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8', { displayName: 'Anonymous', uri: 'sip:c8oqz84zk7z@privacy.org', params: { tag: 'hyh8' } }],
  ['The Operator <sip:operator@cs.columbia.edu>;tag=287447', { displayName: 'The Operator', uri: 'sip:operator@cs.columbia.edu', params: { tag: '287447' } }],
  ['sip:+12125551212@phone2net.com', { uri: 'sip:+12125551212@phone2net.com', params: {} }],
  ['Bob <sip:bob@biloxi.com>', { displayName: 'Bob', uri: 'sip:bob@biloxi.com', params: {} }],
  ['<sip:alice@atlanta.com>', { uri: 'sip:alice@atlanta.com', params: {} }],
  // display names
  ['"" <sip:a@b>', { displayName: '', uri: 'sip:a@b', params: {} }],
  ['caller<sip:caller@example.com>;tag=323', { displayName: 'caller', uri: 'sip:caller@example.com', params: { tag: '323' } }],
  ['"J Rosenberg \\\\\\""       <sip:jdrosen@example.com>  ;  tag = 98asjd8', { displayName: 'J Rosenberg \\"', uri: 'sip:jdrosen@example.com', params: { tag: '98asjd8' } }],
  ['"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam = newvalue ;  secondparam ; q = 0.33', {
    displayName: 'Quoted string ""',
    uri: 'sip:jdrosen@example.com',
    params: { newparam: 'newvalue', secondparam: null, q: '0.33' },
  }],
  ['"Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423', { displayName: 'Bell, Alexander', uri: 'sip:a.g.bell@example.com', params: { tag: '433423' } }],
  ['"Zoë Ünïcode 😀" <sip:z@example.com>', { displayName: 'Zoë Ünïcode 😀', uri: 'sip:z@example.com', params: {} }],
  ['"%Z%45" <sip:resource@example.com>', { displayName: '%Z%45', uri: 'sip:resource@example.com', params: {} }],
  ['"<sip:not-the-uri@x>" <sip:real@example.com>', { displayName: '<sip:not-the-uri@x>', uri: 'sip:real@example.com', params: {} }],
  ['\t Mr.  Watson \t<sip:w@x>', { displayName: 'Mr.  Watson', uri: 'sip:w@x', params: {} }],
  // addr-spec: params belong to the header (§20.10)
  ['sip:caller@example.net;tag=341518', { uri: 'sip:caller@example.net', params: { tag: '341518' } }],
  ['sip:+19725552222@gw1.example.net;unknownparam', { uri: 'sip:+19725552222@gw1.example.net', params: { unknownparam: null } }],
  ['<sip:+19725552222@gw1.example.net;unknownparam>', { uri: 'sip:+19725552222@gw1.example.net;unknownparam', params: {} }],
  ['  sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n', { uri: 'sip:vivekg@chair-dnrc.example.com', params: { tag: '1918181833n' } }],
  ['sip:%75se%72@example.com', { uri: 'sip:user@example.com', params: {} }],
  ['isbn:2983792873', { uri: 'isbn:2983792873', params: {} }],
  ['<http://www.example.com>;tag=3234233', { uri: 'http://www.example.com', params: { tag: '3234233' } }],
  ['tel:+1-201-555-0123;tag=x', { uri: 'tel:+1-201-555-0123', params: { tag: 'x' } }],
  ['<tel:+1-201-555-0123;ext=12>;tag=x', { uri: 'tel:+1-201-555-0123;ext=12', params: { tag: 'x' } }],
  // quoted header param values and host-like values
  ['<sip:a@b>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1', {
    uri: 'sip:a@b',
    params: { '+sip.instance': '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>', 'reg-id': '1' },
  }],
  ['<sip:a@b>;received=[2001:db8::1]', { uri: 'sip:a@b', params: { received: '[2001:db8::1]' } }],
  ['<sip:a@b>;TAG=Mixed', { uri: 'sip:a@b', params: { tag: 'Mixed' } }],
  // Refer-To with embedded Replaces (RFC 3891)
  ['<sip:bob@b.example?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>', {
    uri: 'sip:bob@b.example?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994',
    params: {},
  }],
];

for (const [text, expect] of good) {
  test(`parseNameAddr accepts ${text}`, (t) => {
    t.deepEqual(view(parseNameAddr(text, 'From')), expect);
  });
}

test('Refer-To URI headers are unescaped', (t) => {
  const na = parseNameAddr('<sip:bob@b.example?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>', 'Refer-To');
  const u = na.uri;
  t.true(isSipUri(u));
  if (isSipUri(u)) t.is(u.headers['Replaces'], '12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994');
});

test('reading the tag does not parse the URI; the URI is parsed once and cached', (t) => {
  const na = parseNameAddr('"Alice" <sip:alice@atlanta.com>;tag=1928301774', 'From') as LazyNameAddr;
  t.is(na.params['tag'], '1928301774');
  t.false(na.uriParsed);
  t.is(na.uriText, 'sip:alice@atlanta.com');
  const u = na.uri;
  t.true(na.uriParsed);
  t.is(na.uri, u);
});

test('a malformed URI is reported on first access of uri, naming the header', (t) => {
  const na = parseNameAddr('<sip:user@exa mple.com>;tag=1', 'To');
  t.is(na.params['tag'], '1');
  t.throws(() => na.uri, { instanceOf: SipError, message: "bad URI: unexpected ' ' in To" });
});

test('assigning uri replaces it and formatNameAddr uses the new value', (t) => {
  const na = parseNameAddr('<sip:a@b>;tag=1', 'To');
  na.uri = { scheme: 'sip', host: 'c', params: {}, headers: {} };
  t.is(formatNameAddr(na), '<sip:c>;tag=1');
});

const bad: Array<[string, RegExp]> = [
  ['', /bad From: empty value/],
  ['   ', /bad From: empty value/],
  ['"Mr. J. User <sip:j.user@example.com>', /^unterminated quoted string in From$/],
  ['Bell, Alexander <sip:a.g.bell@example.com>;tag=43', /bad From: display name with ',' must be quoted/],
  ['Watson, Thomas <sip:t.watson@example.org>', /display name with ',' must be quoted/],
  ['"Watson, Thomas" < sip:t.watson@example.org >', /bad From: whitespace inside <>/],
  ['<sip:t.watson@example.org >', /whitespace inside <>/],
  ['<sip:a@b', /missing '>'/],
  ['<>', /empty URI in <>/],
  ['"x" sip:a@b', /expected '<' after display name/],
  ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', /URI with '\?' must be enclosed in <>/],
  ['<sip:a@b>;tag=1, <sip:c@d>', /unexpected ',' after value/],
  ['<sip:a@b>;tag=1 x', /unexpected 'x' after value/],
  ['<sip:a@b>;', /empty parameter name/],
  ['<sip:a@b>;tag=', /missing value for parameter tag/],
  ['<sip:a@b>;tag=1;tag=2', /duplicate parameter tag/],
  ['<sip:a@b>;x="unterminated', /unterminated quoted string in From/],
  ['Zoë <sip:z@example.com>', /display name with 'ë' must be quoted|expected URI or name-addr/],
  ['just words', /expected URI or name-addr/],
  ['sip:a@b>', /unexpected '>'/],
];

for (const [text, message] of bad) {
  test(`parseNameAddr rejects ${JSON.stringify(text)}`, (t) => {
    const e = t.throws(() => parseNameAddr(text, 'From'), { instanceOf: SipError, message }) as SipError | undefined;
    t.is(e?.status, 400);
    t.is(e?.header, 'From');
  });
}

test('parseNameAddrList splits on commas outside quotes and <>', (t) => {
  const list = parseNameAddrList(
    '"Bell, A." <sip:a@x;lr>, <sip:b@y?h=1>;expires=60 , sip:c@z;q=0.5,\t"Quote \\" ," <sip:d@w>',
    'Contact',
  );
  t.deepEqual(list.map(view), [
    { displayName: 'Bell, A.', uri: 'sip:a@x;lr', params: {} },
    { uri: 'sip:b@y?h=1', params: { expires: '60' } },
    { uri: 'sip:c@z', params: { q: '0.5' } },
    { displayName: 'Quote " ,', uri: 'sip:d@w', params: {} },
  ]);
});

test('parseNameAddrList: Route with lr and several values', (t) => {
  const list = parseNameAddrList('<sip:p1.example.com;lr>,<sip:p2.example.com;lr>', 'Route');
  t.deepEqual(list.map((n) => formatUri(n.uri)), ['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
});

test('parseNameAddrList rejects empty elements and junk', (t) => {
  t.throws(() => parseNameAddrList('<sip:a@b>,', 'Route'), { instanceOf: SipError, message: /bad Route: empty value/ });
  t.throws(() => parseNameAddrList('<sip:a@b>,,<sip:c@d>', 'Route'), { instanceOf: SipError, message: /bad Route/ });
  t.throws(() => parseNameAddrList('<sip:a@b> <sip:c@d>', 'Route'), { instanceOf: SipError, message: /unexpected '<'/ });
});

test('formatNameAddr quotes display names and always uses <>', (t) => {
  t.is(formatNameAddr(parseNameAddr('sip:caller@example.net;tag=341518')), '<sip:caller@example.net>;tag=341518');
  t.is(formatNameAddr(parseNameAddr('Bob <sip:bob@biloxi.com>')), '"Bob" <sip:bob@biloxi.com>');
  t.is(formatNameAddr(parseNameAddr('"Bell, A." <sip:a@x>')), '"Bell, A." <sip:a@x>');
  t.is(formatNameAddr(parseNameAddr('"J \\"R\\" \\\\" <sip:a@x>')), '"J \\"R\\" \\\\" <sip:a@x>');
  t.is(formatNameAddr(parseNameAddr('"" <sip:a@x>')), '"" <sip:a@x>');
  const built: NameAddr = { displayName: 'Zoë', uri: { scheme: 'sip', user: 'z', host: 'h', params: { lr: null }, headers: {} }, params: { tag: 'abc', x: 'a b' } };
  t.is(formatNameAddr(built), '"Zoë" <sip:z@h;lr>;tag=abc;x="a b"');
  t.is(formatNameAddrList([built, parseNameAddr('<sip:q@r>')]), '"Zoë" <sip:z@h;lr>;tag=abc;x="a b", <sip:q@r>');
});

test('formatNameAddr output parses back to the same value', (t) => {
  for (const [text] of good) {
    const a = parseNameAddr(text);
    const b = parseNameAddr(formatNameAddr(a));
    t.deepEqual(view(b), view(a), text);
  }
});

test('parseParams: flags, quoted values, LWS, end index', (t) => {
  const text = ' ; a = 1 ;B; c="x;y\\"z" ;d=[::1], next';
  const r = parseParams(text, 0, 'X');
  t.deepEqual(r.params, { a: '1', b: null, c: 'x;y"z', d: '[::1]' });
  t.is(text[r.end], ',');
  t.is(parseParams('no params', 2).end, 3);
  t.deepEqual(parseParamsOnly(';lr;ttl=1'), { lr: null, ttl: '1' });
  t.throws(() => parseParamsOnly(';a=1 x', 'X'), { instanceOf: SipError, message: "bad X: unexpected 'x'" });
});

test('parseParams keeps "__proto__" as an ordinary parameter', (t) => {
  const p = parseParamsOnly(';__proto__=x;a=1');
  t.is(Object.getPrototypeOf(p), Object.prototype);
  t.is(Object.getOwnPropertyDescriptor(p, '__proto__')?.value, 'x');
  t.is(formatParams(p), ';__proto__=x;a=1');
});

test('JSON of a name-addr shows the parsed URI, or its text when it does not parse', (t) => {
  t.deepEqual(JSON.parse(JSON.stringify(parseNameAddr('"A" <sip:a@b>;tag=1'))), {
    displayName: 'A',
    uri: { scheme: 'sip', user: 'a', host: 'b', params: {}, headers: {} },
    params: { tag: '1' },
  });
  t.deepEqual(JSON.parse(JSON.stringify(parseNameAddr('<sip:a@b c>'))), { uri: 'sip:a@b c', params: {} });
});

test('withParams copies a parsed name-addr with new params, URI still lazy', (t) => {
  const na = parseNameAddr('"A" <sip:a@b>;tag=1', 'To');
  const c = withParams(na, { tag: '2' }) as LazyNameAddr;
  t.false(c.uriParsed);
  t.is(formatNameAddr(c), '"A" <sip:a@b>;tag=2');
  t.deepEqual(c.uri, { scheme: 'sip', user: 'a', host: 'b', params: {}, headers: {} });
  t.is(na.params['tag'], '1');
  const plain = withParams({ uri: c.uri, params: {} }, { x: null });
  t.deepEqual(plain, { uri: c.uri, params: { x: null } });
});

test('formatNameAddr and nameAddrUri accept a spread copy of a parsed name-addr', (t) => {
  // What code holding the NameAddr interface type writes (TypeScript cannot see the accessor is missing).
  const na: NameAddr = parseNameAddr('"A" <sip:a@b>;tag=1', 'To');
  const copy: NameAddr = { ...na, params: { tag: '2' } };
  t.is(formatNameAddr(copy), '"A" <sip:a@b>;tag=2');
  t.deepEqual(nameAddrUri(copy), { scheme: 'sip', user: 'a', host: 'b', params: {}, headers: {} });
  na.uri;
  const copy2: NameAddr = { ...na };
  t.is(nameAddrUri(copy2), na.uri);
});
