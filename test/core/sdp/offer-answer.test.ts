import test from 'ava';
import type { Random } from '../../../hal/random.js';
import { SrtpContext } from '../../../src/media/srtp/context.js';
import { decodeSdesKey } from '../../../src/media/srtp/sdes.js';
import {
  MediaSession,
  NegotiationError,
  answerDirection,
  type MediaOptions,
} from '../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../src/sdp/parse.js';
import { SdpError, type Direction } from '../../../src/sdp/sdp.js';
import { serializeSdp } from '../../../src/sdp/serialize.js';
import * as F from './fixtures.js';

function counterRandom(seed = 1): Random {
  let n = seed;
  return {
    fill(d: Uint8Array) {
      for (let i = 0; i < d.length; i++) {
        n = (n * 1103515245 + 12345) >>> 0;
        d[i] = n >>> 24;
      }
      return d;
    },
  };
}

function session(patch: Partial<MediaOptions> = {}): MediaSession {
  return new MediaSession({ address: '192.0.2.50', port: 16384, codecs: ['PCMU', 'PCMA'], random: counterRandom(), ...patch });
}

function answer(s: MediaSession, offer: string) {
  const r = s.receiveOffer(parseSdp(offer));
  // What goes on the wire must parse back to the same thing.
  t_roundTrip(serializeSdp(r.answer));
  return r;
}
function t_roundTrip(text: string): void {
  const p = parseSdp(text);
  if (serializeSdp(p) !== text) throw new Error('answer does not round-trip');
}

test('initial offer: PCMU 0, PCMA 8, telephone-event 101 0-16, ptime 20, sendrecv', (t) => {
  const s = session();
  const text = serializeSdp(s.createOffer());
  const id = /^o=xsphone (\d+) (\d+) IN IP4 192\.0\.2\.50$/m.exec(text);
  t.truthy(id);
  t.is(id![1], id![2]);
  t.is(
    text.replace(/^o=.*\r\n/m, ''),
    [
      'v=0', 's=-', 'c=IN IP4 192.0.2.50', 't=0 0', 'm=audio 16384 RTP/AVP 0 8 101',
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16',
      'a=ptime:20', 'a=sendrecv', '',
    ].join('\r\n'),
  );
});

test('codec order comes from settings; telephone-event can be left out; IPv6 address', (t) => {
  const s = session({ codecs: ['PCMA', 'PCMU'], telephoneEvent: false, address: '2001:db8::5' });
  const o = s.createOffer();
  t.deepEqual(o.media[0].formats, ['8', '0']);
  t.deepEqual(o.connection, { addressType: 'IP6', address: '2001:db8::5' });
  t.is(o.origin.addressType, 'IP6');
});

test('re-offers keep the session id and bump the version; a refresh re-sends the same SDP', (t) => {
  const s = session();
  const first = s.createOffer();
  s.receiveAnswer(parseSdp(F.sippOffer.replace('a=sendrecv', 'a=sendrecv')));
  const second = s.createOffer();
  t.is(second.origin.sessionId, first.origin.sessionId);
  t.is(Number(second.origin.sessionVersion), Number(first.origin.sessionVersion) + 1);
  s.rollback();
  const refresh = s.createOffer({ refresh: true });
  t.is(refresh.origin.sessionVersion, second.origin.sessionVersion);
  s.rollback();
  s.hold();
  const third = s.createOffer();
  t.is(Number(third.origin.sessionVersion), Number(first.origin.sessionVersion) + 2);
});

