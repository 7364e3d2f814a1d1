import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { DtmfDetector, dtmfDigit } from '../../../../src/media/dtmf.js';
import { ALAW_DECODE, ULAW_DECODE, linearToAlaw, linearToUlaw } from '../../../../src/media/g711.js';
import { RtpHeader, RtpParse, looksLikeRtcp, parseRtp } from '../../../../src/media/rtp-packet.js';
import { MemoryNet, type Datagram } from './memory-network.js';
import { chirp, connect, findExact, negotiate, phone, sine, tonePower, ulawRoundTrip } from './harness.js';

const A = '192.0.2.1';
const B = '192.0.2.2';

function rtpOf(d: Datagram): RtpHeader | null {
  if (looksLikeRtcp(d.bytes, 0, d.bytes.length)) return null;
  const h = new RtpHeader();
  return parseRtp(d.bytes, 0, d.bytes.length, h) === RtpParse.ok ? h : null;
}

function isRtcp(d: Datagram): boolean {
  return d.bytes.length >= 8 && d.bytes[1]! >= 200 && d.bytes[1]! <= 204;
}

test('two engines exchange a tone: what B plays is A\'s G.711 round trip, after the jitter-buffer delay', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  const toneA = chirp(160 * 100, 200, 3000, 8000);
  const toneB = chirp(160 * 100, 3200, 300, 6000);
  const a = await phone(net, clock, 1, { address: A, mic: toneA });
  const b = await phone(net, clock, 2, { address: B, mic: toneB, sdp: { codecs: ['PCMA', 'PCMU'] } });
  t.is(a.media.localPort % 2, 0);
  t.is(a.media.localRtcpPort, a.media.localPort + 1);
  const n = connect(a, b);
  t.is(n.a.codec, 'PCMU', 'the offerer\'s preference wins');
  clock.advance(100 * 20);
  const heardB = b.output.samples;
  const heardA = a.output.samples;
  t.is(heardB.length, 100 * 160);
  const expectedB = ulawRoundTrip(toneA, linearToUlaw, ULAW_DECODE);
  const lag = findExact(heardB, expectedB, 160 * 10, 160 * 60, 160 * 20);
  t.true(lag >= 20 * 8 && lag <= 100 * 8, 'B plays exactly the µ-law round trip of A\'s microphone, 20..100 ms later');
  t.log(`jitter-buffer delay (A->B): ${lag / 8} ms`);
  const expectedA = ulawRoundTrip(toneB, linearToUlaw, ULAW_DECODE);
  t.true(findExact(heardA, expectedA, 160 * 10, 160 * 60, 160 * 20) > 0, 'and the other way');
  t.notDeepEqual(expectedA, ulawRoundTrip(toneB, linearToAlaw, ALAW_DECODE));
  a.media.close();
  b.media.close();
});

test('sends encoded silence from start() without an audio device (timer-driven), so NAT pinholes open', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const a = await phone(net, clock, 3, { address: A });
  const b = await phone(net, clock, 4, { address: B });
  clock.advance(200);
  t.is(net.log.length, 0, 'nothing before media is agreed');
  connect(a, b);
  clock.advance(1000);
  const fromA = net.log.filter((d) => d.from.address === A && rtpOf(d));
  t.true(fromA.length >= 49 && fromA.length <= 51, `${fromA.length} packets in 1 s`);
  t.true(fromA.every((d) => d.bytes.subarray(12).every((x) => x === 0xff)), 'µ-law silence');
  t.true(b.output.chunks.length >= 49, 'the timer also drives playout');
  a.media.close();
  b.media.close();
});

