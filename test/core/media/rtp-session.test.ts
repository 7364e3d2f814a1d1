import test from 'ava';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import type { Random } from '../../../hal/random.js';
import { RtpSession, type MediaParams, type PacketProtector, type RtpSessionOptions } from '../../../src/media/rtp-session.js';
import { RtpHeader, RtpParse, parseRtp } from '../../../src/media/rtp-packet.js';
import { DtmfDetector, dtmfDigit } from '../../../src/media/dtmf.js';
import { ULAW_DECODE, linearToUlaw } from '../../../src/media/g711.js';

/** Random that counts up from a seed, so SSRC/seq/timestamp are known. */
function countingRandom(seed: number): Random {
  let n = seed;
  return { fill: (d) => { for (let i = 0; i < d.length; i++) d[i] = n++ & 0xff; return d; } };
}

interface Sent { bytes: Uint8Array; address: string; port: number; at: number }

function params(over: Partial<MediaParams> = {}): MediaParams {
  return {
    remoteAddress: '192.0.2.10', remotePort: 4000, remoteRtcpAddress: '192.0.2.10', remoteRtcpPort: 4001, rtcpMux: false,
    payloadType: 0, codec: 'PCMU', receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }],
    telephoneEvent: 101, ptime: 20, direction: 'sendrecv', ...over,
  };
}

function session(clock: VirtualClock, seed: number, extra: Partial<RtpSessionOptions> = {}) {
  const rtp: Sent[] = [];
  const rtcp: Sent[] = [];
  const s = new RtpSession({
    clock, random: countingRandom(seed), cname: `s${seed}@test`,
    send: (b, len, address, port) => rtp.push({ bytes: b.slice(0, len), address, port, at: clock.now() }),
    sendRtcp: (b, len, address, port) => rtcp.push({ bytes: b.slice(0, len), address, port, at: clock.now() }),
    ...extra,
  });
  return { s, rtp, rtcp };
}

function header(bytes: Uint8Array): RtpHeader {
  const h = new RtpHeader();
  if (parseRtp(bytes, 0, bytes.length, h) !== RtpParse.ok) throw new Error('bad RTP');
  return h;
}

function sine(n: number, hz: number, amp: number, from = 0): Int16Array {
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * (from + i)) / 8000));
  return x;
}

test('sends encoded silence from the start, with random SSRC, sequence and timestamp', (t) => {
  const clock = new VirtualClock(1000);
  const { s, rtp } = session(clock, 1);
  // bytes 1..10: SSRC 0x01020304, seq 0x0506, ts 0x0708090a
  t.is(s.ssrc, 0x01020304);
  s.sendFrame(new Int16Array(160));
  t.is(rtp.length, 0, 'nothing before media is agreed');
  s.start(params());
  for (let i = 0; i < 3; i++) {
    s.sendFrame(new Int16Array(160));
    clock.advance(20);
  }
  t.is(rtp.length, 3);
  const h = rtp.map((p) => header(p.bytes));
  t.deepEqual(h.map((x) => x.sequence), [0x0506, 0x0507, 0x0508]);
  t.deepEqual(h.map((x) => x.timestamp), [0x0708090a, 0x0708090a + 160, 0x0708090a + 320]);
  t.true(h.every((x) => x.ssrc === 0x01020304 && x.payloadType === 0 && !x.marker));
  t.is(rtp[0]!.bytes.length, 172);
  t.true(rtp[0]!.bytes.subarray(12).every((b) => b === 0xff), 'µ-law silence');
  t.is(rtp[0]!.address, '192.0.2.10');
  t.is(rtp[0]!.port, 4000);
  t.is(s.stats.packetsSent, 3);
  t.is(s.stats.octetsSent, 480);
});