test('baresip offer: answer PCMU/PCMA/telephone-event with their numbers, drop opus and G.722', (t) => {
  const { answer: a, media } = answer(session(), F.baresipOffer);
  const m = a.media[0];
  t.deepEqual(m.formats, ['0', '8', '101']);
  t.is(m.port, 16384);
  t.is(m.protocol, 'RTP/AVP');
  t.is(m.direction, 'sendrecv');
  t.is(m.ptime, 20);
  t.deepEqual(m.fmtps, [{ format: '101', params: '0-16' }]);
  t.is(media.remoteAddress, '127.0.0.1');
  t.is(media.remotePort, 10458);
  t.is(media.remoteRtcpPort, 10459);
  t.is(media.payloadType, 0);
  t.is(media.codec, 'PCMU');
  t.deepEqual(media.receiveCodecs, [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }]);
  t.is(media.telephoneEvent, 101);
  t.is(media.direction, 'sendrecv');
  t.false(media.remoteHold);
  t.is(media.srtp, undefined);
});

test('SIPp offer (LF-only, PCMU only): answer PCMU without telephone-event', (t) => {
  const { answer: a, media } = answer(session({ codecs: ['PCMA', 'PCMU'] }), F.sippOffer);
  t.deepEqual(a.media[0].formats, ['0']);
  t.is(a.media[0].rtpmaps.length, 1);
  t.is(media.telephoneEvent, undefined);
  t.is(media.remotePort, 6000);
});

test('JsSIP WebRTC offer (DTLS-SRTP, SAVPF only): 488, since we cannot do DTLS', (t) => {
  const err = t.throws(() => session({ srtp: 'optional' }).receiveOffer(parseSdp(F.jssipOffer)), { instanceOf: NegotiationError });
  t.is(err?.status, 488);
  t.regex(err!.message, /UDP\/TLS\/RTP\/SAVPF/);
});

test('JsSIP plain RTP offer: answer G.711 and 8 kHz telephone-event, honour a=rtcp; rtcp-mux only when enabled', (t) => {
  const plain = answer(session(), F.jssipPlainOffer);
  t.deepEqual(plain.answer.media[0].formats, ['0', '8', '126']);
  t.false(plain.answer.media[0].rtcpMux);
  t.false(plain.media.rtcpMux);
  t.is(plain.media.remoteRtcpPort, 49501);
  t.is(plain.media.remoteRtcpAddress, '10.0.0.7');
  t.is(plain.media.telephoneEvent, 126);
  const mux = answer(session({ rtcpMux: true }), F.jssipPlainOffer);
  t.true(mux.answer.media[0].rtcpMux);
  t.true(mux.media.rtcpMux);
  t.is(mux.media.remoteRtcpPort, 49500);
});

test('JsSIP offer with both telephone-event rates picks the 8 kHz one', (t) => {
  const withBoth = F.jssipPlainOffer.replace('m=audio 49500 RTP/AVP 111 0 8 126', 'm=audio 49500 RTP/AVP 111 0 8 110 126')
    .replace('a=rtpmap:126', 'a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126');
  t.is(answer(session(), withBoth).media.telephoneEvent, 126);
});

test('Asterisk offer: PCMA preferred by the offerer is what we send', (t) => {
  const s = session();
  const { answer: a, media } = answer(s, F.asteriskOffer);
  t.deepEqual(a.media[0].formats, ['8', '0', '101']);
  t.is(media.codec, 'PCMA');
  t.is(media.payloadType, 8);
  t.is(media.ptime, 20);
  t.is(a.sessionName, '-');
});

test('Asterisk hold (sendonly re-offer): we answer recvonly and see remote hold; resume restores sendrecv', (t) => {
  const s = session();
  const first = answer(s, F.asteriskOffer).answer;
  const { answer: a, media } = answer(s, F.asteriskHoldOffer);
  t.is(a.media[0].direction, 'recvonly');
  t.is(media.direction, 'recvonly');
  t.true(media.remoteHold);
  t.is(a.origin.sessionId, first.origin.sessionId);
  t.is(Number(a.origin.sessionVersion), Number(first.origin.sessionVersion) + 1);
  const back = answer(s, F.asteriskOffer.replace('1712345678 1712345678', '1712345678 1712345680'));
  t.is(back.media.direction, 'sendrecv');
  t.false(back.media.remoteHold);
});