test('symmetric RTP: latches on the source of received packets (NAT), then drops other sources', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  // B is behind a NAT: its SDP says 10.0.0.2, its packets come from 203.0.113.9 (port + 1000).
  const a = await phone(net, clock, 5, { address: A, mic: chirp(160 * 60, 300, 2000, 8000) });
  const b = await phone(net, clock, 6, { address: '10.0.0.2', host: { nat: { address: '203.0.113.9', portOffset: 1000 } } });
  const n = negotiate(a, b);
  t.is(n.a.remoteAddress, '10.0.0.2');
  a.media.start(n.a);
  clock.advance(200);
  t.true(net.undeliverable >= 9, 'A sends to the SDP address, which is unreachable');
  t.is(b.output.chunks.length, 0);
  b.media.start(n.b);
  clock.advance(1000);
  t.deepEqual(a.media.session.remote, { address: '203.0.113.9', port: b.media.localPort + 1000 });
  const late = net.log.filter((d) => d.from.address === A && rtpOf(d) && d.to.address === '203.0.113.9');
  t.true(late.length >= 45, 'A now sends to where B\'s packets come from');
  t.true(b.media.stats.packetsReceived >= 45);
  t.true(b.output.samples.some((x) => Math.abs(x) > 1000), 'B hears A');
  // a third party sending to A's RTP port is ignored once latched
  const intruder = await net.host('198.51.100.7').openUdp({ onMessage: () => {} });
  const before = a.media.stats.packetsReceived;
  const stray = net.log.find((d) => d.from.address === '203.0.113.9' && rtpOf(d))!.bytes;
  intruder.send(stray, A, a.media.localPort);
  t.is(a.media.session.foreignPackets, 1);
  t.is(a.media.stats.packetsReceived, before);
  a.media.close();
  b.media.close();
});

test('hold: sendonly sends, recvonly and inactive do not; RTCP continues; resume restores both ways', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const a = await phone(net, clock, 7, { address: A });
  const b = await phone(net, clock, 8, { address: B });
  connect(a, b);
  clock.advance(1000);
  const count = (from: string, what: (d: Datagram) => boolean) => net.log.filter((d) => d.from.address === from && what(d)).length;
  const rtp = (d: Datagram) => rtpOf(d) !== null;
  const window = (ms: number) => {
    const at = net.log.length;
    clock.advance(ms);
    const part = net.log.slice(at);
    return {
      a: part.filter((d) => d.from.address === A && rtp(d)).length,
      b: part.filter((d) => d.from.address === B && rtp(d)).length,
      rtcp: part.filter((d) => isRtcp(d)).length,
    };
  };
  t.true(count(A, rtp) >= 49 && count(B, rtp) >= 49);
  // A holds: A sendonly, B recvonly
  a.sdp.hold();
  const held = negotiate(a, b);
  t.is(held.a.direction, 'sendonly');
  t.is(held.b.direction, 'recvonly');
  a.media.update(held.a);
  b.media.update(held.b);
  let w = window(12000);
  t.true(w.a >= 590, `sendonly keeps sending (${w.a})`);
  t.is(w.b, 0, 'recvonly sends no audio');
  t.true(w.rtcp >= 3, `RTCP continues (${w.rtcp})`);
  // B holds too: both inactive
  b.sdp.hold();
  const both = negotiate(b, a);
  t.is(both.a.direction, 'inactive');
  t.is(both.b.direction, 'inactive');
  b.media.update(both.a);
  a.media.update(both.b);
  w = window(12000);
  t.is(w.a + w.b, 0, 'inactive: no audio either way');
  t.true(w.rtcp >= 3, 'RTCP continues');
  // resume
  a.sdp.resume();
  b.sdp.resume();
  const resumed = negotiate(a, b);
  t.is(resumed.a.direction, 'sendrecv');
  a.media.update(resumed.a);
  b.media.update(resumed.b);
  w = window(1000);
  t.true(w.a >= 49 && w.b >= 49);
  a.media.close();
  b.media.close();
});

test('DTMF: RFC 4733 events end to end; in-band tones when telephone-event is not negotiated', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  const a = await phone(net, clock, 9, { address: A });
  const b = await phone(net, clock, 10, { address: B });
  connect(a, b);
  clock.advance(200);
  t.true(a.media.sendDtmf('5', 160));
  clock.advance(600);
  t.true(b.media.sendDtmf('#'));
  clock.advance(600);
  t.deepEqual(b.dtmf.map((d) => d.digit), ['5']);
  t.true(Math.abs(b.dtmf[0]!.durationMs - 160) <= 20, `duration ${b.dtmf[0]!.durationMs}`);
  t.deepEqual(a.dtmf.map((d) => d.digit), ['#']);
  a.media.close();
  b.media.close();

  // without telephone-event: tones in the audio, found by a detector on what the peer plays
  const c = await phone(net, clock, 11, { address: A, sdp: { telephoneEvent: false } });
  const d = await phone(net, clock, 12, { address: B });
  const n = connect(c, d);
  t.is(n.a.telephoneEvent, undefined);
  clock.advance(200);
  t.true(c.media.sendDtmf('7', 120));
  clock.advance(500);
  t.deepEqual(d.dtmf, [], 'no events');
  const heard = d.output.samples;
  const detector = new DtmfDetector();
  const digits: string[] = [];
  for (let i = 0; i + 160 <= heard.length; i += 160) {
    const e = detector.process(heard, i, 160);
    if (e >= 0) digits.push(dtmfDigit(e));
  }
  t.deepEqual(digits, ['7']);
  c.media.close();
  d.media.close();
});

