import test from 'ava';
import {
  RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR, ReceptionStats, ReportBlock, RtcpInfo, RtcpParse, RtcpWriter, SenderInfo,
  ntpFraction, ntpMiddle, ntpSeconds, parseRtcp, roundTripMs, rtcpIntervalMs,
} from '../../../src/media/rtcp.js';
import type { Random } from '../../../hal/random.js';

test('interarrival jitter follows RFC 3550 A.8 (hand-computed)', (t) => {
  const s = new ReceptionStats();
  // transit 1000, 1010, 990, 1020 -> |D| = 10, 20, 30
  // J16: 0 + 10 - 0 = 10; 10 + 20 - 1 = 29; 29 + 30 - 2 = 57 -> jitter 57 >> 4 = 3
  s.update(1, 0, 1000);
  t.is(s.jitterQ4, 0);
  s.update(2, 160, 1170);
  t.is(s.jitterQ4, 10);
  s.update(3, 320, 1310);
  t.is(s.jitterQ4, 29);
  s.update(4, 480, 1500);
  t.is(s.jitterQ4, 57);
  t.is(s.jitter, 3);
});

test('packets without timing (RFC 4733 events) count but leave the jitter alone', (t) => {
  const s = new ReceptionStats();
  s.update(1, 0, 1000);
  s.update(2, 160, 1160);
  s.update(3, 160, 1210, false);
  s.update(4, 160, 1260, false);
  s.update(5, 800, 1800);
  t.is(s.jitterQ4, 0);
  t.is(s.received, 5);
});

test('jitter is computed across 32-bit timestamp wrap', (t) => {
  const s = new ReceptionStats();
  s.update(1, 0xffffff60, 5000); // transit 5000 - (2^32 - 160)
  s.update(2, 0x00000000, 5176); // 16 units late
  t.is(s.jitterQ4, 16);
});

test('cumulative and fractional loss (A.3)', (t) => {
  const s = new ReceptionStats();
  for (let seq = 100; seq < 110; seq++) if (seq !== 103 && seq !== 105) s.update(seq, seq * 160, seq * 160);
  t.is(s.expected, 10);
  t.is(s.received, 8);
  t.is(s.cumulativeLost, 2);
  t.is(s.takeFractionLost(), 51); // floor(2 * 256 / 10)
  // next interval: 10 more, none lost
  for (let seq = 110; seq < 120; seq++) s.update(seq, seq * 160, seq * 160);
  t.is(s.takeFractionLost(), 0);
  t.is(s.cumulativeLost, 2);
  // an interval with duplicates only reports 0, cumulative goes down
  s.update(119, 119 * 160, 119 * 160);
  t.is(s.takeFractionLost(), 0);
  t.is(s.cumulativeLost, 1);
});

test('extended highest sequence number counts wraps', (t) => {
  const s = new ReceptionStats();
  for (const seq of [65533, 65534, 65535, 0, 1, 65535 /* late */, 2]) s.update(seq, 0, 0);
  t.is(s.cycles, 65536);
  t.is(s.extendedMax, 65536 + 2);
  t.is(s.expected, 6);
  t.is(s.received, 7);
  t.is(s.cumulativeLost, -1);
});

test('a big sequence jump is confirmed by the next packet before resynchronising (A.1)', (t) => {
  const s = new ReceptionStats();
  s.update(1000, 0, 0);
  s.update(1001, 0, 0);
  t.false(s.update(9000, 0, 0));
  t.is(s.maxSeq, 1001);
  t.true(s.update(9001, 0, 0));
  t.is(s.baseSeq, 9001);
  t.is(s.received, 1);
});

test('NTP time and its middle 32 bits', (t) => {
  const ms = 1_700_000_000_250;
  t.is(ntpSeconds(ms), 1_700_000_000 + 2208988800);
  t.is(ntpFraction(ms), 1073741824); // 0.25 s
  t.is(ntpMiddle(ms), (((1_700_000_000 + 2208988800) & 0xffff) * 65536 + 0x4000) >>> 0);
});

test('round-trip time from LSR and DLSR (RFC 3550 §6.4.1 example)', (t) => {
  // A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s)
  t.is(roundTripMs(0xb7108000, 0xb7052000, 0x00054000), 6125);
  t.is(roundTripMs(0xb7108000, 0, 0), -1);
  // across the 16-bit seconds wrap
  t.is(roundTripMs(0x00000000, 0xffff8000, 0x00004000), 250);
});

