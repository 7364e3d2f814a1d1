import test from 'ava';
import { parseUri, uriEquals } from '../../../src/sip/uri.js';

function eq(a: string, b: string): boolean {
  const x = parseUri(a);
  const y = parseUri(b);
  const r = uriEquals(x, y);
  if (r !== uriEquals(y, x)) throw new Error(`uriEquals is not symmetric for ${a} / ${b}`);
  return r;
}

// RFC 3261 §19.1.4: every equivalent set listed there.
const equalSets: string[][] = [
  ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
  ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
  ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
  ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
];

// RFC 3261 §19.1.4: every non-equivalent pair listed there.
const notEqualPairs: Array<[string, string, string]> = [
  ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP', 'different usernames'],
  ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060', 'can resolve to different ports'],
  ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp', 'can resolve to different transports'],
  ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp', 'can resolve to different port and transports'],
  ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting', 'different header component'],
  ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4', 'even though that is what phone21.boxesbybob.com resolves to'],
  ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off', 'different parameter value'],
];

for (const set of equalSets) {
  test(`RFC 3261 §19.1.4 equivalent: ${set.join(' = ')}`, (t) => {
    for (const a of set) for (const b of set) t.true(eq(a, b), `${a} = ${b}`);
  });
}

for (const [a, b, why] of notEqualPairs) {
  test(`RFC 3261 §19.1.4 not equivalent (${why}): ${a} / ${b}`, (t) => {
    t.false(eq(a, b));
  });
}

test('§19.1.4: equality is not transitive across params present in only one URI', (t) => {
  t.true(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com'));
  t.true(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;security=off'));
  t.false(eq('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'));
});

const morePairs: Array<[string, string, boolean, string]> = [
  ['sip:alice@atlanta.com', 'sips:alice@atlanta.com', false, 'scheme must match'],
  ['sip:alice:pw@atlanta.com', 'sip:alice@atlanta.com', false, 'password present in one'],
  ['sip:alice:pw@atlanta.com', 'sip:alice:PW@atlanta.com', false, 'password is case-sensitive'],
  ['sip:alice:p%77@atlanta.com', 'sip:alice:pw@atlanta.com', true, 'password compared unescaped'],
  ['sip:atlanta.com', 'sip:alice@atlanta.com', false, 'user present in one'],
  ['sip:alice@atlanta.com;user=phone', 'sip:alice@atlanta.com', false, 'user param in one'],
  ['sip:alice@atlanta.com;ttl=1', 'sip:alice@atlanta.com', false, 'ttl param in one'],
  ['sip:alice@atlanta.com;method=INVITE', 'sip:alice@atlanta.com', false, 'method param in one'],
  ['sip:alice@atlanta.com;maddr=239.1.1.1', 'sip:alice@atlanta.com', false, 'maddr param in one'],
  ['sip:alice@atlanta.com;maddr=Host.Example', 'sip:alice@atlanta.com;maddr=host.example', true, 'maddr compared case-insensitively'],
  ['sip:alice@atlanta.com;lr', 'sip:alice@atlanta.com', true, 'lr in one only is ignored'],
  ['sip:alice@atlanta.com;lr', 'sip:alice@atlanta.com;lr', true, 'lr in both'],
  ['sip:alice@atlanta.com;foo', 'sip:alice@atlanta.com;foo=bar', false, 'flag vs value'],
  ['sip:alice@atlanta.com;%66oo=b%61r', 'sip:alice@atlanta.com;foo=BAR', true, 'params unescaped and case-insensitive'],
  ['sip:alice@atlanta.com:5060', 'sip:alice@atlanta.com:5060', true, 'same explicit port'],
  ['sip:alice@atlanta.com?Subject=X', 'sip:alice@atlanta.com?subject=x', true, 'header names and values case-insensitive'],
  ['sip:alice@atlanta.com?a=1', 'sip:alice@atlanta.com?a=1&b=2', false, 'header missing from one'],
  ['sip:alice@atlanta.com?a=1', 'sip:alice@atlanta.com?a=2', false, 'header values differ'],
  ['sip:%41lice@atlanta.com', 'sip:Alice@atlanta.com', true, 'user compared after unescaping'],
  ['sip:alice@atlanta.com.', 'sip:alice@atlanta.com', false, 'trailing dot is a different host text'],
  // RFC 5954 §3: IPv6 literals compare as addresses.
  ['sip:[::1]', 'sip:[0:0:0:0:0:0:0:1]', true, 'IPv6 compressed vs full'],
  ['sip:bob@[2001:db8::10]:5060', 'sip:bob@[2001:DB8:0:0:0:0:0:10]:5060', true, 'IPv6 case and compression'],
  ['sip:bob@[::ffff:192.0.2.1]', 'sip:bob@[::ffff:c000:201]', true, 'IPv6 embedded IPv4 vs hex'],
  ['sip:bob@[2001:db8::10]', 'sip:bob@[2001:db8::11]', false, 'different IPv6 addresses'],
  ['sip:bob@[2001:db8::10]', 'sip:bob@[2001:db8::10]:5060', false, 'IPv6 explicit port vs default'],
  ['sip:[2001:db8::10:5070]', 'sip:[2001:db8::10]:5070', false, 'RFC 5118 port-ambiguous forms differ'],
];

for (const [a, b, expected, why] of morePairs) {
  test(`uriEquals ${expected ? '=' : '≠'} (${why}): ${a} / ${b}`, (t) => {
    t.is(eq(a, b), expected);
  });
}

// RFC 3966 §4
const telPairs: Array<[string, string, boolean, string]> = [
  ['tel:+1-201-555-0123', 'tel:+12015550123', true, 'visual separators ignored'],
  ['tel:+1(201)555.0123', 'tel:+1-201-555-0123', true, 'all visual separators ignored'],
  ['tel:+12015550123', 'tel:12015550123;phone-context=+1', false, 'global vs local'],
  ['tel:7042;phone-context=example.com', 'tel:7042;phone-context=EXAMPLE.com', true, 'phone-context domain case-insensitive'],
  ['tel:863-1234;phone-context=+1-914-555', 'tel:8631234;phone-context=+1914555', true, 'phone-context digits without separators'],
  ['tel:7042;phone-context=example.com', 'tel:7042;phone-context=example.net', false, 'different phone-context'],
  ['tel:+1-201-555-0123;ext=1-2', 'tel:+12015550123;ext=12', true, 'ext without separators'],
  ['tel:+12015550123;ext=12', 'tel:+12015550123', false, 'parameter in one only'],
  ['tel:+12015550123;a=1;b=2', 'tel:+12015550123;b=2;a=1', true, 'parameter order ignored'],
  ['tel:+12015550123;a=X', 'tel:+12015550123;A=x', true, 'parameters case-insensitive'],
  ['tel:*21#;phone-context=a.com', 'tel:*21#;phone-context=a.com', true, 'star and hash'],
  ['tel:ab12;phone-context=a.com', 'tel:AB12;phone-context=a.com', true, 'hex digits case-insensitive'],
  ['tel:+12015550123', 'sip:+12015550123@example.com;user=phone', false, 'tel vs sip'],
];

for (const [a, b, expected, why] of telPairs) {
  test(`tel uriEquals ${expected ? '=' : '≠'} (${why}): ${a} / ${b}`, (t) => {
    t.is(eq(a, b), expected);
  });
}

test('other schemes compare by scheme (case-insensitive) and text', (t) => {
  t.true(eq('urn:uuid:1234', 'URN:uuid:1234'));
  t.false(eq('urn:uuid:1234', 'urn:uuid:1235'));
  t.false(eq('http://example.com', 'sip:example.com'));
});