test('SRTP on both sides: the wire carries no plain audio, both hear each other, tampering is rejected', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const toneA = chirp(160 * 40, 300, 2500, 8000);
  const a = await phone(net, clock, 13, { address: A, mic: toneA, sdp: { srtp: 'mandatory' } });
  const b = await phone(net, clock, 14, { address: B, mic: sine(160 * 40, 700, 6000), sdp: { srtp: 'mandatory' } });
  const n = connect(a, b);
  t.is(n.a.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
  t.true(a.media.secure && b.media.secure);
  clock.advance(40 * 20);
  const expected = ulawRoundTrip(toneA, linearToUlaw, ULAW_DECODE);
  t.true(findExact(b.output.samples, expected, 160 * 10, 160 * 20, 160 * 15) >= 0, 'B decrypts A exactly');
  t.true(tonePower(a.output.samples, 160 * 15, 160 * 20, 700) > 1e6, 'A hears B');
  const packet = net.log.find((d) => d.from.address === A && rtpOf(d) && d.bytes.length === 12 + 160 + 10)!;
  t.truthy(packet, 'RTP + 10-byte auth tag');
  let plain = 0;
  for (const d of net.log.filter((x) => x.from.address === A && rtpOf(x))) {
    // silence or a tone in the clear repeats byte values; ciphertext looks random
    if (new Set(d.bytes.subarray(12, 172)).size < 60) plain++;
  }
  t.is(plain, 0, 'every payload is encrypted');
  t.is(b.media.session.badPackets, 0);
  // one packet with a flipped bit fails authentication and is dropped
  let corrupted = 0;
  net.rewrite = (bytes, from) => {
    if (corrupted === 0 && from.address === A && bytes.length === 182) {
      bytes[40]! ^= 1;
      corrupted++;
    }
  };
  const received = b.media.stats.packetsReceived;
  clock.advance(200);
  t.is(corrupted, 1);
  t.is(b.media.session.badPackets, 1);
  t.is(b.media.stats.packetsReceived, received + 9);
  a.media.close();
  b.media.close();
});

test('statistics: counts, loss and jitter, RTT from RTCP, BYE and the report at stop', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const a = await phone(net, clock, 15, { address: A });
  const b = await phone(net, clock, 16, { address: B });
  let seen = 0;
  // every 10th RTP packet from A is lost
  net.drop = (d) => d.from.address === A && rtpOf(d) !== null && seen++ % 10 === 9;
  connect(a, b);
  clock.advance(12000);
  const sa = a.media.stats;
  const sb = b.media.stats;
  t.is(sa.packetsSent, 600);
  t.is(sb.packetsReceived, 540);
  t.true(sb.packetsLost >= 59 && sb.packetsLost <= 60, `lost ${sb.packetsLost}`);
  t.true(Math.abs(sb.lossPercent - 10) < 0.5, `loss ${sb.lossPercent}%`);
  t.is(sa.packetsLost, 0);
  t.is(sb.jitterMs, 0, 'no jitter on a synchronous network');
  t.true(sa.rttMs >= 0 && sa.rttMs < 2, `RTT ${sa.rttMs} ms from the peer's report blocks`);
  t.true(Math.abs(sa.remoteLossPercent - 10) < 3, `the peer reports ${sa.remoteLossPercent}% loss`);
  t.true(sb.mos < sa.mos, 'loss lowers the MOS');
  t.true(sa.mos > 4.2);
  t.is(a.stopped, 0);
  a.media.stop();
  t.is(a.stopped, 1, 'statistics reported once at stop');
  const last = net.log[net.log.length - 1]!;
  t.true(isRtcp(last) && last.from.address === A && last.to.port === b.media.localRtcpPort);
  let p = 0;
  let bye = false;
  while (p + 4 <= last.bytes.length) {
    if (last.bytes[p + 1] === 203) bye = true;
    p += 4 * (((last.bytes[p + 2]! << 8) | last.bytes[p + 3]!) + 1);
  }
  t.true(bye, 'RTCP BYE at stop');
  const after = net.log.length;
  clock.advance(1000);
  t.is(net.log.filter((d) => d.from.address === A).length, net.log.slice(0, after).filter((d) => d.from.address === A).length,
    'nothing more from A');
  a.media.stop();
  t.is(a.stopped, 1);
  a.media.close();
  b.media.close();
});

