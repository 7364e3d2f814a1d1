import test from 'ava';
import {
  ALAW_DECODE, ULAW_DECODE, decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw, linearToAlaw, linearToUlaw, silenceCode,
} from '../../../src/media/g711.js';

// Values from the G.711 tables (decoder output scaled to 16 bits).
test('µ-law decode table end points', (t) => {
  t.is(ULAW_DECODE[0xff], 0);
  t.is(ULAW_DECODE[0x7f], 0);
  t.is(ULAW_DECODE[0x00], -32124);
  t.is(ULAW_DECODE[0x80], 32124);
  t.is(ULAW_DECODE[0xfe], 8);
  t.is(ULAW_DECODE[0x7e], -8);
  t.is(ULAW_DECODE[0xf0], 120);
});

test('A-law decode table end points', (t) => {
  t.is(ALAW_DECODE[0xd5], 8);
  t.is(ALAW_DECODE[0x55], -8);
  t.is(ALAW_DECODE[0xaa], 32256);
  t.is(ALAW_DECODE[0x2a], -32256);
  t.is(ALAW_DECODE[0xd4], 24);
});

test('silence and extremes encode to the standard codes', (t) => {
  t.is(linearToUlaw(0), 0xff);
  t.is(linearToUlaw(32767), 0x80);
  t.is(linearToUlaw(-32768), 0x00);
  t.is(linearToAlaw(0), 0xd5);
  t.is(linearToAlaw(32767), 0xaa);
  t.is(linearToAlaw(-32768), 0x2a);
  t.is(silenceCode('pcmu'), 0xff);
  t.is(silenceCode('pcma'), 0xd5);
});

test('every code survives decode then encode', (t) => {
  let bad = 0;
  for (let c = 0; c < 256; c++) {
    // µ-law has two zeros (0x7f and 0xff); both decode to 0, which encodes as 0xff.
    if (c !== 0x7f && linearToUlaw(ULAW_DECODE[c]!) !== c) bad++;
    if (linearToAlaw(ALAW_DECODE[c]!) !== c) bad++;
  }
  t.is(bad, 0);
});

test('quantization error stays within a sixteenth of the segment scale', (t) => {
  let worstU = 0;
  let worstA = 0;
  for (let x = -32000; x <= 32000; x += 7) {
    const eu = Math.abs(ULAW_DECODE[linearToUlaw(x)]! - x) / (Math.abs(x) + 132);
    const ea = Math.abs(ALAW_DECODE[linearToAlaw(x)]! - x) / (Math.abs(x) + 256);
    if (eu > worstU) worstU = eu;
    if (ea > worstA) worstA = ea;
  }
  t.true(worstU < 1 / 16, `µ-law relative error ${worstU}`);
  t.true(worstA < 1 / 16, `A-law relative error ${worstA}`);
});

test('buffer codecs write at offsets and round trip', (t) => {
  const pcm = new Int16Array(160);
  for (let i = 0; i < 160; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  const bytes = new Uint8Array(172);
  encodeUlaw(pcm, bytes, 12);
  t.is(bytes[11], 0);
  t.is(bytes[12], linearToUlaw(pcm[0]!));
  const back = new Int16Array(160);
  decodeUlaw(bytes, 12, 160, back);
  for (let i = 0; i < 160; i++) t.true(Math.abs(back[i]! - pcm[i]!) <= 256);
  encodeAlaw(pcm, bytes, 12, 80, 80);
  t.is(bytes[12], linearToAlaw(pcm[80]!));
  decodeAlaw(bytes, 12, 80, back, 80);
  for (let i = 80; i < 160; i++) t.true(Math.abs(back[i]! - pcm[i]!) <= 256);
});
