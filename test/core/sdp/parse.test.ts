import test from 'ava';
import { parseSdp } from '../../../src/sdp/parse.js';
import { SdpError, mediaConnection, mediaDirection } from '../../../src/sdp/sdp.js';
import { serializeSdp } from '../../../src/sdp/serialize.js';
import * as F from './fixtures.js';

const all: Array<[string, string]> = Object.entries(F).filter((e): e is [string, string] => typeof e[1] === 'string');

for (const [name, text] of all) {
  test(`${name}: parse(serialize(parse(x))) equals parse(x), and serialize is a fixed point`, (t) => {
    const once = parseSdp(text);
    const written = serializeSdp(once);
    t.deepEqual(parseSdp(written), once);
    t.is(serializeSdp(parseSdp(written)), written);
    t.true(written.endsWith('\r\n'));
    t.false(/\r\n\r\n/.test(written));
  });
}

test('baresip offer: fields, rtpmaps, fmtps, unknown attributes kept', (t) => {
  const s = parseSdp(F.baresipOffer);
  t.deepEqual(s.origin, { username: '-', sessionId: '1453474227', sessionVersion: '3187574386', addressType: 'IP4', address: '127.0.0.1' });
  t.is(s.sessionName, '-');
  t.deepEqual(s.connection, { addressType: 'IP4', address: '127.0.0.1' });
  t.deepEqual(s.timing, [{ start: '0', stop: '0', repeats: [] }]);
  t.deepEqual(s.attributes, [{ name: 'tool', value: 'baresip 1.0.0' }]);
  t.is(s.media.length, 1);
  const m = s.media[0];
  t.is(m.type, 'audio');
  t.is(m.port, 10458);
  t.is(m.protocol, 'RTP/AVP');
  t.deepEqual(m.formats, ['96', '9', '0', '8', '101']);
  t.deepEqual(m.bandwidths, [{ type: 'AS', kbps: 512 }]);
  t.deepEqual(m.rtpmaps[0], { payloadType: 96, encoding: 'opus', clockRate: 48000, channels: 2 });
  t.deepEqual(m.fmtps, [{ format: '96', params: 'stereo=1;sprop-stereo=1' }, { format: '101', params: '0-15' }]);
  t.is(m.ptime, 20);
  t.is(m.direction, 'sendrecv');
  t.deepEqual(m.attributes.map((a) => a.name), ['label', 'ssrc', 'rtcp-rsize']);
  t.is(m.attributes[2].value, undefined);
});

test('JsSIP WebRTC offer: media-level c=, rtcp with address, rtcp-mux, ICE kept verbatim', (t) => {
  const s = parseSdp(F.jssipOffer);
  t.is(s.connection, undefined);
  t.is(s.media.length, 2);
  const [audio, video] = s.media;
  t.is(audio.protocol, 'UDP/TLS/RTP/SAVPF');
  t.deepEqual(mediaConnection(s, audio), { addressType: 'IP4', address: '192.168.1.20' });
  t.deepEqual(audio.rtcp, { port: 9, connection: { addressType: 'IP4', address: '0.0.0.0' } });
  t.true(audio.rtcpMux);
  t.is(audio.attributes.filter((a) => a.name === 'candidate').length, 2);
  t.is(audio.attributes.find((a) => a.name === 'fingerprint')?.value?.slice(0, 10), 'sha-256 4A');
  t.is(video.type, 'video');
  t.is(s.attributes.find((a) => a.name === 'msid-semantic')?.value, ' WMS 5bcb6d2a-6e6b-4ac1-94a1-3d2bd9f5f0c7');
});

test('IPv6 connection and origin; session-level direction applies to media', (t) => {
  const s = parseSdp(F.polycomOffer);
  t.deepEqual(s.connection, { addressType: 'IP6', address: '2001:db8::42' });
  t.is(s.origin.addressType, 'IP6');
  t.is(s.direction, 'sendrecv');
  t.is(s.media[0].direction, undefined);
  t.is(mediaDirection(s, s.media[0]), 'sendrecv');
  t.is(s.media[0].crypto.length, 2);
  t.deepEqual(s.media[0].crypto[0], {
    tag: 1,
    suite: 'AES_CM_128_HMAC_SHA1_80',
    keyParams: 'inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31',
    sessionParams: [],
  });
});

test('SIPp body with LF-only line ends and trailing blank lines', (t) => {
  const s = parseSdp(F.sippOffer);
  t.is(s.origin.username, 'sipp');
  t.is(s.media[0].port, 6000);
  t.deepEqual(s.media[0].formats, ['0']);
});

test('trailing spaces and tabs are ignored; "s= " accepted', (t) => {
  const s = parseSdp('v=0 \r\no=- 1 1 IN IP4 10.0.0.1\t\r\ns= \r\nc=IN IP4 10.0.0.1  \r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 \r\na=sendonly \r\n');
  t.is(s.sessionName, '');
  t.is(s.connection?.address, '10.0.0.1');
  t.deepEqual(s.media[0].formats, ['0']);
  t.is(s.media[0].direction, 'sendonly');
});

