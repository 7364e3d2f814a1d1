import test from 'ava';
import { SipError } from '../../../src/sip/errors.js';
import type { Via } from '../../../src/sip/message.js';
import { formatVia, formatViaList, parseTopVia, parseVia } from '../../../src/sip/headers/via.js';
import { parseCSeq, formatCSeq } from '../../../src/sip/headers/cseq.js';

const good: Array<[string, Via[]]> = [
  ['SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds', [
    { protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.com', params: { branch: 'z9hG4bK776asdhds' }, branch: 'z9hG4bK776asdhds' },
  ]],
  ['SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7', [
    { protocol: 'SIP/2.0', transport: 'UDP', host: 'erlang.bell-telephone.com', port: 5060, params: { branch: 'z9hG4bK87asdks7' }, branch: 'z9hG4bK87asdks7' },
  ]],
  ['SIP/2.0/UDP 192.0.2.1:5060 ;received=192.0.2.207 ;branch=z9hG4bK77asjd', [
    { protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5060, params: { received: '192.0.2.207', branch: 'z9hG4bK77asjd' }, branch: 'z9hG4bK77asjd', received: '192.0.2.207' },
  ]],
  // RFC 4475 wsinv: LWS everywhere, two values in one line
  ['SIP  / 2.0  / TCP     spindle.example.com   ;\t  branch  =   z9hG4bK9ikj8  , SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239', [
    { protocol: 'SIP/2.0', transport: 'TCP', host: 'spindle.example.com', params: { branch: 'z9hG4bK9ikj8' }, branch: 'z9hG4bK9ikj8' },
    { protocol: 'SIP/2.0', transport: 'UDP', host: '192.168.255.111', params: { branch: 'z9hG4bK30239' }, branch: 'z9hG4bK30239' },
  ]],
  ['SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw', [
    { protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.2', params: { branch: '390skdjuw' }, branch: '390skdjuw' },
  ]],
  // RFC 3581 rport, RFC 5118 IPv6
  ['SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111;rport;received=2001:db8::9:255', [
    { protocol: 'SIP/2.0', transport: 'UDP', host: '2001:db8::9:1', port: 6050, params: { branch: 'z9hG4bKas3-111', rport: null, received: '2001:db8::9:255' }, branch: 'z9hG4bKas3-111', rport: null, received: '2001:db8::9:255' },
  ]],
  ['SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3;rport=5061', [
    { protocol: 'SIP/2.0', transport: 'UDP', host: '2001:db8::9:1', params: { received: '[2001:db8::9:255]', branch: 'z9hG4bKas3', rport: '5061' }, branch: 'z9hG4bKas3', received: '[2001:db8::9:255]', rport: 5061 },
  ]],
  ['sip/2.0/tls Host.Example.COM : 5061 ; maddr=224.2.0.1 ; ttl=16 ; branch=z9hG4bK%fz', [
    { protocol: 'SIP/2.0', transport: 'TLS', host: 'host.example.com', port: 5061, params: { maddr: '224.2.0.1', ttl: '16', branch: 'z9hG4bK%fz' }, branch: 'z9hG4bK%fz' },
  ]],
  // RFC 2543 peers: no branch; unknown transports (RFC 4475 transports)
  ['SIP/2.0/UDP 192.0.2.5', [{ protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.5', params: {} }]],
  ['SIP/2.0/SCTP t3.example.com;branch=z9hG4bKsdfasdf,SIP/2.0/TLS t4.example.com;branch=z9hG4bK3e,SIP/2.0/UNKNOWN t5.example.com;branch=z9hG4bKn', [
    { protocol: 'SIP/2.0', transport: 'SCTP', host: 't3.example.com', params: { branch: 'z9hG4bKsdfasdf' }, branch: 'z9hG4bKsdfasdf' },
    { protocol: 'SIP/2.0', transport: 'TLS', host: 't4.example.com', params: { branch: 'z9hG4bK3e' }, branch: 'z9hG4bK3e' },
    { protocol: 'SIP/2.0', transport: 'UNKNOWN', host: 't5.example.com', params: { branch: 'z9hG4bKn' }, branch: 'z9hG4bKn' },
  ]],
  ['SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKvU;rport', [
    { protocol: 'SIP/2.0', transport: 'WSS', host: 'df7jal23ls0d.invalid', params: { branch: 'z9hG4bKvU', rport: null }, branch: 'z9hG4bKvU', rport: null },
  ]],
];

for (const [text, expected] of good) {
  test(`parseVia accepts ${JSON.stringify(text)}`, (t) => {
    t.deepEqual(parseVia(text), expected);
    t.deepEqual(parseTopVia(text), expected[0]!);
  });
}

const bad: Array<[string, RegExp]> = [
  ['', /bad Via: empty value/],
  ['SIP/2.0/UDP', /bad Via: missing sent-by/],
  ['SIP/2.0/UDP ;branch=z9hG4bK1', /missing sent-by/],
  ['SIP/2.0/UDP ', /missing sent-by/],
  ['SIP/2.0 host.example.com', /expected '\/' in sent-protocol/],
  ['SIP/2.0/ host', /missing sent-by/],
  ['SIP/2.0/;branch=x host', /missing transport/],
  ['SIP//UDP host', /missing protocol version/],
  ['SIP/2.0/UDPhost', /expected '\/' in sent-protocol|missing sent-by/],
  ['SIP/2.0/UDP host:', /missing port/],
  ['SIP/2.0/UDP host:70000', /number too large/],
  ['SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bK1', /bad Via: IPv6 address must be enclosed in \[\]/],
  ['SIP/2.0/UDP [2001:db8::9:1;branch=z9hG4bK1', /unterminated IPv6/],
  ['SIP/2.0/UDP [2001:db8:::1];branch=z9hG4bK1', /bad IPv6 address/],
  ['SIP/2.0/UDP host;branch', /branch without value/],
  ['SIP/2.0/UDP host;received=example.com', /received is not an IP address/],
  ['SIP/2.0/UDP host;rport=abc', /rport is not a number/],
  ['SIP/2.0/UDP host;rport=70000', /number too large/],
  ['SIP/2.0/UDP host;ttl=256', /ttl out of range/],
  ['SIP/2.0/UDP host;maddr', /maddr without value/],
  ['SIP/2.0/UDP host;branch=a;branch=b', /duplicate parameter branch/],
  ['SIP/2.0/UDP host;branch=a b', /unexpected 'b'/],
  ['SIP/2.0/UDP host,', /bad Via: empty value/],
  ['SIP/2.0/UDP host extra', /unexpected 'e'/],
  ['SIP/2.0/UDP ho_st', /unexpected '_'/],
  ['SIP/2.0/UDP host;branch="z9hG4bK', /unterminated quoted string in Via/],
];

for (const [text, message] of bad) {
  test(`parseVia rejects ${JSON.stringify(text)}`, (t) => {
    const e = t.throws(() => parseVia(text), { instanceOf: SipError, message }) as SipError | undefined;
    t.is(e?.status, 400);
  });
}

test('formatVia writes a canonical value and fields override params', (t) => {
  const [v] = parseVia('SIP / 2.0 / UDP [2001:db8::1] : 5060 ; branch = z9hG4bK1 ; rport');
  t.is(formatVia(v!), 'SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;rport');
  v!.received = '192.0.2.9';
  v!.rport = 5062;
  t.is(formatVia(v!), 'SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;rport=5062;received=192.0.2.9');
  const built: Via = { protocol: 'SIP/2.0', transport: 'TCP', host: 'h.example', params: {}, branch: 'z9hG4bKx', rport: null };
  t.is(formatVia(built), 'SIP/2.0/TCP h.example;branch=z9hG4bKx;rport');
  t.is(formatViaList([built, built]), 'SIP/2.0/TCP h.example;branch=z9hG4bKx;rport, SIP/2.0/TCP h.example;branch=z9hG4bKx;rport');
  t.deepEqual(parseVia(formatVia(built)), [{ ...built, params: { branch: 'z9hG4bKx', rport: null } }]);
});

// CSeq
const cseqGood: Array<[string, number, string]> = [
  ['4711 INVITE', 4711, 'INVITE'],
  ['0009\r\n  INVITE', 9, 'INVITE'],
  ['  1   REGISTER  ', 1, 'REGISTER'],
  ['0 ACK', 0, 'ACK'],
  ['2147483647 BYE', 2147483647, 'BYE'],
  ['1 NEWMETHOD', 1, 'NEWMETHOD'],
  ['29344 RE%47IST%45R', 29344, 'RE%47IST%45R'],
  ['00000000000000000001 OPTIONS', 1, 'OPTIONS'],
];

for (const [text, seq, method] of cseqGood) {
  test(`parseCSeq accepts ${JSON.stringify(text)}`, (t) => {
    t.deepEqual(parseCSeq(text), { seq, method });
  });
}

const cseqBad: Array<[string, RegExp]> = [
  ['', /bad CSeq: expected sequence number/],
  ['INVITE', /expected sequence number, found 'I'/],
  ['1', /missing method/],
  ['1 ', /missing method/],
  ['1INVITE', /unexpected 'I'/],
  ['-1 INVITE', /expected sequence number/],
  ['2147483648 INVITE', /sequence number too large/],
  ['36893488147419103232 REGISTER', /sequence number too large/],
  ['9292394834772304023312 OPTIONS', /sequence number too large/],
  ['1 INVITE BYE', /unexpected ' ' in method/],
  ['1 INV@TE', /unexpected '@' in method/],
  ['1.5 INVITE', /unexpected '.'/],
];

for (const [text, message] of cseqBad) {
  test(`parseCSeq rejects ${JSON.stringify(text)}`, (t) => {
    t.throws(() => parseCSeq(text), { instanceOf: SipError, message });
  });
}

test('formatCSeq', (t) => {
  t.is(formatCSeq({ seq: 12, method: 'INVITE' }), '12 INVITE');
});
