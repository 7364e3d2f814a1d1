import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import {
  eventMatches,
  formatEvent,
  formatSubscriptionState,
  parseEvent,
  parseSubscriptionState,
} from '../../../src/sip/headers/event.js';
import {
  formatDate,
  formatRAck,
  formatRetryAfter,
  formatReason,
  formatReplaces,
  formatSessionExpires,
  formatWarning,
  parseCallId,
  parseDate,
  parseRAck,
  parseReason,
  parseReferredBy,
  parseReferTo,
  parseReplaces,
  parseRetryAfter,
  parseSessionExpires,
  parseWarning,
} from '../../../src/sip/headers/dialog-headers.js';
import { isSipUri } from '../../../src/sip/uri.js';

// Event / Subscription-State (RFC 6665)
test('parseEvent: type, id, params', (t) => {
  t.deepEqual(parseEvent('presence'), { type: 'presence', params: {} });
  t.deepEqual(parseEvent('refer;id=93809824'), { type: 'refer', id: '93809824', params: { id: '93809824' } });
  t.deepEqual(parseEvent(' dialog ; call-id="abc@h" ; from-tag=1'), { type: 'dialog', params: { 'call-id': 'abc@h', 'from-tag': '1' } });
  t.throws(() => parseEvent('dialog;call-id=abc@h'), { instanceOf: SipError, message: "bad Event: unexpected '@'" });
  t.deepEqual(parseEvent('presence.winfo').type, 'presence.winfo');
  t.is(formatEvent(parseEvent('refer;id=7')), 'refer;id=7');
  t.true(eventMatches(parseEvent('Refer;id=7'), parseEvent('refer ; id=7')));
  t.false(eventMatches(parseEvent('refer;id=7'), parseEvent('refer;id=8')));
  t.false(eventMatches(parseEvent('refer;id=7'), parseEvent('refer')));
  t.throws(() => parseEvent(''), { instanceOf: SipError, message: /bad Event: missing event type/ });
  t.throws(() => parseEvent('refer;id'), { instanceOf: SipError, message: /bad Event: id without value/ });
  t.throws(() => parseEvent('refer x'), { instanceOf: SipError, message: /bad Event: unexpected 'x'/ });
});

test('parseSubscriptionState', (t) => {
  t.deepEqual(parseSubscriptionState('active;expires=3600'), { state: 'active', expires: 3600, params: { expires: '3600' } });
  t.deepEqual(parseSubscriptionState('Terminated; reason=Timeout'), { state: 'terminated', reason: 'timeout', params: { reason: 'Timeout' } });
  t.deepEqual(parseSubscriptionState('terminated;reason=probation;retry-after=30'), {
    state: 'terminated',
    reason: 'probation',
    retryAfter: 30,
    params: { reason: 'probation', 'retry-after': '30' },
  });
  t.deepEqual(parseSubscriptionState('pending'), { state: 'pending', params: {} });
  t.is(formatSubscriptionState({ state: 'active', expires: 60, params: {} }), 'active;expires=60');
  t.is(formatSubscriptionState(parseSubscriptionState('terminated;reason=noresource')), 'terminated;reason=noresource');
  t.throws(() => parseSubscriptionState('active;expires=soon'), { instanceOf: SipError, message: /bad Subscription-State: expires is not a number/ });
  t.throws(() => parseSubscriptionState('active;expires=99999999999'), { instanceOf: SipError, message: /expires out of range/ });
  t.throws(() => parseSubscriptionState(';expires=1'), { instanceOf: SipError, message: /missing state/ });
  t.throws(() => parseSubscriptionState('terminated;reason'), { instanceOf: SipError, message: /reason without value/ });
});

// Refer-To / Referred-By
test('parseReferTo: name-addr with embedded Replaces header; addr-spec', (t) => {
  const r = parseReferTo('<sip:bob@biloxi.example.net?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>');
  const u = r.uri;
  t.true(isSipUri(u));
  if (isSipUri(u)) {
    const rep = parseReplaces(u.headers['Replaces']!);
    t.deepEqual(rep, { callId: '12345@192.168.118.3', toTag: '12345', fromTag: '5FFE-3994', earlyOnly: false, params: { 'to-tag': '12345', 'from-tag': '5FFE-3994' } });
  }
  const a = parseReferTo('sip:carol@chicago.example.com;method=INVITE');
  t.deepEqual(a.params, { method: 'INVITE' });
  t.throws(() => parseReferTo('sip:carol@chicago.example.com?Replaces=x'), { instanceOf: SipError, message: /bad Refer-To: URI with '\?' must be enclosed in <>/ });
  const b = parseReferredBy('"Alice" <sip:alice@atlanta.example.com>;cid="20398823.2UWQFN309shb3@referrer.example"');
  t.is(b.displayName, 'Alice');
  t.is(b.params['cid'], '20398823.2UWQFN309shb3@referrer.example');
});

