import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import {
  formatUri,
  isSipUri,
  isTelUri,
  parseIPv6,
  parseUri,
  requireSipUri,
  type SipUri,
  type TelUri,
  type Uri,
} from '../../../src/sip/uri.js';

function sip(text: string): SipUri {
  const u = parseUri(text);
  if (!isSipUri(u)) throw new Error(`not a SIP URI: ${text}`);
  return u;
}

type Expect = Partial<SipUri>;

// RFC 3261 §19.1.3 examples, RFC 4475 and RFC 5118/5954 forms.
const good: Array<[string, Expect]> = [
  ['sip:alice@atlanta.com', { scheme: 'sip', user: 'alice', host: 'atlanta.com', params: {}, headers: {} }],
  [
    'sip:alice:secretword@atlanta.com;transport=tcp',
    { user: 'alice', password: 'secretword', host: 'atlanta.com', params: { transport: 'tcp' } },
  ],
  [
    'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
    { scheme: 'sips', user: 'alice', headers: { subject: 'project x', priority: 'urgent' } },
  ],
  [
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    { user: '+1-212-555-1212', password: '1234', host: 'gateway.com', params: { user: 'phone' } },
  ],
  ['sips:1212@gateway.com', { scheme: 'sips', user: '1212', host: 'gateway.com' }],
  ['sip:alice@192.0.2.4', { user: 'alice', host: '192.0.2.4' }],
  [
    'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
    { host: 'atlanta.com', params: { method: 'REGISTER' }, headers: { to: 'alice@atlanta.com' } },
  ],
  ['sip:alice;day=tuesday@atlanta.com', { user: 'alice;day=tuesday', host: 'atlanta.com' }],
  // RFC 4475 esc01, escnull, semiuri, escruri, cparam
  ['sip:sips%3Auser%40example.com@example.net', { user: 'sips:user@example.com', host: 'example.net' }],
  ['sip:%75se%72@example.com', { user: 'user' }],
  ['sip:I%20have%20spaces@example.net', { user: 'I have spaces' }],
  ['sip:null-%00-null@example.com', { user: 'null-\u0000-null' }],
  ['sip:%00%00@host5.example.com', { user: '\u0000\u0000' }],
  [
    'sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31',
    { user: 'caller', params: { lr: null, name: 'value%41' } },
  ],
  ['sip:user;par=u%40example.net@example.com', { user: 'user;par=u@example.net', host: 'example.com' }],
  ['sip:user@example.com?Route=%3Csip:example.com%3E', { headers: { Route: '<sip:example.com>' } }],
  ['sip:+19725552222@gw1.example.net;unknownparam', { user: '+19725552222', params: { unknownparam: null } }],
  [
    'sip:services.example.com;lr;unknownwith=value;unknown-no-value',
    { host: 'services.example.com', params: { lr: null, unknownwith: 'value', 'unknown-no-value': null } },
  ],
  ['sip:vivekg@chair-dnrc.example.com;unknownparam', { user: 'vivekg', host: 'chair-dnrc.example.com' }],
  // case: scheme and host lower-cased, user kept, param names lower-cased, values kept
  ['SIP:ALICE@AtLanTa.CoM;Transport=UDP', { scheme: 'sip', user: 'ALICE', host: 'atlanta.com', params: { transport: 'UDP' } }],
  ['sip:alice@atlanta.com.', { host: 'atlanta.com.' }],
  ['sip:example.com:5060', { host: 'example.com', port: 5060, user: undefined }],
  ['sip:host:0', { host: 'host', port: 0 }],
  ['sip:a@b:65535', { port: 65535 }],
  ['sip:alice:@atlanta.com', { user: 'alice', password: '' }],
  ['sip:%C3%A9l%C3%A8ve@example.com', { user: 'élève' }],
  ['sip:%FF@example.com', { user: '\u00ff' }],
  ['sip:user@example.com;maddr=239.255.255.1;ttl=15', { params: { maddr: '239.255.255.1', ttl: '15' } }],
  ['sip:x@h?a=1&b=&c=3', { headers: { a: '1', b: '', c: '3' } }],
  ['sip:x@h?Route=a&Route=b', { headers: { Route: 'a,b' } }],
  // IPv6 references (RFC 5118)
  ['sip:[2001:db8::10]', { host: '2001:db8::10' }],
  ['sip:[2001:db8::10:5070]', { host: '2001:db8::10:5070', port: undefined }],
  ['sip:[2001:db8::10]:5070', { host: '2001:db8::10', port: 5070 }],
  ['sip:user@[2001:DB8::9:255];lr', { host: '2001:db8::9:255', params: { lr: null } }],
  ['sip:user@[::ffff:192.0.2.128]', { host: '::ffff:192.0.2.128' }],
  ['sip:[2001:db8::192:0:2:1]', { host: '2001:db8::192:0:2:1' }],
  ['sip:[::1]:5060', { host: '::1', port: 5060 }],
  ['sip:[::]', { host: '::' }],
];