test('writes a compound SR + SDES with exact bytes and parses it back', (t) => {
  const w = new RtcpWriter('alice@x');
  const sender = new SenderInfo();
  sender.unixMs = 1_700_000_000_500;
  sender.rtpTimestamp = 0x11223344;
  sender.packets = 7;
  sender.octets = 1120;
  const block = new ReportBlock();
  block.ssrc = 0x0a0b0c0d;
  block.fractionLost = 51;
  block.cumulativeLost = -2;
  block.extendedMax = 0x00010002;
  block.jitter = 3;
  block.lsr = 0xb7052000;
  block.dlsr = 0x00054000;
  const n = w.write(0x01020304, sender, block, false);
  const b = w.buffer;
  t.is(n, 52 + 20);
  t.deepEqual(Array.from(b.slice(0, 8)), [0x81, RTCP_SR, 0, 12, 1, 2, 3, 4]);
  t.deepEqual(Array.from(b.slice(16, 28)), [0x11, 0x22, 0x33, 0x44, 0, 0, 0, 7, 0, 0, 0x04, 0x60]);
  t.deepEqual(Array.from(b.slice(28, 40)), [10, 11, 12, 13, 51, 0xff, 0xff, 0xfe, 0, 1, 0, 2]);
  // SDES: header, SSRC, CNAME item (type 1, length 7, "alice@x"), one zero octet, already aligned
  t.deepEqual(Array.from(b.slice(52, 72)), [0x81, RTCP_SDES, 0, 4, 1, 2, 3, 4, 1, 7, 97, 108, 105, 99, 101, 64, 120, 0, 0, 0]);

  const info = new RtcpInfo();
  t.is(parseRtcp(b, 0, n, 0x0a0b0c0d, info), RtcpParse.ok);
  t.true(info.hasSenderReport);
  t.is(info.senderSsrc, 0x01020304);
  t.is(info.srNtpMiddle, ntpMiddle(sender.unixMs));
  t.is(info.srRtpTimestamp, 0x11223344);
  t.is(info.srPackets, 7);
  t.is(info.srOctets, 1120);
  t.true(info.hasBlock);
  t.is(info.block.cumulativeLost, -2);
  t.is(info.block.fractionLost, 51);
  t.is(info.block.extendedMax, 0x10002);
  t.is(info.block.lsr, 0xb7052000);
  t.false(info.bye);
  // a block about someone else is ignored
  t.is(parseRtcp(b, 0, n, 99, info), RtcpParse.ok);
  t.false(info.hasBlock);
});

test('writes RR + SDES + BYE and parses the BYE', (t) => {
  const w = new RtcpWriter('bob');
  const n = w.write(5, null, null, true);
  const b = w.buffer;
  t.deepEqual(Array.from(b.slice(0, 8)), [0x80, RTCP_RR, 0, 1, 0, 0, 0, 5]);
  // SDES chunk: 4 + 2 + 3 = 9 -> padded to 12 (3 zero octets)
  t.deepEqual(Array.from(b.slice(8, 24)), [0x81, RTCP_SDES, 0, 3, 0, 0, 0, 5, 1, 3, 98, 111, 98, 0, 0, 0]);
  t.deepEqual(Array.from(b.slice(24, 32)), [0x81, RTCP_BYE, 0, 1, 0, 0, 0, 5]);
  t.is(n, 32);
  const info = new RtcpInfo();
  t.is(parseRtcp(b, 0, n, 1, info), RtcpParse.ok);
  t.true(info.bye);
  t.false(info.hasSenderReport);
});

test('rejects malformed RTCP', (t) => {
  const info = new RtcpInfo();
  t.is(parseRtcp(new Uint8Array(4), 0, 4, 0, info), RtcpParse.tooShort);
  t.is(parseRtcp(new Uint8Array([0x81, RTCP_SDES, 0, 1, 0, 0, 0, 0]), 0, 8, 0, info), RtcpParse.notReport);
  t.is(parseRtcp(new Uint8Array([0x80, RTCP_RR, 0, 5, 0, 0, 0, 0]), 0, 8, 0, info), RtcpParse.badLength);
  t.is(parseRtcp(new Uint8Array([0x40, RTCP_RR, 0, 1, 0, 0, 0, 0]), 0, 8, 0, info), RtcpParse.badVersion);
});

test('report interval is randomised around 5 s, halved before the first report', (t) => {
  let v = 0;
  const random: Random = { fill: (d) => { d.fill(v); return d; } };
  const scratch = new Uint8Array(4);
  v = 0;
  t.is(rtcpIntervalMs(random, scratch, false), 2500);
  v = 0xff;
  const hi = rtcpIntervalMs(random, scratch, false);
  t.true(hi > 7499 && hi < 7500);
  v = 0x80;
  const mid = 0.5 + 0x80808080 / 4294967296;
  t.is(rtcpIntervalMs(random, scratch, false), 5000 * mid);
  t.is(rtcpIntervalMs(random, scratch, true), 2500 * mid);
});