test('codes encoded once go out exactly as the encoded frame would; otherwise the caller is told to encode', (t) => {
  const tone = sine(160, 400, 5000);
  const codes = new Uint8Array(160);
  for (let i = 0; i < 160; i++) codes[i] = linearToUlaw(tone[i]!);
  const clock = new VirtualClock(1000);
  const a = session(clock, 3);
  const b = session(clock, 3);
  a.s.start(params());
  b.s.start(params());
  for (let f = 0; f < 3; f++) {
    a.s.sendFrame(tone.slice());
    t.true(b.s.sendCodes(codes, 'pcmu'));
    clock.advance(20);
  }
  t.deepEqual(b.rtp.map((p) => [...p.bytes]), a.rtp.map((p) => [...p.bytes]), 'same packets: headers, sequence, timestamps, payload');
  t.is(b.s.stats.packetsSent, 3);
  t.is(b.s.stats.octetsSent, 480);
  // Cases where the codes cannot go as they are: nothing is sent, the caller encodes the PCM instead.
  t.false(b.s.sendCodes(codes, 'pcma'), 'another law');
  b.s.muted = true;
  t.false(b.s.sendCodes(codes, 'pcmu'), 'muted');
  b.s.muted = false;
  t.true(b.s.sendDtmf('5', 100, true));
  t.false(b.s.sendCodes(codes, 'pcmu'), 'in-band DTMF playing');
  const c = session(clock, 4);
  c.s.start(params({ ptime: 30 }));
  t.false(c.s.sendCodes(codes, 'pcmu'), 'another packet size');
  t.is(b.rtp.length, 3);
  t.is(c.rtp.length, 0);
});

test('codes sent again after a frame was encoded, or after SRTP changed the packet in place, go out as encoded', (t) => {
  const tone = sine(160, 400, 5000);
  const other = sine(160, 1000, 3000);
  const codes = new Uint8Array(160);
  for (let i = 0; i < 160; i++) codes[i] = linearToUlaw(tone[i]!);
  // A protector that changes the payload in place (as SRTP encryption does), adding a 4-byte tag.
  const xor: PacketProtector = {
    rtpOverhead: 4, rtcpOverhead: 4,
    protectRtp: (b, n) => { for (let i = 12; i < n; i++) b[i]! ^= 0x5a; return n + 4; },
    unprotectRtp: (_b, n) => n, protectRtcp: (_b, n) => n, unprotectRtcp: (_b, n) => n,
  };
  for (const srtp of [undefined, { send: xor, receive: xor }]) {
    const clock = new VirtualClock(1000);
    const extra: Partial<RtpSessionOptions> = srtp ? { srtp } : {};
    const a = session(clock, 3, extra);
    const b = session(clock, 3, extra);
    a.s.start(params());
    b.s.start(params());
    for (const f of [tone, tone, other, tone, tone]) {
      a.s.sendFrame(f.slice());
      if (f === tone) t.true(b.s.sendCodes(codes, 'pcmu'));
      else b.s.sendFrame(f.slice());
      clock.advance(20);
    }
    t.is(b.rtp.length, 5);
    t.deepEqual(b.rtp.map((p) => [...p.bytes]), a.rtp.map((p) => [...p.bytes]), srtp ? 'with SRTP' : 'without SRTP');
  }
});

test('packetises 10, 30 and 60 ms', (t) => {
  for (const [ptime, frames, packets, size] of [[10, 3, 6, 80], [30, 3, 2, 240], [60, 6, 2, 480]] as const) {
    const clock = new VirtualClock();
    const { s, rtp } = session(clock, 9);
    s.start(params({ ptime, codec: 'PCMA', payloadType: 8 }));
    const pcm = sine(160 * frames, 300, 5000);
    for (let f = 0; f < frames; f++) s.sendFrame(pcm.slice(f * 160, (f + 1) * 160));
    t.is(rtp.length, packets, `ptime ${ptime}`);
    t.true(rtp.every((p) => p.bytes.length === 12 + size));
    const ts = rtp.map((p) => header(p.bytes).timestamp - header(rtp[0]!.bytes).timestamp);
    t.deepEqual(ts, rtp.map((_, i) => i * size));
    t.is(header(rtp[0]!.bytes).payloadType, 8);
  }
});

test('sequence number wraps', (t) => {
  const clock = new VirtualClock();
  const { s, rtp } = session(clock, 0, { random: { fill: (d) => { d.set([0, 0, 0, 1, 0xff, 0xfe, 0, 0, 0, 0].slice(0, d.length)); return d; } } });
  s.start(params());
  for (let i = 0; i < 4; i++) s.sendFrame(new Int16Array(160));
  t.deepEqual(rtp.map((p) => header(p.bytes).sequence), [0xfffe, 0xffff, 0, 1]);
});