for (const [text, expect] of good) {
  test(`parseUri accepts ${text}`, (t) => {
    const u = sip(text);
    for (const key of Object.keys(expect) as Array<keyof SipUri>) {
      t.deepEqual(u[key], expect[key], `${key} of ${text}`);
    }
  });
}

test('parseUri leaves absent parts undefined and not own keys', (t) => {
  const u = sip('sip:example.com');
  t.false('user' in u);
  t.false('password' in u);
  t.false('port' in u);
  t.deepEqual(u, { scheme: 'sip', host: 'example.com', params: {}, headers: {} });
});

const bad: Array<[string, RegExp]> = [
  ['', /missing scheme/],
  [':foo', /empty scheme/],
  ['sipexample.com', /missing scheme/],
  ['<sip:user@example.com>', /scheme/],
  ['1sip:foo', /scheme/],
  ['sip:', /missing host/],
  ['sip:@example.com', /empty user/],
  ['sip:user@', /missing host/],
  ['sip:user@example.com; lr', /empty parameter name at ' '/],
  ['sip:user@example.com ', /unexpected ' '/],
  ['sip:us er@example.com', /bad character ' ' in user/],
  ['sip:user@exa mple.com', /unexpected ' '/],
  ['sip:user@ex_ample.com', /unexpected '_'/],
  ['sip:user@-example.com', /starts or ends with '-'/],
  ['sip:user@example..com', /empty label/],
  ['sip:user@256.0.0.1', /IPv4/],
  ['sip:user@' + 'a.'.repeat(128) + 'com', /host name too long/],
  ['sip:user@1.2.3', /IPv4/],
  ['sip:user@example.com:', /missing port/],
  ['sip:user@example.com:65536', /port out of range/],
  ['sip:user@example.com:123456', /port out of range/],
  ['sip:user@example.com:50a', /unexpected 'a'/],
  ['sip:%Zuser@example.com', /malformed escape '%Zu'/],
  ['sip:user%4@example.com', /malformed escape/],
  ['sip:user@example.com;', /empty parameter name/],
  ['sip:user@example.com;;lr', /empty parameter name/],
  ['sip:user@example.com;a=', /missing value for parameter a/],
  ['sip:user@example.com;lr;LR', /duplicate parameter lr/],
  ['sip:user@example.com?', /empty header name/],
  ['sip:user@example.com?a', /missing '=' after header a/],
  ['sip:user@example.com?a=1&', /empty header name/],
  ['sip:user@example.com>', /unexpected '>'/],
  ['sip:user@example.com"', /unexpected '"'/],
  ['sip:user@[2001:db8::10', /unterminated IPv6/],
  ['sip:[2001:db8:::192:0:2:1]', /bad IPv6 address/],
  ['sip:[2001:db8::10::1]', /bad IPv6 address/],
  ['sip:[1:2:3:4:5:6:7:8:9]', /bad IPv6 address/],
  ['sip:[1:2:3:4:5:6:7]', /bad IPv6 address/],
  ['sip:[12345::1]', /bad IPv6 address/],
  ['sip:[::ffff:192.0.2.256]', /bad IPv6 address/],
  ['sip:2001:db8::10', /IPv6 address must be enclosed in \[\]/],
  ['sip:user@2001:db8::10;lr', /IPv6 address must be enclosed in \[\]/],
  ['sip:user@fe80::1', /IPv6 address must be enclosed in \[\]/],
  ['sip:abcd:1234::1', /IPv6 address must be enclosed in \[\]/],
  ['sip:abcd:1234:ef::1;lr', /IPv6 address must be enclosed in \[\]/],
  ['sip:user@example.com\u0000', /control character 0x00/],
  ['sip:us\u00e9r@example.com', /bad character/],
  ['http://exa mple.com/', /' ' in http URI/],
  ['mailto:', /nothing after mailto:/],
];