test('Cisco offer: G.729 first, but we pick PCMU; CN not answered', (t) => {
  const { answer: a, media } = answer(session(), F.ciscoOffer);
  t.deepEqual(a.media[0].formats, ['0', '8', '101']);
  t.is(media.codec, 'PCMU');
  t.is(media.remoteAddress, '198.51.100.4');
});

test('Cisco old-style hold (c=0.0.0.0): remote hold detected, we do not send', (t) => {
  const s = session();
  answer(s, F.ciscoOffer);
  const { answer: a, media } = answer(s, F.ciscoOldHold);
  t.true(media.remoteHold);
  t.is(media.direction, 'recvonly');
  t.is(a.media[0].direction, 'recvonly');
});

test('Polycom best-effort SRTP (RTP/AVP + crypto) over IPv6: plain when SRTP is off, SDES when allowed', (t) => {
  const off = answer(session(), F.polycomOffer);
  t.is(off.answer.media[0].protocol, 'RTP/AVP');
  t.is(off.answer.media[0].crypto.length, 0);
  t.is(off.media.srtp, undefined);
  t.is(off.media.remoteAddressType, 'IP6');
  t.is(off.media.remoteAddress, '2001:db8::42');
  t.is(off.media.telephoneEvent, 127);

  const on = answer(session({ srtp: 'optional' }), F.polycomOffer);
  const c = on.answer.media[0].crypto;
  t.is(c.length, 1);
  t.is(c[0].tag, 1);
  t.is(c[0].suite, 'AES_CM_128_HMAC_SHA1_80');
  const theirs = decodeSdesKey(parseSdp(F.polycomOffer).media[0].crypto[0]);
  t.deepEqual(on.media.srtp?.receive.masterKey, theirs.masterKey);
  t.deepEqual(on.media.srtp?.send.masterKey, decodeSdesKey(c[0]).masterKey);
  t.notDeepEqual(on.media.srtp?.send.masterKey, theirs.masterKey);
});

