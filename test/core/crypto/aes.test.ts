import test from 'ava';
import { Aes } from '../../../hal/soft/aes.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';
import { hex, unhex } from './hex.js';

// FIPS-197 Appendix C: plaintext 00112233..ff under keys 000102..; C.1 AES-128, C.2 AES-192, C.3 AES-256.
const plain = unhex('00112233445566778899aabbccddeeff');
const vectors: Array<[string, string, string]> = [
  ['AES-128', '000102030405060708090a0b0c0d0e0f', '69c4e0d86a7b0430d8cdb78070b4c55a'],
  ['AES-192', '000102030405060708090a0b0c0d0e0f1011121314151617', 'dda97ca4864cdfe06eaf70a0ec0d7191'],
  ['AES-256', '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', '8ea2b7ca516745bfeafc49904b496089'],
];
for (const [name, key, cipher] of vectors) {
  test(`${name} FIPS-197 Appendix C`, (t) => {
    const out = new Uint8Array(20);
    new Aes(unhex(key)).encryptBlock(plain, 0, out, 2);
    t.is(hex(out.subarray(2, 18)), cipher);
    t.is(out[0], 0);
    t.is(out[18], 0);
  });
}

test('FIPS-197 Appendix B example (AES-128)', (t) => {
  const out = new Uint8Array(16);
  new Aes(unhex('2b7e151628aed2a6abf7158809cf4f3c')).encryptBlock(unhex('3243f6a8885a308d313198a2e0370734'), 0, out, 0);
  t.is(hex(out), '3925841d02dc09fbdc118597196a0b32');
});

test('in-place encryption works', (t) => {
  const buf = plain.slice();
  new Aes(unhex(vectors[0][1])).encryptBlock(buf, 0, buf, 0);
  t.is(hex(buf), vectors[0][2]);
});

test('bad key length is rejected', (t) => {
  t.throws(() => new Aes(new Uint8Array(15)), { instanceOf: RangeError });
});

test('SoftCrypto.aesEncryptBlock follows a key array rewritten in place', (t) => {
  const c = new SoftCrypto();
  const key = unhex(vectors[0][1]);
  const out = new Uint8Array(16);
  c.aesEncryptBlock(key, plain, out);
  t.is(hex(out), vectors[0][2]);
  key.set(unhex('2b7e151628aed2a6abf7158809cf4f3c'));
  c.aesEncryptBlock(key, unhex('3243f6a8885a308d313198a2e0370734'), out);
  t.is(hex(out), '3925841d02dc09fbdc118597196a0b32');
});

test('SoftCrypto digest and hmac', (t) => {
  const c = new SoftCrypto();
  t.is(hex(c.digest('MD5', new TextEncoder().encode('abc'))), '900150983cd24fb0d6963f7d28e17f72');
  t.is(hex(c.digest('SHA-256', new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.is(hex(c.hmac('SHA-1', new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'))), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
});