test('mute sends silence; a local tone is mixed into what the speaker plays', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  const a = await phone(net, clock, 17, { address: A, mic: sine(160 * 100, 500, 8000) });
  const b = await phone(net, clock, 18, { address: B });
  connect(a, b);
  clock.advance(400);
  a.media.muted = true;
  clock.advance(600);
  const heard = b.output.samples;
  t.true(tonePower(heard, 160 * 10, 160 * 5, 500) > 1e6, 'heard before mute');
  t.is(tonePower(heard, 160 * 40, 160 * 8, 500), 0, 'silence while muted');
  b.media.playTone('call-waiting');
  clock.advance(200);
  const w = b.output.samples;
  t.true(tonePower(w, w.length - 160 * 5, 160 * 5, 440) > 1e5, 'the US call-waiting tone (440 Hz) plays');
  b.media.playTone(null);
  a.media.close();
  b.media.close();
});

test('re-INVITE: codec change and a new remote port take effect; rtcp-mux uses the RTP port', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const a = await phone(net, clock, 19, { address: A, sdp: { rtcpMux: true } });
  const b = await phone(net, clock, 20, { address: B, sdp: { rtcpMux: true } });
  const n = connect(a, b);
  t.true(n.a.rtcpMux);
  clock.advance(12000);
  const rtcp = net.log.filter(isRtcp);
  t.true(rtcp.length >= 2);
  t.true(rtcp.every((d) => d.to.port === (d.from.address === A ? b.media.localPort : a.media.localPort)), 'RTCP on the RTP ports');
  t.true(a.media.stats.rttMs >= 0, 'multiplexed RTCP is received');
  // B moves to a new port and offers PCMA only (a re-INVITE)
  const c = await phone(net, clock, 21, { address: B, sdp: { codecs: ['PCMA'], rtcpMux: true } });
  const offer = c.sdp.createOffer();
  const { media } = a.sdp.receiveOffer(offer);
  t.is(media.codec, 'PCMA');
  a.media.update(media);
  const at = net.log.length;
  clock.advance(200);
  const moved = net.log.slice(at).filter((d) => d.from.address === A && rtpOf(d));
  t.true(moved.length >= 9);
  t.true(moved.every((d) => d.to.port === c.media.localPort && rtpOf(d)!.payloadType === 8), 'PCMA to the new port');
  for (const p of [a, b, c]) p.media.close();
});

test('ports: even RTP port from the range with RTCP next to it; busy pairs skipped; rtcpMuxOnly opens one socket', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  const host = net.host(A);
  // take every pair but one of a small range
  const taken = [];
  for (let p = 20000; p <= 20006; p += 2) if (p !== 20004) taken.push(await host.openUdp({ port: p + 1, onMessage: () => {} }));
  const a = await phone(net, clock, 22, { address: A, media: { portMin: 20000, portMax: 20006 } });
  t.is(a.media.localPort, 20004);
  t.is(a.media.localRtcpPort, 20005);
  let error: unknown;
  try {
    await phone(net, clock, 23, { address: A, media: { portMin: 20000, portMax: 20006 } });
  } catch (e) {
    error = e;
  }
  t.regex(String(error), /no free RTP port pair in 20000\.\.20006/);
  const m = await phone(net, clock, 24, { address: A, media: { portMin: 21000, portMax: 21010, rtcpMuxOnly: true } });
  t.is(m.media.localRtcpPort, 0);
  t.true(m.media.localPort >= 21000 && m.media.localPort <= 21010 && m.media.localPort % 2 === 0);
  a.media.close();
  m.media.close();
  t.false(net.isBound(A, 20004) || net.isBound(A, 20005), 'close releases both ports');
  for (const s of taken) s.close();
});

