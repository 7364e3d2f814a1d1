// The benchmark mix: the messages of one registration and one call as a desk phone sees them
// (INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, REGISTER with Authorization, 401 with
// WWW-Authenticate), each as the bytes a socket delivers.

function sipMessage(head: string[], body = ''): string {
  const lines = body === '' ? [...head, 'Content-Length: 0'] : [...head, `Content-Length: ${new TextEncoder().encode(body).length}`];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function sdp(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

const offer = sdp([
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.101',
  's=-',
  'c=IN IP4 192.0.2.101',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtcp:49171',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:150',
  'a=sendrecv',
]);

const answer = sdp([
  'v=0',
  'o=bob 2808844564 2808844564 IN IP4 192.0.2.201',
  's=-',
  'c=IN IP4 192.0.2.201',
  't=0 0',
  'm=audio 3456 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=sendrecv',
]);

const callId = '3848276298220188511@192.0.2.101';
const from = 'From: "Alice Smith" <sip:alice@example.com>;tag=9fxced76sl';
const to = 'To: "Bob" <sip:bob@example.com>';
const toTagged = `${to};tag=314159`;
const topVia = 'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bK776asdhds;rport';
const proxyVia = 'Via: SIP/2.0/UDP proxy.example.com:5060;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.10';

export const INVITE = sipMessage([
  'INVITE sip:bob@example.com SIP/2.0',
  topVia,
  'Max-Forwards: 70',
  from,
  to,
  `Call-ID: ${callId}`,
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.101:5060;transport=udp>',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE, PRACK',
  'Supported: replaces, timer, 100rel',
  'Session-Expires: 1800',
  'Allow-Events: talk, hold, conference, refer, dialog',
  'Accept: application/sdp',
  'User-Agent: xsphone/0.1',
  'Content-Type: application/sdp',
], offer);

export const TRYING = sipMessage([
  'SIP/2.0 100 Trying',
  proxyVia,
  topVia.replace(';rport', ';rport=5060;received=198.51.100.7'),
  from,
  to,
  `Call-ID: ${callId}`,
  'CSeq: 314159 INVITE',
  'Server: Kamailio (5.6.3 (x86_64/linux))',
]);

export const RINGING = sipMessage([
  'SIP/2.0 180 Ringing',
  topVia.replace(';rport', ';rport=5060;received=198.51.100.7'),
  'Record-Route: <sip:proxy.example.com;lr>',
  from,
  toTagged,
  `Call-ID: ${callId}`,
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.201:5060>',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER',
]);

export const OK_WITH_SDP = sipMessage([
  'SIP/2.0 200 OK',
  topVia.replace(';rport', ';rport=5060;received=198.51.100.7'),
  'Record-Route: <sip:proxy.example.com;lr>',
  from,
  toTagged,
  `Call-ID: ${callId}`,
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.201:5060>',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER',
  'Supported: replaces, timer',
  'Session-Expires: 1800;refresher=uac',
  'Content-Type: application/sdp',
], answer);

export const ACK = sipMessage([
  'ACK sip:bob@192.0.2.201:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bK74bf9;rport',
  'Route: <sip:proxy.example.com;lr>',
  'Max-Forwards: 70',
  from,
  toTagged,
  `Call-ID: ${callId}`,
  'CSeq: 314159 ACK',
]);

export const BYE = sipMessage([
  'BYE sip:alice@192.0.2.101:5060;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.201:5060;branch=z9hG4bKnashds7;rport',
  'Route: <sip:proxy.example.com;lr>',
  'Max-Forwards: 70',
  'From: "Bob" <sip:bob@example.com>;tag=314159',
  'To: "Alice Smith" <sip:alice@example.com>;tag=9fxced76sl',
  `Call-ID: ${callId}`,
  'CSeq: 231 BYE',
  'User-Agent: baresip v1.0.0 (x86_64/linux)',
]);

export const REGISTER = sipMessage([
  'REGISTER sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKnashd92;rport',
  'Max-Forwards: 70',
  'From: <sip:alice@example.com>;tag=ja743ks76zlflH',
  'To: <sip:alice@example.com>',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.101',
  'CSeq: 2 REGISTER',
  'Contact: <sip:alice@192.0.2.101:5060;transport=udp>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>"',
  'Authorization: Digest username="alice", realm="example.com", nonce="ZAYaBWQGGNlmqbThDcTnBz0+U4q2tv5A", '
    + 'uri="sip:example.com", response="f0e0b2a66f5c20cca4bd2ab4f1b24ec2", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001',
  'Expires: 3600',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE, PRACK',
  'User-Agent: xsphone/0.1',
]);

export const UNAUTHORIZED = sipMessage([
  'SIP/2.0 401 Unauthorized',
  'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKnashd92;rport=5060;received=198.51.100.7',
  'From: <sip:alice@example.com>;tag=ja743ks76zlflH',
  'To: <sip:alice@example.com>;tag=b27e1a1d33761e85846fc98f5f3a7e58.0b4c',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.101',
  'CSeq: 1 REGISTER',
  'WWW-Authenticate: Digest realm="example.com", nonce="ZAYaBWQGGNlmqbThDcTnBz0+U4q2tv5A", qop="auth", algorithm=MD5',
  'Server: Kamailio (5.6.3 (x86_64/linux))',
]);

/** What every parser must read from each message: the benchmark checks it got these. */
export interface Fields {
  callId: string;
  cseq: number;
  fromTag: string;
  branch: string;
}

export interface BenchMessage {
  name: string;
  text: string;
  expected: Fields;
}

const invite = { callId, fromTag: '9fxced76sl', branch: 'z9hG4bK776asdhds' };

export const MIX: readonly BenchMessage[] = [
  { name: 'INVITE+SDP', text: INVITE, expected: { ...invite, cseq: 314159 } },
  { name: '100 Trying', text: TRYING, expected: { ...invite, cseq: 314159, branch: 'z9hG4bK4b43c2ff8.1' } },
  { name: '180 Ringing', text: RINGING, expected: { ...invite, cseq: 314159 } },
  { name: '200 OK+SDP', text: OK_WITH_SDP, expected: { ...invite, cseq: 314159 } },
  { name: 'ACK', text: ACK, expected: { ...invite, cseq: 314159, branch: 'z9hG4bK74bf9' } },
  { name: 'BYE', text: BYE, expected: { callId, cseq: 231, fromTag: '314159', branch: 'z9hG4bKnashds7' } },
  { name: 'REGISTER+auth', text: REGISTER,
    expected: { callId: '1j9FpLxk3uxtm8tn@192.0.2.101', cseq: 2, fromTag: 'ja743ks76zlflH', branch: 'z9hG4bKnashd92' } },
  { name: '401+challenge', text: UNAUTHORIZED,
    expected: { callId: '1j9FpLxk3uxtm8tn@192.0.2.101', cseq: 1, fromTag: 'ja743ks76zlflH', branch: 'z9hG4bKnashd92' } },
];

export function sameFields(a: Fields, b: Fields): boolean {
  return a.callId === b.callId && a.cseq === b.cseq && a.fromTag === b.fromTag && a.branch === b.branch;
}