/** Two sessions wired through a link with delay/loss, driven in 20 ms steps on one virtual clock. */
function pair(opts: { delay?: (i: number) => number; drop?: (i: number, to: number) => boolean; paramsA?: Partial<MediaParams>; paramsB?: Partial<MediaParams>; a?: Partial<RtpSessionOptions>; b?: Partial<RtpSessionOptions> } = {}) {
  const clock = new VirtualClock(0);
  const sessions: RtpSession[] = [];
  const counts = [0, 0];
  const link = (to: number) => (bytes: Uint8Array, len: number) => {
    const i = counts[to]!++;
    if (opts.drop?.(i, to)) return;
    const copy = bytes.slice(0, len);
    clock.setTimer(opts.delay?.(i) ?? 30, () => {
      const from = to === 1 ? ['10.0.0.1', 5000] as const : ['10.0.0.2', 6000] as const;
      sessions[to]!.receive(copy, copy.length, from[0], from[1]);
    });
  };
  const linkRtcp = (to: number) => (bytes: Uint8Array, len: number) => {
    const copy = bytes.slice(0, len);
    clock.setTimer(opts.delay?.(0) ?? 30, () => sessions[to]!.receiveRtcp(copy, copy.length, to === 1 ? '10.0.0.1' : '10.0.0.2', to === 1 ? 5001 : 6001));
  };
  const digits: string[][] = [[], []];
  for (const k of [0, 1]) {
    sessions.push(new RtpSession({
      clock, random: countingRandom(k * 50 + 1), cname: `p${k}`, send: link(1 - k), sendRtcp: linkRtcp(1 - k),
      onDtmf: (d, ms) => digits[k]!.push(`${d}:${ms}`), ...(k === 0 ? opts.a : opts.b),
    }));
  }
  sessions[0]!.start(params({ remoteAddress: '10.0.0.2', remotePort: 6000, ...opts.paramsA }));
  sessions[1]!.start(params({ remoteAddress: '10.0.0.1', remotePort: 5000, ...opts.paramsB }));
  return { clock, a: sessions[0]!, b: sessions[1]!, digits };
}

/** Runs ms of time: each 20 ms both send a frame of their source and play one into their sink. */
function drive(p: ReturnType<typeof pair>, ms: number, sourceA: (f: number) => Int16Array, sinkB?: Int16Array[], startFrame = 0) {
  const out = new Int16Array(160);
  const outA = new Int16Array(160);
  for (let f = startFrame; f < startFrame + ms / 20; f++) {
    p.a.sendFrame(sourceA(f));
    p.b.sendFrame(new Int16Array(160));
    p.clock.advance(20);
    p.b.playFrame(out);
    p.a.playFrame(outA);
    sinkB?.push(out.slice());
  }
}

test('audio arrives intact through the jitter buffer', (t) => {
  const p = pair({ delay: (i) => 30 + ((i * 7) % 5) });
  const tone = sine(160 * 100, 440, 8000);
  const heard: Int16Array[] = [];
  drive(p, 2000, (f) => tone.slice(f * 160, (f + 1) * 160), heard);
  const all = new Int16Array(heard.length * 160);
  heard.forEach((h, i) => all.set(h, i * 160));
  // find the delay by the first non-silent sample, then compare with the G.711-decoded source
  let start = 0;
  while (all[start] === 0) start++;
  // sine starts at 0 (µ-law silence): step back to the true start
  start -= 1;
  let bad = 0;
  for (let i = 0; i < 80 * 160; i++) if (all[start + i] !== ULAW_DECODE[linearToUlaw(tone[i]!)]) bad++;
  t.is(bad, 0);
  t.is(p.b.stats.packetsReceived, 99, 'the last is still on its way');
  t.is(p.b.stats.lossPercent, 0);
  t.is(p.b.stats.concealedFrames, 0);
});

test('a short hold: when reception resumes, playout restarts at its normal delay (the peer\'s clock ran on meanwhile)', (t) => {
  const p = pair();
  const tone = sine(160 * 200, 440, 8000);
  drive(p, 1000, (f) => tone.slice((f % 100) * 160, (f % 100 + 1) * 160));
  const normal = p.b.stats.jitterBufferMs;
  t.true(normal > 0 && normal <= 60, `${normal} ms before the hold`);
  // B holds for 300 ms (sendonly: it neither buffers nor plays what arrives), then resumes.
  p.b.start(params({ remoteAddress: '10.0.0.1', remotePort: 5000, direction: 'sendonly' }));
  drive(p, 300, (f) => tone.slice((f % 100) * 160, (f % 100 + 1) * 160), undefined, 50);
  p.b.start(params({ remoteAddress: '10.0.0.1', remotePort: 5000, direction: 'sendrecv' }));
  const concealed = p.b.stats.concealedFrames;
  drive(p, 200, (f) => tone.slice((f % 100) * 160, (f % 100 + 1) * 160), undefined, 65);
  t.true(p.b.stats.jitterBufferMs <= normal + 20, `${p.b.stats.jitterBufferMs} ms 200 ms after resuming (${normal} ms before)`);
  t.true(p.b.stats.concealedFrames - concealed <= 4, `${p.b.stats.concealedFrames - concealed} frames concealed after resuming`);
});