// Replaces (RFC 3891)
test('parseReplaces', (t) => {
  t.deepEqual(parseReplaces('98732@sip.example.com\r\n          ;from-tag=r33th4x0r\r\n          ;to-tag=ff87ff'), {
    callId: '98732@sip.example.com',
    toTag: 'ff87ff',
    fromTag: 'r33th4x0r',
    earlyOnly: false,
    params: { 'from-tag': 'r33th4x0r', 'to-tag': 'ff87ff' },
  });
  const e = parseReplaces('12adf2f34456gs5;to-tag=12345;from-tag=54321;early-only');
  t.true(e.earlyOnly);
  t.is(e.callId, '12adf2f34456gs5');
  t.is(formatReplaces(e), '12adf2f34456gs5;to-tag=12345;from-tag=54321;early-only');
  t.throws(() => parseReplaces('abc;to-tag=1'), { instanceOf: SipError, message: 'bad Replaces: missing from-tag' });
  t.throws(() => parseReplaces('abc;from-tag=1'), { instanceOf: SipError, message: 'bad Replaces: missing to-tag' });
  t.throws(() => parseReplaces(';to-tag=1;from-tag=2'), { instanceOf: SipError, message: /missing Call-ID/ });
  t.throws(() => parseReplaces('a@;to-tag=1;from-tag=2'), { instanceOf: SipError, message: /empty word after '@'/ });
});