test('a tone plays before media is agreed (ringback without early media); attachAudio() with no devices plays nothing', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const a = await phone(net, clock, 25, { address: A });
  const b = await phone(net, clock, 26, { address: B });
  a.media.playTone('ringback');
  clock.advance(400);
  t.true(a.output.chunks.length >= 19, 'the frame loop runs for the tone');
  t.true(tonePower(a.output.samples, 160 * 5, 160 * 10, 440) > 1e5, 'US ringback (440 + 480 Hz)');
  t.is(net.log.length, 0, 'nothing is sent before media is agreed');
  a.media.playTone(null);
  const played = a.output.chunks.length;
  clock.advance(200);
  t.is(a.output.chunks.length, played, 'no tone, no stream: the loop stops');
  connect(a, b);
  clock.advance(200);
  t.true(a.output.chunks.length >= played + 9);
  a.media.attachAudio();
  const muted = a.output.chunks.length;
  const sentBefore = a.media.stats.packetsSent;
  clock.advance(400);
  t.is(a.output.chunks.length, muted, 'not the focused call: nothing played');
  t.true(a.media.stats.packetsSent >= sentBefore + 19, 'but the stream goes on (timer-driven silence)');
  a.media.apply(undefined);
  t.is(a.stopped, 1, 'the call is over: stopped');
  t.false(net.isBound(A, a.media.localPort), 'and closed');
  b.media.close();
});

test('a re-INVITE can turn SRTP on mid-call: both sides switch, the audio goes on, nothing is rejected', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  net.record = true;
  const a = await phone(net, clock, 27, { address: A, mic: sine(160 * 60, 600, 6000) });
  const b = await phone(net, clock, 28, { address: B });
  const n = connect(a, b);
  clock.advance(400);
  t.false(a.media.secure);
  const kA = { suite: 'AES_CM_128_HMAC_SHA1_32' as const, masterKey: new Uint8Array(16).fill(7), masterSalt: new Uint8Array(14).fill(8) };
  const kB = { suite: 'AES_CM_128_HMAC_SHA1_32' as const, masterKey: new Uint8Array(16).fill(9), masterSalt: new Uint8Array(14).fill(10) };
  a.media.update({ ...n.a, srtp: { suite: kA.suite, send: kA, receive: kB } });
  b.media.update({ ...n.b, srtp: { suite: kA.suite, send: kB, receive: kA } });
  t.true(a.media.secure && b.media.secure);
  const at = net.log.length;
  clock.advance(400);
  const after = net.log.slice(at).filter((d) => d.from.address === A && rtpOf(d));
  t.true(after.length >= 19 && after.every((d) => d.bytes.length === 12 + 160 + 4), 'SRTP with the 4-byte tag');
  t.is(a.media.session.badPackets + b.media.session.badPackets, 0);
  const heard = b.output.samples;
  t.true(tonePower(heard, heard.length - 160 * 10, 160 * 10, 600) > 1e6, 'B still hears A');
  a.media.close();
  b.media.close();
});

test('hands-free: with echo suppression, a microphone quieter than the echo the far end allows goes out 30 dB down', async (t) => {
  // B talks loud (a 300 Hz tone); A's microphone hears a quieter 700 Hz: on a device with 0 dB coupling, echo.
  const heard = async (echoSuppression: boolean): Promise<number> => {
    const clock = new VirtualClock(0);
    const net = new MemoryNet(clock);
    const a = await phone(net, clock, 1, { address: A, mic: sine(160 * 100, 700, 1500), ...(echoSuppression ? { media: { echoSuppression: { couplingDb: 0 } } } : {}) });
    const b = await phone(net, clock, 2, { address: B, mic: sine(160 * 100, 300, 8000) });
    connect(a, b);
    clock.advance(100 * 20);
    const power = tonePower(b.output.samples, 160 * 40, 160 * 50, 700);
    a.media.close();
    b.media.close();
    return power;
  };
  const open = await heard(false);
  const suppressed = await heard(true);
  t.true(open > 0);
  const db = 10 * Math.log10(open / suppressed);
  t.true(db >= 25, `${db.toFixed(1)} dB down`);
});