test('symmetric RTP: latches on the source of the first packet, then ignores others', (t) => {
  const clock = new VirtualClock();
  const { s, rtp } = session(clock, 3);
  s.start(params());
  s.sendFrame(new Int16Array(160));
  t.is(rtp[0]!.address, '192.0.2.10');
  const packet = (seq: number, ssrc = 77) => {
    const b = new Uint8Array(172).fill(0x80);
    b[0] = 0x80; b[1] = 0; b[2] = seq >> 8; b[3] = seq & 0xff;
    b[8] = 0; b[9] = 0; b[10] = 0; b[11] = ssrc;
    return b;
  };
  s.receive(packet(1), 172, '203.0.113.5', 40000);
  s.sendFrame(new Int16Array(160));
  t.is(rtp[1]!.address, '203.0.113.5');
  t.is(rtp[1]!.port, 40000);
  s.receive(packet(2, 99), 172, '198.51.100.66', 40000);
  s.receive(packet(3, 99), 172, '203.0.113.5', 40002);
  t.is(s.foreignPackets, 2);
  t.is(s.stats.packetsReceived, 1);
  s.receive(packet(2), 172, '203.0.113.5', 40000);
  t.is(s.stats.packetsReceived, 2);
  // a re-INVITE to a new address latches again
  s.start(params({ remoteAddress: '192.0.2.99' }));
  s.sendFrame(new Int16Array(160));
  t.is(rtp[2]!.address, '192.0.2.99');
  // unknown payload types and garbage are dropped without latching
  const odd = packet(9);
  odd[1] = 96;
  s.receive(odd, 172, '198.51.100.1', 1);
  s.receive(new Uint8Array(5), 5, '198.51.100.1', 1);
  t.is(s.badPackets, 2);
  t.is(s.remote!.address, '192.0.2.99');
});

test('RFC 4733 DTMF goes end to end, audio pausing meanwhile', (t) => {
  const sent: Uint8Array[] = [];
  const p = pair({ a: {} });
  // watch A's packets by wrapping its receive on B's side
  const receive = p.b.receive.bind(p.b);
  p.b.receive = (data, len, addr, port) => { sent.push(data.slice(0, len)); receive(data, len, addr, port); };
  drive(p, 200, () => new Int16Array(160));
  t.true(p.a.sendDtmf('7', 120));
  t.false(p.a.sendDtmf('8'), 'busy');
  drive(p, 600, () => new Int16Array(160));
  t.deepEqual(p.digits[1], ['7:120']);
  const headers = sent.map(header);
  const events = headers.filter((h) => h.payloadType === 101);
  t.true(events.length >= 5);
  t.true(events[0]!.marker);
  t.true(events.slice(1).every((h) => !h.marker));
  t.true(events.every((h) => h.timestamp === events[0]!.timestamp));
  const ends = sent.filter((b) => b[1] === 101 && (b[13]! & 0x80) !== 0);
  t.is(ends.length, 3);
  // no audio packets between the first event packet and the first end packet
  const first = headers.indexOf(events[0]!);
  const firstEnd = sent.indexOf(ends[0]!);
  t.true(headers.slice(first, firstEnd).every((h) => h.payloadType === 101));
  // sequence numbers stay continuous across audio and events
  for (let i = 1; i < headers.length; i++) t.is((headers[i]!.sequence - headers[i - 1]!.sequence) & 0xffff, 1);
  t.true(p.a.sendDtmf('8'), 'free again');
});