test('parseCallId', (t) => {
  t.is(parseCallId('f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com'), 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com');
  t.is(parseCallId('  a84b4c76e66710 '), 'a84b4c76e66710');
  t.is(parseCallId('ltgtruri.1@192.0.2.5'), 'ltgtruri.1@192.0.2.5');
  t.is(parseCallId('x(y)<z>:"/[]?{}@w'), 'x(y)<z>:"/[]?{}@w');
  t.throws(() => parseCallId(''), { instanceOf: SipError, message: 'bad Call-ID: empty value' });
  t.throws(() => parseCallId('a b'), { instanceOf: SipError, message: "bad Call-ID: unexpected ' '" });
  t.throws(() => parseCallId('a@b@c'), { instanceOf: SipError, message: "bad Call-ID: unexpected '@'" });
  t.throws(() => parseCallId('a;b'), { instanceOf: SipError, message: "bad Call-ID: unexpected ';'" });
});

// RAck (RFC 3262)
test('parseRAck', (t) => {
  t.deepEqual(parseRAck('776656 1 INVITE'), { rseq: 776656, cseq: 1, method: 'INVITE' });
  t.deepEqual(parseRAck('  1\t 2   PRACK '), { rseq: 1, cseq: 2, method: 'PRACK' });
  t.is(formatRAck({ rseq: 5, cseq: 3, method: 'INVITE' }), '5 3 INVITE');
  t.throws(() => parseRAck('1 INVITE'), { instanceOf: SipError, message: /bad RAck: expected digits/ });
  t.throws(() => parseRAck('1 2'), { instanceOf: SipError, message: 'bad RAck: missing method' });
  t.throws(() => parseRAck('12'), { instanceOf: SipError, message: 'bad RAck: missing CSeq number' });
  t.throws(() => parseRAck('1 2 INVITE x'), { instanceOf: SipError, message: "bad RAck: unexpected ' '" });
  t.throws(() => parseRAck('99999999999 2 INVITE'), { instanceOf: SipError, message: /number too large/ });
});

// Session-Expires (RFC 4028)
test('parseSessionExpires', (t) => {
  t.deepEqual(parseSessionExpires('4000;refresher=uac'), { delta: 4000, refresher: 'uac', params: { refresher: 'uac' } });
  t.deepEqual(parseSessionExpires(' 1800 ; refresher = UAS'), { delta: 1800, refresher: 'uas', params: { refresher: 'UAS' } });
  t.deepEqual(parseSessionExpires('90'), { delta: 90, params: {} });
  t.is(formatSessionExpires({ delta: 1800, refresher: 'uac', params: {} }), '1800;refresher=uac');
  t.throws(() => parseSessionExpires('1800;refresher=me'), { instanceOf: SipError, message: 'bad Session-Expires: refresher must be uac or uas' });
  t.throws(() => parseSessionExpires('soon'), { instanceOf: SipError, message: /bad Session-Expires: expected digits/ });
  t.throws(() => parseSessionExpires('90 x'), { instanceOf: SipError, message: "bad Session-Expires: unexpected 'x'" });
  t.is(parseSessionExpires('90', 'Min-SE').delta, 90);
});

// Warning
test('parseWarning', (t) => {
  t.deepEqual(parseWarning('307 isi.edu "Session parameter \'foo\' not understood"'), [
    { code: 307, agent: 'isi.edu', text: "Session parameter 'foo' not understood" },
  ]);
  t.deepEqual(parseWarning('301 isi.edu "Incompatible network address type \'E.164\'", 399 [2001:db8::1]:5060 "x \\"y\\""'), [
    { code: 301, agent: 'isi.edu', text: "Incompatible network address type 'E.164'" },
    { code: 399, agent: '[2001:db8::1]:5060', text: 'x "y"' },
  ]);
  t.is(formatWarning({ code: 399, agent: 'h', text: 'a "b"' }), '399 h "a \\"b\\""');
  t.throws(() => parseWarning('1812 overture "In Progress"'), { instanceOf: SipError, message: 'bad Warning: warn-code must be 3 digits' });
  t.throws(() => parseWarning('399 overture'), { instanceOf: SipError, message: /expected quoted warn-text/ });
  t.throws(() => parseWarning('399 "text"'), { instanceOf: SipError, message: /missing warn-agent|expected quoted/ });
  t.throws(() => parseWarning('399 h "unterminated'), { instanceOf: SipError, message: 'unterminated quoted string in Warning' });
  t.throws(() => parseWarning('x h "t"'), { instanceOf: SipError, message: /expected warn-code/ });
});

// Reason (RFC 3326)
test('parseReason', (t) => {
  t.deepEqual(parseReason('SIP ;cause=200 ;text="Call completed elsewhere"'), [
    { protocol: 'SIP', cause: 200, text: 'Call completed elsewhere', params: { cause: '200', text: 'Call completed elsewhere' } },
  ]);
  t.deepEqual(parseReason('Q.850 ;cause=16 ;text="Terminated", SIP;cause=487'), [
    { protocol: 'Q.850', cause: 16, text: 'Terminated', params: { cause: '16', text: 'Terminated' } },
    { protocol: 'SIP', cause: 487, params: { cause: '487' } },
  ]);
  t.is(formatReason({ protocol: 'SIP', cause: 200, text: 'Call completed elsewhere', params: {} }), 'SIP;cause=200;text="Call completed elsewhere"');
  t.throws(() => parseReason('SIP;cause=abc'), { instanceOf: SipError, message: 'bad Reason: cause is not a number' });
  t.throws(() => parseReason(';cause=1'), { instanceOf: SipError, message: /expected protocol/ });
  t.throws(() => parseReason('SIP;text'), { instanceOf: SipError, message: /text without value/ });
});

// Retry-After
test('parseRetryAfter', (t) => {
  t.deepEqual(parseRetryAfter('18000;duration=3600'), { delta: 18000, duration: 3600, params: { duration: '3600' } });
  t.deepEqual(parseRetryAfter('120 (I\'m in a meeting)'), { delta: 120, comment: "I'm in a meeting", params: {} });
  t.deepEqual(parseRetryAfter('5 (a (nested) comment) ;duration=1'), { delta: 5, comment: 'a (nested) comment', duration: 1, params: { duration: '1' } });
  t.is(formatRetryAfter(parseRetryAfter("120 (I'm in a meeting) ;duration=60")), "120 (I'm in a meeting);duration=60");
  t.is(formatRetryAfter({ delta: 5, params: {} }), '5');
  t.throws(() => parseRetryAfter('949302838503028349304023988'), { instanceOf: SipError, message: /bad Retry-After: number too large/ });
  t.throws(() => parseRetryAfter('5 (open'), { instanceOf: SipError, message: 'bad Retry-After: unterminated comment' });
  t.throws(() => parseRetryAfter('5;duration=x'), { instanceOf: SipError, message: 'bad Retry-After: duration is not a number' });
});

// Date
test('parseDate / formatDate', (t) => {
  t.is(parseDate('Sat, 13 Nov 2010 23:29:00 GMT'), Date.UTC(2010, 10, 13, 23, 29, 0));
  t.is(parseDate('Sun, 06 Nov 1994 08:49:37 GMT'), 784111777000);
  t.is(parseDate('  Thu, 21 Feb 2002 13:02:03 GMT '), Date.UTC(2002, 1, 21, 13, 2, 3));
  t.is(formatDate(784111777000), 'Sun, 06 Nov 1994 08:49:37 GMT');
  t.is(formatDate(Date.UTC(2026, 0, 5, 4, 3, 2)), 'Mon, 05 Jan 2026 04:03:02 GMT');
  const bad: Array<[string, RegExp]> = [
    ['Fri, 01 Jan 2010 16:00:00 EST', /bad Date: time zone must be GMT/],
    ['Fri, 01 Jan 2010 16:00:00', /not an RFC 1123 date/],
    ['Friday, 01 Jan 2010 16:00:00 GMT', /not an RFC 1123 date/],
    ['Fri, 1 Jan 2010 16:00:00 GMT', /not an RFC 1123 date/],
    ['Xyz, 01 Jan 2010 16:00:00 GMT', /bad weekday Xyz/],
    ['Fri, 01 Foo 2010 16:00:00 GMT', /bad month Foo/],
    ['Fri, 31 Feb 2010 16:00:00 GMT', /no such day/],
    ['Sat, 01 Jan 2010 16:00:00 GMT', /weekday does not match/],
    ['Fri, 01 Jan 2010 25:00:00 GMT', /field out of range/],
    ['Fri, 0x Jan 2010 16:00:00 GMT', /expected 2 digits/],
  ];
  for (const [text, message] of bad) t.throws(() => parseDate(text), { instanceOf: SipError, message }, text);
});