test('baresip RTP/SAVP offer: 488 with SRTP off; with SRTP on, skip GCM/AES-256 lines and answer tag 3', (t) => {
  const err = t.throws(() => session().receiveOffer(parseSdp(F.baresipSrtpOffer)), { instanceOf: NegotiationError });
  t.is(err?.status, 488);
  const { answer: a, media } = answer(session({ srtp: 'mandatory' }), F.baresipSrtpOffer);
  t.is(a.media[0].protocol, 'RTP/SAVP');
  t.is(a.media[0].crypto[0].tag, 3);
  t.is(a.media[0].crypto[0].suite, 'AES_CM_128_HMAC_SHA1_80');
  t.is(media.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
  // Only the _32 suite allowed: tag 4.
  const only32 = answer(session({ srtp: 'mandatory', srtpSuites: ['AES_CM_128_HMAC_SHA1_32'] }), F.baresipSrtpOffer);
  t.is(only32.answer.media[0].crypto[0].tag, 4);
});

test('mandatory SRTP refuses a plain RTP offer', (t) => {
  t.throws(() => session({ srtp: 'mandatory' }).receiveOffer(parseSdp(F.sippOffer)), { instanceOf: NegotiationError });
});

test('nothing in common: 488 for video only and for non-G.711 audio', (t) => {
  for (const offer of [F.videoOnlyOffer, F.noCommonCodecOffer]) {
    const err = t.throws(() => session().receiveOffer(parseSdp(offer)), { instanceOf: NegotiationError });
    t.is(err?.status, 488);
  }
});

test('extra streams are rejected with port 0, in the same order; a second audio stream too', (t) => {
  const offer = F.asteriskOffer + 'm=video 5006 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 5008 RTP/AVP 0\r\n';
  const { answer: a } = answer(session(), offer);
  t.deepEqual(a.media.map((m) => [m.type, m.port, m.protocol, m.formats.join(' ')]), [
    ['audio', 16384, 'RTP/AVP', '8 0 101'],
    ['video', 0, 'RTP/AVP', '96'],
    ['audio', 0, 'RTP/AVP', '0'],
  ]);
  // A rejected first audio stream (port 0) does not stop us from taking the next one.
  const skip = F.sippOffer.replace('m=audio 6000', 'm=audio 0') + 'm=audio 7000 RTP/AVP 8\n';
  const r = answer(session(), skip);
  t.deepEqual(r.answer.media.map((m) => m.port), [0, 16384]);
  t.is(r.media.remotePort, 7000);
});

test('RFC 3264 §6.1 answer direction table, with and without local hold', (t) => {
  const table: Array<[Direction, boolean, Direction]> = [
    ['sendrecv', false, 'sendrecv'],
    ['sendonly', false, 'recvonly'],
    ['recvonly', false, 'sendonly'],
    ['inactive', false, 'inactive'],
    ['sendrecv', true, 'sendonly'],
    ['sendonly', true, 'inactive'],
    ['recvonly', true, 'sendonly'],
    ['inactive', true, 'inactive'],
  ];
  for (const [offered, hold, expected] of table) {
    t.is(answerDirection(offered, hold), expected, `${offered} hold=${hold}`);
    const s = session();
    if (hold) s.hold();
    const r = s.receiveOffer(parseSdp(F.asteriskOffer.replace('a=sendrecv', `a=${offered}`)));
    t.is(r.answer.media[0].direction, expected);
    t.is(r.media.direction, expected);
  }
});

test('our offer answered by SIPp (PCMU only): negotiated PCMU, no telephone-event', (t) => {
  const s = session({ codecs: ['PCMA', 'PCMU'] });
  s.createOffer();
  const media = s.receiveAnswer(parseSdp(F.sippOffer));
  t.is(media.codec, 'PCMU');
  t.is(media.payloadType, 0);
  t.deepEqual(media.receiveCodecs, [{ payloadType: 0, codec: 'PCMU' }]);
  t.is(media.telephoneEvent, undefined);
  t.is(media.direction, 'sendrecv');
  t.is(s.media, media);
});

test('answer checks: formats we never offered are ignored; no common codec, rejected audio and wrong m-line count fail', (t) => {
  const ans = (body: string) => {
    const s = session();
    s.createOffer();
    return s.receiveAnswer(parseSdp(body));
  };
  const base = 'v=0\r\no=- 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n';
  const m = ans(base + 'm=audio 5000 RTP/AVP 9 8 101\r\na=rtpmap:101 telephone-event/8000\r\n');
  t.is(m.codec, 'PCMA');
  t.is(m.telephoneEvent, 101);
  t.throws(() => ans(base + 'm=audio 5000 RTP/AVP 9 18\r\n'), { instanceOf: NegotiationError });
  t.throws(() => ans(base + 'm=audio 0 RTP/AVP 0\r\n'), { instanceOf: NegotiationError, message: /rejected/ });
  t.throws(() => ans(base + 'm=audio 5000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n'), { instanceOf: SdpError });
  t.throws(() => session().receiveAnswer(parseSdp(base + 'm=audio 5000 RTP/AVP 0\r\n')), { message: /no offer outstanding/ });
});

test('hold: sendonly re-offer; peer answers recvonly; we still send, marked local hold; resume', (t) => {
  const s = session();
  s.createOffer();
  s.receiveAnswer(parseSdp(F.asteriskOffer));
  s.hold();
  const offer = s.createOffer();
  t.is(offer.media[0].direction, 'sendonly');
  const held = s.receiveAnswer(parseSdp(F.asteriskOffer.replace('a=sendrecv', 'a=recvonly')));
  t.is(held.direction, 'sendonly');
  t.true(held.localHold);
  t.false(held.remoteHold);
  s.resume();
  t.is(s.createOffer().media[0].direction, 'sendrecv');
  const back = s.receiveAnswer(parseSdp(F.asteriskOffer));
  t.is(back.direction, 'sendrecv');
  t.false(back.localHold);
});

test('hold while the peer already holds us: inactive', (t) => {
  const s = session();
  answer(s, F.asteriskHoldOffer);
  s.hold();
  t.is(s.createOffer().media[0].direction, 'inactive');
  const r = s.receiveAnswer(parseSdp(F.asteriskOffer.replace('a=sendrecv', 'a=inactive')));
  t.is(r.direction, 'inactive');
  t.true(r.remoteHold, 'still held by the peer');
});

test('a peer that answers our sendrecv offer with sendonly/inactive or c=0.0.0.0 is holding us', (t) => {
  for (const change of [(x: string) => x.replace('a=sendrecv', 'a=sendonly'), (x: string) => x.replace('a=sendrecv', 'a=inactive'), (x: string) => x.replace('c=IN IP4 203.0.113.10', 'c=IN IP4 0.0.0.0')]) {
    const s = session();
    s.createOffer();
    const r = s.receiveAnswer(parseSdp(change(F.asteriskOffer)));
    t.true(r.remoteHold);
    t.false(r.direction === 'sendrecv' || r.direction === 'sendonly', 'we do not send');
  }
});

test('SDES end to end between two sessions: keys cross over and protect/unprotect works', (t) => {
  const a = session({ srtp: 'mandatory', random: counterRandom(7) });
  const b = session({ srtp: 'mandatory', random: counterRandom(99), port: 20000 });
  const offer = serializeSdp(a.createOffer());
  t.regex(offer, /m=audio 16384 RTP\/SAVP 0 8 101/);
  t.regex(offer, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\r\n/);
  t.regex(offer, /a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:/);
  const { answer: ans, media: bm } = b.receiveOffer(parseSdp(offer));
  const am = a.receiveAnswer(parseSdp(serializeSdp(ans)));
  t.is(am.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
  t.deepEqual(am.srtp?.send, bm.srtp?.receive);
  t.deepEqual(am.srtp?.receive, bm.srtp?.send);
  const tx = new SrtpContext(am.srtp!.send);
  const rx = new SrtpContext(bm.srtp!.receive);
  const buf = new Uint8Array(64);
  buf.set([0x80, 0, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4, 9, 9, 9, 9]);
  t.is(rx.unprotectRtp(buf, tx.protectRtp(buf, 16)), 16);
  // The keys stay the same on a re-offer (hold), so the peer's SRTP state stays valid.
  a.hold();
  const again = a.createOffer();
  t.deepEqual(again.media[0].crypto, parseSdp(offer).media[0].crypto);
});

test('best-effort SRTP offer answered without crypto falls back to RTP; a crypto tag we never offered fails', (t) => {
  const s = session({ srtp: 'optional' });
  const o = s.createOffer();
  t.is(o.media[0].protocol, 'RTP/AVP');
  t.is(o.media[0].crypto.length, 2);
  t.is(s.receiveAnswer(parseSdp(F.asteriskOffer)).srtp, undefined);
  s.createOffer();
  const bad = F.asteriskOffer.replace('a=sendrecv', 'a=sendrecv\r\na=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR');
  t.throws(() => s.receiveAnswer(parseSdp(bad)), { instanceOf: NegotiationError, message: /tag 9/ });
});

test('ptime follows the offer within 10..60 ms, limited by maxptime', (t) => {
  t.is(answer(session(), F.asteriskOffer.replace('a=ptime:20', 'a=ptime:30')).media.ptime, 30);
  t.is(answer(session(), F.asteriskOffer.replace('a=ptime:20', 'a=ptime:25')).media.ptime, 20);
  t.is(answer(session({ ptime: 40 }), F.asteriskOffer.replace('a=ptime:20\r\n', '').replace('maxptime:150', 'maxptime:30')).media.ptime, 30);
});

test('an answer identical to our previous SDP keeps its version (session refresh); a changed one bumps it', (t) => {
  const s = session();
  const first = answer(s, F.asteriskOffer).answer;
  const refresh = answer(s, F.asteriskOffer).answer;
  t.is(refresh.origin.sessionVersion, first.origin.sessionVersion);
  const held = answer(s, F.asteriskHoldOffer).answer;
  t.is(Number(held.origin.sessionVersion), Number(first.origin.sessionVersion) + 1);
});

test('one offer, several answers: 183 then 200 OK, or forked early dialogs', (t) => {
  const s = session();
  s.createOffer();
  const early = s.receiveAnswer(parseSdp(F.asteriskOffer));
  t.is(early.remoteAddress, '203.0.113.10');
  const other = s.receiveAnswer(parseSdp(F.sippOffer));
  t.is(other.remoteAddress, '127.0.0.1');
  t.is(other.codec, 'PCMU');
  s.rollback();
  t.throws(() => s.receiveAnswer(parseSdp(F.sippOffer)), { message: /no offer outstanding/ });
});

test('refreshing after we answered re-offers that answer unchanged (rejected streams, our crypto tag included)', (t) => {
  const s = session({ srtp: 'optional' });
  const offer = F.polycomOffer.replace('a=rtcp-xr', 'a=rtcp-xr').concat('m=video 5006 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n');
  const { answer: ours } = s.receiveOffer(parseSdp(offer));
  const refresh = s.createOffer({ refresh: true });
  t.deepEqual(refresh, ours, 'the same SDP again (kept as its text, so not the same object)');
  t.deepEqual(refresh.media.map((m) => m.port), [16384, 0]);
  // The peer answers our refresh with its own unchanged media (audio with a key for our tag 1, video rejected).
  const peerAnswer = F.polycomOffer.replace(/a=crypto:2 .*\r\n/, '') + 'm=video 0 RTP/AVP 96\r\n';
  const media = s.receiveAnswer(parseSdp(peerAnswer));
  t.is(media.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
  t.deepEqual(media.srtp?.send.masterKey, decodeSdesKey(ours.media[0].crypto[0]).masterKey);
});

test('captured baresip offers: SAVP answered with SDES, best-effort answered plain or with SDES', (t) => {
  const savp = answer(session({ srtp: 'mandatory' }), F.baresipCapturedSrtpOffer);
  t.is(savp.answer.media[0].protocol, 'RTP/SAVP');
  t.deepEqual(savp.answer.media[0].crypto.map((c) => [c.tag, c.suite]), [[1, 'AES_CM_128_HMAC_SHA1_80']]);
  t.is(savp.media.telephoneEvent, 101);
  const plain = answer(session(), F.baresipCapturedBestEffortOffer);
  t.is(plain.answer.media[0].protocol, 'RTP/AVP');
  t.is(plain.media.srtp, undefined);
  const sdes = answer(session({ srtp: 'optional' }), F.baresipCapturedBestEffortOffer);
  t.is(sdes.media.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
  t.is(sdes.answer.media[0].protocol, 'RTP/AVP');
});

test('captured baresip answers to our SAVP offer and hold re-offer', (t) => {
  const s = session({ srtp: 'mandatory', codecs: ['PCMA', 'PCMU'] });
  s.createOffer();
  const m = s.receiveAnswer(parseSdp(F.baresipCapturedAnswer));
  t.is(m.codec, 'PCMA');
  t.is(m.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
  t.is(m.direction, 'sendrecv');
  s.hold();
  t.is(s.createOffer().media[0].direction, 'sendonly');
  const held = s.receiveAnswer(parseSdp(F.baresipCapturedHoldAnswer));
  t.is(held.direction, 'sendonly');
  t.false(held.remoteHold);
  t.deepEqual(held.srtp?.receive, m.srtp?.receive);
});