test('in-band DTMF when the peer has no telephone-event', (t) => {
  const p = pair({ paramsA: { telephoneEvent: undefined }, paramsB: { telephoneEvent: undefined } });
  const heard: Int16Array[] = [];
  drive(p, 100, () => new Int16Array(160), heard);
  t.true(p.a.sendDtmf('#', 100));
  t.true(p.a.sendingDtmf);
  drive(p, 400, () => new Int16Array(160), heard, 5);
  const d = new DtmfDetector();
  const found = heard.map((h) => d.process(h, 0, 160)).filter((e) => e >= 0).map(dtmfDigit);
  t.deepEqual(found, ['#']);
  t.deepEqual(p.digits[1], []);
});

test('without playout, received audio is measured as with it but never buffered or played', (t) => {
  // The same link (5 % loss, 30-40 ms delay) to a session that plays and to one that has no speaker.
  const link = { drop: (i: number, to: number) => to === 1 && i % 20 === 7, delay: (i: number) => 30 + (i % 3) * 5 };
  const playing = pair(link);
  const silent = pair({ ...link, b: { playout: false } });
  const heard: Int16Array[] = [];
  drive(playing, 6000, (f) => sine(160, 300, 4000, f * 160));
  drive(silent, 6000, (f) => sine(160, 300, 4000, f * 160), heard);
  const [x, y] = [playing.b.stats, silent.b.stats];
  t.is(y.packetsReceived, x.packetsReceived);
  t.true(y.packetsReceived > 250, `received ${y.packetsReceived}`);
  t.is(y.packetsLost, x.packetsLost);
  t.true(y.packetsLost > 10, `lost ${y.packetsLost}`);
  t.is(y.jitterMs, x.jitterMs);
  t.true(y.jitterMs > 1, `jitter ${y.jitterMs}`);
  t.true(y.rttMs > 0 && silent.a.stats.rttMs > 0, 'RTCP runs both ways');
  t.true(Math.abs(silent.a.stats.remoteLossPercent - playing.a.stats.remoteLossPercent) < 0.01, 'the sender hears the same loss reported');
  // Nothing was played or concealed: the speaker side got silence.
  t.true(x.concealedFrames > 0, 'the playing side concealed the losses');
  t.is(y.concealedFrames, 0);
  t.true(heard.every((f) => f.every((v) => v === 0)), 'silence played');
  // The other direction still plays.
  t.true(silent.a.stats.packetsReceived > 250);
});

test('RTCP reports every ~5 s give loss, jitter and round-trip time', (t) => {
  const p = pair({ drop: (i, to) => to === 1 && i % 20 === 7, delay: (i) => 30 + (i % 3) * 5 });
  drive(p, 16_000, (f) => sine(160, 300, 4000, f * 160));
  // one-way 30-40 ms each way
  t.true(p.a.stats.rttMs >= 55 && p.a.stats.rttMs <= 90, `rtt ${p.a.stats.rttMs}`);
  t.true(p.b.stats.rttMs >= 55 && p.b.stats.rttMs <= 90, `rtt ${p.b.stats.rttMs}`);
  t.true(Math.abs(p.b.stats.lossPercent - 5) < 0.5, `loss ${p.b.stats.lossPercent}`);
  t.true(Math.abs(p.a.stats.remoteLossPercent - 5) < 1.5, `remote loss ${p.a.stats.remoteLossPercent}`);
  t.true(p.b.stats.jitterMs > 1 && p.b.stats.jitterMs < 10, `jitter ${p.b.stats.jitterMs}`);
  t.true(p.b.stats.mos > 3.5 && p.b.stats.mos < 4.3, `mos ${p.b.stats.mos}`);
  t.is(p.a.stats.lossPercent, 0);
  t.true(p.a.stats.mos > p.b.stats.mos, `the loss-free direction scores higher: ${p.a.stats.summary()} / ${p.b.stats.summary()}`);
});