test('repeat times, zone, key, email, phone, uri and info are kept', (t) => {
  const text = [
    'v=0', 'o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5', 's=SDP Seminar', 'i=A Seminar on the session description protocol',
    'u=http://www.example.com/seminars/sdp.pdf', 'e=j.doe@example.com (Jane Doe)', 'p=+1 617 555-6011', 'c=IN IP4 224.2.17.12/127',
    'b=CT:128', 't=2873397496 2873404696', 'r=7d 1h 0 25h', 'z=2882844526 -1h 2898848070 0', 'k=clear:secret', 'a=recvonly',
    'm=audio 49170 RTP/AVP 0', 'i=voice', 'b=AS:64', 'k=prompt', 'm=video 51372/2 RTP/AVP 99', 'a=rtpmap:99 h263-1998/90000',
  ].join('\r\n');
  const s = parseSdp(text);
  t.is(s.info, 'A Seminar on the session description protocol');
  t.is(s.uri, 'http://www.example.com/seminars/sdp.pdf');
  t.deepEqual(s.emails, ['j.doe@example.com (Jane Doe)']);
  t.deepEqual(s.phones, ['+1 617 555-6011']);
  t.deepEqual(s.connection, { addressType: 'IP4', address: '224.2.17.12', multicast: '127' });
  t.deepEqual(s.timing, [{ start: '2873397496', stop: '2873404696', repeats: ['7d 1h 0 25h'] }]);
  t.is(s.zone, '2882844526 -1h 2898848070 0');
  t.is(s.key, 'clear:secret');
  t.is(s.direction, 'recvonly');
  t.is(s.media[0].info, 'voice');
  t.is(s.media[0].key, 'prompt');
  t.is(s.media[1].portCount, 2);
  t.deepEqual(parseSdp(serializeSdp(s)), s);
});

test('RFC 3605 rtcp attribute with and without address', (t) => {
  const base = 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  t.deepEqual(parseSdp(base + 'a=rtcp:53020\r\n').media[0].rtcp, { port: 53020 });
  t.deepEqual(parseSdp(base + 'a=rtcp:53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD\r\n').media[0].rtcp, {
    port: 53020,
    connection: { addressType: 'IP6', address: '2001:2345:6789:ABCD:EF01:2345:6789:ABCD' },
  });
});

test('garbage is rejected with an SdpError that names the line', (t) => {
  const ok = ['v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'c=IN IP4 1.2.3.4', 't=0 0', 'm=audio 4000 RTP/AVP 0'];
  const bad: Array<[string[], RegExp]> = [
    [[], /empty/],
    [['hello world'], /line 1: not a/],
    [['<html>', ...ok], /line 1/],
    [ok.slice(1), /first line must be v=/],
    [['v=1', ...ok.slice(1)], /version/],
    [['v=0', 's=-', ...ok.slice(2)], /o= must follow/],
    [['v=0', 'o=- 1 IN IP4 1.2.3.4', ...ok.slice(2)], /line 2: o= needs 6 fields/],
    [['v=0', 'o=- x 1 IN IP4 1.2.3.4', ...ok.slice(2)], /session id/],
    [['v=0', 'o=- 1 1 ATM IP4 1.2.3.4', ...ok.slice(2)], /network type/],
    [[...ok.slice(0, 2), ...ok.slice(3)], /s= missing/],
    [[...ok.slice(0, 4), 'm=audio 4000 RTP/AVP 0'], /t= missing/],
    [[...ok.slice(0, 3), 'c=IN IP5 1.2.3.4', ...ok.slice(4)], /address type/],
    [[...ok.slice(0, 3), 'c=IN IP4', ...ok.slice(4)], /c= needs 3 fields/],
    [[...ok.slice(0, 3), 'c=IN IP4 fe80::1', ...ok.slice(4)], /not an IPv4/],
    [[...ok.slice(0, 3), 'c=IN IP4 1.2.3.4 extra', ...ok.slice(4)], /c= needs 3 fields/],
    [[...ok.slice(0, 5), 'm=audio 99999 RTP/AVP 0'], /bad port/],
    [[...ok.slice(0, 5), 'm=audio 4000 RTP/AVP'], /at least one format/],
    [[...ok.slice(0, 5), 'm=audio 4000 RTP/AVP 0 200'], /payload type "200"/],
    [[...ok, 'a=rtpmap:0 PCMU'], /bad rtpmap/],
    [[...ok, 'a=rtpmap:x PCMU/8000'], /bad rtpmap/],
    [[...ok, 'a=ptime:abc'], /bad ptime/],
    [[...ok, 'a=rtcp:abc'], /bad port/],
    [[...ok, 'a=fmtp:101'], /bad fmtp/],
    [[...ok, 't=0 0'], /t= not allowed in a media section/],
    [[...ok, 'a=bad name'], /bad attribute name/],
    [[...ok.slice(0, 4), 't=now 0', ok[5]], /bad t=/],
    [[...ok.slice(0, 4), 'b=AS', ...ok.slice(4)], /bad b=/],
    [[...ok, 'X=1'], /not a/],
    [[...ok, 'v=0'], /v= not allowed/],
  ];
  for (const [lines, message] of bad) {
    const err = t.throws(() => parseSdp(lines.join('\r\n')), { instanceOf: SdpError }, lines.join('|'));
    t.regex(err?.message ?? '', message, lines.join('|'));
  }
});

test('unknown line types are ignored; a malformed crypto line is kept as an unknown attribute', (t) => {
  const s = parseSdp('v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nx=whatever\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/SAVP 0\ny=1\na=crypto:1\n');
  t.is(s.media[0].crypto.length, 0);
  t.deepEqual(s.media[0].attributes, [{ name: 'crypto', value: '1' }]);
});

test('fmtp order is canonical so that round trips are stable', (t) => {
  const s = parseSdp('v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 101 18\na=fmtp:18 annexb=no\na=fmtp:101 0-15\na=rtpmap:101 telephone-event/8000\na=rtpmap:18 G729/8000\n');
  t.deepEqual(s.media[0].fmtps.map((f) => f.format), ['101', '18']);
  t.deepEqual(parseSdp(serializeSdp(s)), s);
});
