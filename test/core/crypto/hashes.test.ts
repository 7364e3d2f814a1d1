import test from 'ava';
import { Md5, md5 } from '../../../hal/soft/md5.js';
import { Sha1, sha1 } from '../../../hal/soft/sha1.js';
import { Sha256, sha256 } from '../../../hal/soft/sha256.js';
import { ascii, hex } from './hex.js';

// RFC 1321 Appendix A.5 test suite.
const md5Vectors: Array<[string, string]> = [
  ['', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['a', '0cc175b9c0f1b6a831c399e269772661'],
  ['abc', '900150983cd24fb0d6963f7d28e17f72'],
  ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
  ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
  ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
];

for (const [input, expected] of md5Vectors) {
  test(`MD5 RFC 1321: "${input.slice(0, 20)}"`, (t) => {
    t.is(hex(md5(ascii(input))), expected);
  });
}

// FIPS 180 examples (and the well-known NIST one-million-'a' message, abridged to keep XS fast).
const sha1Vectors: Array<[string, string]> = [
  ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
];
for (const [input, expected] of sha1Vectors) {
  test(`SHA-1 FIPS 180: "${input.slice(0, 20)}"`, (t) => {
    t.is(hex(sha1(ascii(input))), expected);
  });
}

const sha256Vectors: Array<[string, string]> = [
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
];
for (const [input, expected] of sha256Vectors) {
  test(`SHA-256 FIPS 180: "${input.slice(0, 20)}"`, (t) => {
    t.is(hex(sha256(ascii(input))), expected);
  });
}

test('one million "a" (FIPS 180 long message) through incremental updates', (t) => {
  const chunk = new Uint8Array(1000).fill(0x61);
  const h1 = new Sha1();
  const h256 = new Sha256();
  for (let i = 0; i < 1000; i++) {
    h1.update(chunk);
    h256.update(chunk);
  }
  const o1 = new Uint8Array(20);
  const o256 = new Uint8Array(32);
  h1.digestInto(o1);
  h256.digestInto(o256);
  t.is(hex(o1), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  t.is(hex(o256), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
});

test('split updates at every offset give the same digest as one update', (t) => {
  const data = new Uint8Array(150);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) & 255;
  for (const make of [() => new Md5(), () => new Sha1(), () => new Sha256()]) {
    const whole = make().digest(data);
    for (let cut = 0; cut <= data.length; cut += 7) {
      const h = make();
      h.update(data, 0, cut).update(data, cut);
      const out = new Uint8Array(h.digestSize);
      h.digestInto(out);
      t.is(hex(out), hex(whole));
    }
  }
});

test('padding boundaries 55/56/63/64 bytes', (t) => {
  // Known SHA-256 of 55, 56 and 64 'a's; MD5 of 64 'a's.
  const a = (n: number) => new Uint8Array(n).fill(0x61);
  t.is(hex(sha256(a(55))), '9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318');
  t.is(hex(sha256(a(56))), 'b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a');
  t.is(hex(sha256(a(64))), 'ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb');
  t.is(hex(md5(a(64))), '014842d480b571495a4a0363793f7367');
});

test('copyFrom clones a mid-message state', (t) => {
  const a = new Sha256().update(ascii('hello '));
  const b = new Sha256();
  b.copyFrom(a);
  a.update(ascii('world'));
  b.update(ascii('world'));
  const oa = new Uint8Array(32);
  const ob = new Uint8Array(32);
  a.digestInto(oa);
  b.digestInto(ob);
  t.is(hex(oa), hex(ob));
  t.is(hex(oa), hex(sha256(ascii('hello world'))));
});