test('report timing, hold, and BYE on stop', (t) => {
  const clock = new VirtualClock();
  const { s, rtp, rtcp } = session(clock, 5);
  s.start(params({ direction: 'recvonly' }));
  for (let i = 0; i < 1000; i++) {
    s.sendFrame(sine(160, 400, 3000));
    clock.advance(20);
  }
  t.is(rtp.length, 0, 'on hold (recvonly) nothing is sent');
  // 20 s: first report within 1.25-3.75 s, then every 2.5-7.5 s
  t.true(rtcp.length >= 3 && rtcp.length <= 8, `${rtcp.length} reports`);
  t.true(rtcp[0]!.at >= 1250 && rtcp[0]!.at <= 3760);
  for (let i = 1; i < rtcp.length; i++) {
    const gap = rtcp[i]!.at - rtcp[i - 1]!.at;
    t.true(gap >= 2500 && gap <= 7520, `gap ${gap}`);
  }
  t.is(rtcp[0]!.bytes[1], 201, 'RR while not sending');
  t.is(rtcp[0]!.address, '192.0.2.10');
  t.is(rtcp[0]!.port, 4001);
  s.start(params({ direction: 'sendrecv' }));
  s.sendFrame(new Int16Array(160));
  t.is(rtp.length, 1, 'resumed');
  s.stop();
  const bye = rtcp[rtcp.length - 1]!.bytes;
  t.is(bye[1], 200, 'SR, since we sent');
  t.true(bye.includes(203), 'BYE included');
  const before = rtp.length;
  s.sendFrame(new Int16Array(160));
  t.is(rtp.length, before, 'nothing after stop');
});

test('RTCP multiplexed on the RTP port', (t) => {
  const clock = new VirtualClock();
  const { s, rtcp } = session(clock, 5);
  s.start(params({ rtcpMux: true }));
  for (let i = 0; i < 300; i++) {
    s.sendFrame(new Int16Array(160));
    clock.advance(20);
  }
  t.true(rtcp.length >= 1);
  t.is(rtcp[0]!.port, 4000);
  // an SR arriving on the RTP port is taken as RTCP
  const sr = new Uint8Array([0x80, 200, 0, 6, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
  s.receive(sr, sr.length, '192.0.2.10', 4000);
  t.is(s.badPackets, 0);
  t.is(s.stats.packetsReceived, 0);
});

/** A stand-in for SRTP: XORs the payload and appends a 4-byte tag. */
class FakeSrtp implements PacketProtector {
  rtpOverhead = 4;
  rtcpOverhead = 4;
  protectRtp(buf: Uint8Array, length: number): number {
    for (let i = 12; i < length; i++) buf[i]! ^= 0x5a;
    buf.set([1, 2, 3, 4], length);
    return length + 4;
  }
  unprotectRtp(buf: Uint8Array, length: number): number {
    if (buf[length - 4] !== 1 || buf[length - 1] !== 4) return -2;
    for (let i = 12; i < length - 4; i++) buf[i]! ^= 0x5a;
    return length - 4;
  }
  protectRtcp(buf: Uint8Array, length: number): number {
    buf.set([9, 9, 9, 9], length);
    return length + 4;
  }
  unprotectRtcp(buf: Uint8Array, length: number): number {
    return buf[length - 1] === 9 ? length - 4 : -2;
  }
}

test('SRTP protects what is sent and checks what is received', (t) => {
  const srtp = { send: new FakeSrtp(), receive: new FakeSrtp() };
  const p = pair({ a: { srtp }, b: { srtp } });
  const heard: Int16Array[] = [];
  drive(p, 1000, (f) => sine(160, 500, 6000, f * 160), heard);
  t.is(p.b.stats.packetsReceived, 49);
  t.is(p.b.badPackets, 0);
  t.true(heard.slice(10).every((h) => h.some((v) => Math.abs(v) > 3000)));
  // a plain RTP packet fails the check
  const plain = new Uint8Array(172);
  plain[0] = 0x80;
  p.b.receive(plain, 172, '10.0.0.1', 5000);
  t.is(p.b.badPackets, 1);
});

test('a new SSRC from the peer restarts reception', (t) => {
  const clock = new VirtualClock();
  const { s } = session(clock, 3);
  s.start(params());
  const packet = (seq: number, ssrc: number) => {
    const b = new Uint8Array(172).fill(0xff);
    b[0] = 0x80; b[1] = 0; b[2] = seq >> 8; b[3] = seq & 0xff;
    b[4] = 0; b[5] = 0; b[6] = 0; b[7] = 0; b[8] = 0; b[9] = 0; b[10] = 0; b[11] = ssrc;
    return b;
  };
  for (let i = 0; i < 10; i++) s.receive(packet(100 + i, 1), 172, '192.0.2.10', 4000);
  s.receive(packet(40000, 2), 172, '192.0.2.10', 4000);
  s.receive(packet(40001, 2), 172, '192.0.2.10', 4000);
  t.is(s.stats.packetsExpected, 2);
  t.is(s.stats.packetsLost, 0);
});