for (const [text, message] of bad) {
  test(`parseUri rejects ${JSON.stringify(text)}`, (t) => {
    const e = t.throws(() => parseUri(text), { instanceOf: SipError, message });
    t.is(e?.status, 400);
    t.regex(e?.message ?? '', /^bad URI: /);
  });
}

test('other schemes are kept as text with a lower-case scheme', (t) => {
  const cases: Array<[string, string]> = [
    ['nobodyKnowsThisScheme:totallyopaquecontent', 'nobodyknowsthisscheme'],
    ['soap.beep://192.0.2.103:3002', 'soap.beep'],
    ['isbn:2983792873', 'isbn'],
    ['http://www.example.com', 'http'],
    ['name:John_Smith', 'name'],
    ['urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'urn'],
  ];
  for (const [text, scheme] of cases) {
    const u = parseUri(text);
    t.false(isSipUri(u));
    t.false(isTelUri(u));
    t.is(u.scheme, scheme);
    t.is(formatUri(u), text);
  }
});

test('requireSipUri throws 416 naming the scheme for a non-SIP URI', (t) => {
  const u = parseUri('nobodyKnowsThisScheme:totallyopaquecontent');
  const e = t.throws(() => requireSipUri(u), { instanceOf: SipError, message: /unsupported URI scheme nobodyknowsthisscheme/ });
  t.is(e?.status, 416);
  const tel = parseUri('tel:+1-201-555-0123');
  t.is((t.throws(() => requireSipUri(tel, 'Contact')) as SipError | undefined)?.status, 416);
  const s = parseUri('sips:a@b');
  t.true(requireSipUri(s) === s);
});

// Formatting: round trips and re-escaping.
const roundTrips = [
  'sip:alice@atlanta.com',
  'sip:alice:secretword@atlanta.com;transport=tcp',
  'sips:alice@atlanta.com?subject=project%20x&priority=urgent',
  'sip:+1-212-555-1212:1234@gateway.com;user=phone',
  'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
  'sip:alice;day=tuesday@atlanta.com',
  'sip:sips%3Auser%40example.com@example.net',
  'sip:user;par=u%40example.net@example.com',
  'sip:user@example.com?Route=%3Csip:example.com%3E',
  'sip:[2001:db8::10]:5070;lr',
  'sip:user@[::ffff:192.0.2.128];maddr=[2001:db8::1]',
  'sip:I%20have%20spaces@example.net',
  'sip:null-%00-null@example.com',
  'sip:%C3%A9l%C3%A8ve@example.com',
  'sip:x@h;a=b%3Bc;flag?h%20n=v%26w',
  'sip:user:p%3Ass@host',
];

for (const text of roundTrips) {
  test(`formatUri(parseUri(x)) === x for ${text}`, (t) => {
    const u = parseUri(text);
    t.is(formatUri(u), text);
    t.deepEqual(parseUri(formatUri(u)), u);
  });
}

test('formatUri normalises needless escapes and case', (t) => {
  t.is(formatUri(parseUri('sip:%61lice@AtLanTa.CoM;Transport=TCP')), 'sip:alice@atlanta.com;transport=TCP');
  t.is(formatUri(parseUri('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31')), 'sip:caller@host5.example.net;lr;name=value%2541');
});

test('formatUri escapes what each component does not allow', (t) => {
  const u: SipUri = {
    scheme: 'sip',
    user: 'a b@c:d%',
    password: 'p;w@',
    host: 'example.com',
    params: { 'x y': 'v;w=z', lr: null },
    headers: { Subject: 'hi & bye', 'Call-ID': 'a@b' },
  };
  const text = formatUri(u);
  t.is(text, 'sip:a%20b%40c%3Ad%25:p%3Bw%40@example.com;x%20y=v%3Bw%3Dz;lr?Subject=hi%20%26%20bye&Call-ID=a%40b');
  t.deepEqual(parseUri(text), u);
  const uni: SipUri = { scheme: 'sip', user: 'Zoë😀', host: 'h', params: {}, headers: {} };
  t.is(formatUri(uni), 'sip:Zo%C3%AB%F0%9F%98%80@h');
  t.deepEqual(parseUri(formatUri(uni)), uni);
});

test('formatUri writes IPv6 hosts in brackets', (t) => {
  const u: Uri = { scheme: 'sip', host: '2001:db8::1', port: 5060, params: {}, headers: {} };
  t.is(formatUri(u), 'sip:[2001:db8::1]:5060');
});

test('parseIPv6 expands :: and embedded IPv4', (t) => {
  t.deepEqual(parseIPv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  t.deepEqual(parseIPv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(parseIPv6('2001:db8::10'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10]);
  t.deepEqual(parseIPv6('::ffff:192.0.2.128'), [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280]);
  t.deepEqual(parseIPv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.deepEqual(parseIPv6('1:2:3:4:5:6:1.2.3.4'), [1, 2, 3, 4, 5, 6, 0x102, 0x304]);
  t.deepEqual(parseIPv6('1::'), [1, 0, 0, 0, 0, 0, 0, 0]);
  for (const b of ['', ':', ':::', '1:2', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', '::1.2.3', '1.2.3.4::', '12345::']) {
    t.is(parseIPv6(b), undefined, b);
  }
});

// tel: URIs (RFC 3966)
const telGood: Array<[string, Partial<TelUri>]> = [
  ['tel:+1-201-555-0123', { number: '+1-201-555-0123', params: {} }],
  ['tel:7042;phone-context=example.com', { number: '7042', params: { 'phone-context': 'example.com' } }],
  ['tel:863-1234;phone-context=+1-914-555', { number: '863-1234', params: { 'phone-context': '+1-914-555' } }],
  ['tel:+1(201)555.0123;ext=1234', { number: '+1(201)555.0123', params: { ext: '1234' } }],
  ['tel:+358-555-1234567;isub=1411;postd=pp22', { params: { isub: '1411', postd: 'pp22' } }],
  ['TEL:+1-201-555-0123;Phone-Context=X', { number: '+1-201-555-0123', params: { 'phone-context': 'X' } }],
  ['tel:*21#;phone-context=example.com', { number: '*21#' }],
  ['tel:+12015550123;rn=+1-202-555-0000;npdi', { params: { rn: '+1-202-555-0000', npdi: null } }],
];

for (const [text, expect] of telGood) {
  test(`parseUri accepts ${text}`, (t) => {
    const u = parseUri(text);
    t.true(isTelUri(u));
    for (const key of Object.keys(expect) as Array<keyof TelUri>) t.deepEqual((u as TelUri)[key], expect[key], key);
    t.is(u.scheme, 'tel');
  });
}

test('tel: URIs round-trip through formatUri', (t) => {
  for (const text of ['tel:+1-201-555-0123', 'tel:7042;phone-context=example.com', 'tel:+1(201)555.0123;ext=1234']) {
    t.is(formatUri(parseUri(text)), text);
  }
});

const telBad: Array<[string, RegExp]> = [
  ['tel:', /empty telephone number/],
  ['tel:+', /without digits/],
  ['tel:--', /without digits/],
  ['tel:7042', /without phone-context/],
  ['tel:+1 201', /bad character ' '/],
  ['tel:+1-201-ABC', /bad character 'A'/],
  ['tel:+1;ext=12a', /bad ext/],
  ['tel:+1;', /empty parameter name/],
  ['tel:+1;a=', /missing value for parameter a/],
  ['tel:+1;a=1;A=2', /duplicate parameter a/],
  ['tel:+1;a=b c', /bad character ' ' in parameter a/],
];

for (const [text, message] of telBad) {
  test(`parseUri rejects ${JSON.stringify(text)}`, (t) => {
    t.throws(() => parseUri(text), { instanceOf: SipError, message });
  });
}
