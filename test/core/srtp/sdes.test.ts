import test from 'ava';
import { base64Decode, base64Encode } from '../../../src/media/srtp/base64.js';
import { SrtpContext } from '../../../src/media/srtp/context.js';
import {
  SdesError,
  decodeSdesKey,
  encodeSdesKey,
  formatCryptoLine,
  generateSdesKey,
  parseCryptoLine,
  srtpKeysOf,
} from '../../../src/media/srtp/sdes.js';
import { ascii, hex } from '../crypto/hex.js';

test('base64 RFC 4648 §10 vectors both ways', (t) => {
  const pairs: Array<[string, string]> = [
    ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, b64] of pairs) {
    t.is(base64Encode(ascii(plain)), b64);
    t.is(new TextDecoder().decode(base64Decode(b64)), plain);
  }
  t.is(hex(base64Decode('Zm9vYg')!), hex(ascii('foob')), 'padding optional');
  t.is(base64Decode('Zm9v!'), undefined);
  t.is(base64Decode('Z'), undefined);
  const all = new Uint8Array(256).map((_, i) => i);
  t.is(hex(base64Decode(base64Encode(all))!), hex(all));
});

test('RFC 4568 example crypto lines parse and decode', (t) => {
  const line = parseCryptoLine('1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4');
  t.is(line.tag, 1);
  t.is(line.suite, 'AES_CM_128_HMAC_SHA1_80');
  const key = decodeSdesKey(line);
  t.is(key.masterKey.length, 16);
  t.is(key.masterSalt.length, 14);
  t.is(key.lifetime, 1048576);
  t.deepEqual(key.mki, { value: 1, length: 4 });
  t.is(hex(srtpKeysOf(key).mki!), '00000001');
  t.is(formatCryptoLine(encodeSdesKey(key)), '1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4');

  const plain = decodeSdesKey(parseCryptoLine('2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj'));
  t.is(plain.suite, 'AES_CM_128_HMAC_SHA1_32');
  t.is(plain.mki, undefined);
  t.is(plain.lifetime, undefined);
});

test('unusable crypto lines are refused with SdesError', (t) => {
  const bad = [
    '1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR',
    '1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFC',
    '1 AES_CM_128_HMAC_SHA1_80 uri:https://x',
    '1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTP',
    '1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|junk',
  ];
  for (const b of bad) t.throws(() => decodeSdesKey(parseCryptoLine(b)), { instanceOf: SdesError }, b);
  t.throws(() => parseCryptoLine('x AES_CM_128_HMAC_SHA1_80 inline:abc'), { instanceOf: SdesError });
  t.throws(() => parseCryptoLine('1 AES_CM_128_HMAC_SHA1_80'), { instanceOf: SdesError });
});

test('generated keys are random, the right size, and work end to end', (t) => {
  let counter = 0;
  const random = { fill: (d: Uint8Array) => { for (let i = 0; i < d.length; i++) d[i] = (counter++ * 73) & 255; return d; } };
  const a = generateSdesKey(1, 'AES_CM_128_HMAC_SHA1_80', random);
  const b = generateSdesKey(1, 'AES_CM_128_HMAC_SHA1_80', random);
  t.not(hex(a.masterKey), hex(b.masterKey));
  const text = formatCryptoLine(encodeSdesKey(a));
  t.regex(text, /^1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/);
  const back = decodeSdesKey(parseCryptoLine(text));
  const tx = new SrtpContext(srtpKeysOf(a));
  const rx = new SrtpContext(srtpKeysOf(back));
  const buf = new Uint8Array(64);
  buf.set([0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4]);
  const n = tx.protectRtp(buf, 16);
  t.is(rx.unprotectRtp(buf, n), 16);
  t.is(hex(buf.subarray(12, 16)), '01020304');
});
