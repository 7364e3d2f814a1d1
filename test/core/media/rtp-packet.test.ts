import test from 'ava';
import { RtpHeader, RtpParse, looksLikeRtcp, parseRtp, seqDiff, writeRtpCsrcs, writeRtpHeader } from '../../../src/media/rtp-packet.js';

test('writes the exact RFC 3550 header bytes', (t) => {
  const b = new Uint8Array(16);
  t.is(writeRtpHeader(b, 2, true, 0, 0xfffe, 0xdeadbeef, 0x01020304), 12);
  t.deepEqual(Array.from(b), [0, 0, 0x80, 0x80, 0xff, 0xfe, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 0, 0]);
  writeRtpHeader(b, 0, false, 101, 1, 0, 0xffffffff);
  t.deepEqual(Array.from(b.slice(0, 12)), [0x80, 101, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
});

test('parses a header with CSRCs, extension and padding', (t) => {
  // V=2 P=1 X=1 CC=2, M=1 PT=8, seq 0x1234, ts 0x80000001, ssrc 0xcafebabe
  const bytes = [0xb2, 0x88, 0x12, 0x34, 0x80, 0, 0, 1, 0xca, 0xfe, 0xba, 0xbe,
    0, 0, 0, 7, 0, 0, 0, 9, // CSRCs
    0xbe, 0xde, 0, 1, 1, 2, 3, 4, // extension, one word
    0xaa, 0xbb, 0xcc, // payload
    0, 0, 3]; // 3 bytes of padding
  const data = new Uint8Array([0xee, ...bytes]);
  const h = new RtpHeader();
  t.is(parseRtp(data, 1, bytes.length, h), RtpParse.ok);
  t.true(h.marker);
  t.true(h.padding);
  t.true(h.extension);
  t.is(h.payloadType, 8);
  t.is(h.sequence, 0x1234);
  t.is(h.timestamp, 0x80000001);
  t.is(h.ssrc, 0xcafebabe);
  t.is(h.csrcCount, 2);
  t.is(h.csrc[0], 7);
  t.is(h.csrc[1], 9);
  t.is(h.payloadOffset, 1 + 28);
  t.is(h.payloadLength, 3);
  t.is(data[h.payloadOffset], 0xaa);
});

test('round trips a written header with CSRCs', (t) => {
  const b = new Uint8Array(40);
  let n = writeRtpHeader(b, 0, false, 0, 65535, 4294967295, 42);
  n = writeRtpCsrcs(b, 0, new Uint32Array([5, 6, 7]), 3);
  t.is(n, 24);
  const h = new RtpHeader();
  t.is(parseRtp(b, 0, 40, h), RtpParse.ok);
  t.is(h.sequence, 65535);
  t.is(h.timestamp, 4294967295);
  t.is(h.csrcCount, 3);
  t.is(h.csrc[2], 7);
  t.is(h.payloadOffset, 24);
  t.is(h.payloadLength, 16);
});

test('rejects malformed packets with a status, not an exception', (t) => {
  const h = new RtpHeader();
  t.is(parseRtp(new Uint8Array(11).fill(0x80), 0, 11, h), RtpParse.tooShort);
  t.is(parseRtp(new Uint8Array([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 12, h), RtpParse.badVersion);
  // CC=3 but no room for CSRCs
  t.is(parseRtp(new Uint8Array([0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 13, h), RtpParse.tooShort);
  // padding count larger than the payload, or zero
  t.is(parseRtp(new Uint8Array([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9]), 0, 14, h), RtpParse.badPadding);
  t.is(parseRtp(new Uint8Array([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), 0, 14, h), RtpParse.badPadding);
  // extension header longer than the packet
  t.is(parseRtp(new Uint8Array([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 2, 0, 0, 0, 0]), 0, 20, h), RtpParse.badExtension);
  // length shorter than the buffer is honoured
  t.is(parseRtp(new Uint8Array(20).fill(0x80), 0, 8, h), RtpParse.tooShort);
  // RTCP SR multiplexed on the RTP port
  const sr = new Uint8Array([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0]);
  t.true(looksLikeRtcp(sr, 0, 12));
  t.is(parseRtp(sr, 0, 12, h), RtpParse.rtcp);
});

test('sequence distance wraps at 65535', (t) => {
  t.is(seqDiff(0, 65535), 1);
  t.is(seqDiff(65535, 0), -1);
  t.is(seqDiff(5, 65530), 11);
  t.is(seqDiff(100, 100), 0);
  t.is(seqDiff(32767, 0), 32767);
  t.is(seqDiff(32768, 0), -32768);
});
