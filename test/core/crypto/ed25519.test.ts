import test from 'ava';
import { ED25519_CONSTANTS as C, ed25519Verify } from '../../../hal/soft/ed25519.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';
import { Sha512, Sha512t256, sha512 } from '../../../hal/soft/sha512.js';
import { ascii, hex, unhex } from './hex.js';

test('SHA-512 FIPS 180 examples', (t) => {
  t.is(hex(sha512(ascii('abc'))), 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f');
  t.is(hex(sha512(new Uint8Array(0))), 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e');
  t.is(
    hex(sha512(ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'))),
    '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
  );
});

test('SHA-512/256 FIPS 180 example, through SoftCrypto', (t) => {
  t.is(hex(new SoftCrypto().digest('SHA-512-256', ascii('abc'))), '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
  t.is(new Sha512t256().digestSize, 32);
  t.is(new Sha512().blockSize, 128);
});

test('curve constants are what their definitions say', (t) => {
  const { P, D, SQRT_M1, BASE_X, BASE_Y } = C;
  const m = (a: bigint) => ((a % P) + P) % P;
  t.is(m(D * 121666n + 121665n), 0n, 'd = -121665/121666');
  t.is(m(SQRT_M1 * SQRT_M1), P - 1n, 'sqrt(-1)');
  t.is(m(BASE_Y * 5n), 4n, 'B.y = 4/5');
  const xx = m(BASE_X * BASE_X);
  const yy = m(BASE_Y * BASE_Y);
  t.is(m(-xx + yy - 1n - D * xx * yy), 0n, 'B on -x^2 + y^2 = 1 + d x^2 y^2');
  t.is(BASE_X % 2n, 0n, 'B.x is the even root');
});

// RFC 8032 §7.1 tests 1-3.
const vectors: Array<[string, string, string]> = [
  ['d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '', 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
  ['3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72', '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
  ['fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82', '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
];

vectors.forEach(([pk, msg, sig], i) => {
  test(`Ed25519 RFC 8032 test ${i + 1}: valid, and invalid once altered`, (t) => {
    t.true(ed25519Verify(unhex(pk), unhex(msg), unhex(sig)));
    const badSig = unhex(sig);
    badSig[40] ^= 0x10;
    t.false(ed25519Verify(unhex(pk), unhex(msg), badSig));
    t.false(ed25519Verify(unhex(pk), Uint8Array.of(...unhex(msg), 0), unhex(sig)));
  });
});

test('Ed25519 rejects malformed keys and signatures', (t) => {
  const [pk, , sig] = vectors[0];
  t.false(ed25519Verify(unhex(pk).subarray(0, 31), new Uint8Array(0), unhex(sig)));
  t.false(ed25519Verify(unhex(pk), new Uint8Array(0), unhex(sig).subarray(0, 63)));
  // S >= L (non-canonical): add L to S.
  const s = unhex(sig);
  let carry = 0;
  let l = C.L;
  for (let i = 32; i < 64; i++) {
    const v = s[i] + Number(l & 0xffn) + carry;
    s[i] = v & 255;
    carry = v >> 8;
    l >>= 8n;
  }
  t.false(ed25519Verify(unhex(pk), new Uint8Array(0), s));
  // A y coordinate >= p is not a point.
  t.false(ed25519Verify(new Uint8Array(32).fill(0xff), new Uint8Array(0), unhex(sig)));
  t.true(new SoftCrypto().ed25519Verify(unhex(pk), new Uint8Array(0), unhex(sig)));
});
