import test from 'ava';
import { Hmac } from '../../../hal/soft/hmac.js';
import { Md5 } from '../../../hal/soft/md5.js';
import { Sha1 } from '../../../hal/soft/sha1.js';
import { Sha256 } from '../../../hal/soft/sha256.js';
import { ascii, hex, repeat, unhex } from './hex.js';

// RFC 2202 (HMAC-MD5, HMAC-SHA1) test cases 1-7.
const rfc2202: Array<{ key: Uint8Array; data: Uint8Array; md5: string; sha1: string }> = [
  { key: repeat(0x0b, 16), data: ascii('Hi There'), md5: '9294727a3638bb1c13f48ef8158bfc9d', sha1: '' },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), md5: '750c783e6ab0b503eaa86e310a5db738', sha1: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
  { key: repeat(0xaa, 16), data: repeat(0xdd, 50), md5: '56be34521d144c88dbb8c733f0e8b3f6', sha1: '' },
  { key: unhex('0102030405060708090a0b0c0d0e0f10111213141516171819'), data: repeat(0xcd, 50), md5: '697eaf0aca3a3aea3a75164746ffaa79', sha1: '4c9007f4026250c6bc8414f9bf50c86c2d7235da' },
  { key: repeat(0x0c, 16), data: ascii('Test With Truncation'), md5: '56461ef2342edc00f9bab995690efd4c', sha1: '' },
  { key: repeat(0xaa, 80), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), md5: '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd', sha1: 'aa4ae5e15272d00e95705637ce8a3b55ed402112' },
  { key: repeat(0xaa, 80), data: ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'), md5: '6f630fad67cda0ee1fb1f562db3aa53e', sha1: 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91' },
];
const sha1Only: Array<{ key: Uint8Array; data: Uint8Array; sha1: string }> = [
  { key: repeat(0x0b, 20), data: ascii('Hi There'), sha1: 'b617318655057264e28bc0b6fb378c8ef146be00' },
  { key: repeat(0xaa, 20), data: repeat(0xdd, 50), sha1: '125d7342b9ac11cd91a39af48aa17b4f63f175d3' },
  { key: repeat(0x0c, 20), data: ascii('Test With Truncation'), sha1: '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04' },
];

rfc2202.forEach((v, i) => {
  test(`HMAC-MD5 RFC 2202 case ${i + 1}`, (t) => {
    t.is(hex(new Hmac(() => new Md5(), v.key).mac(v.data)), v.md5);
  });
  if (v.sha1) {
    test(`HMAC-SHA1 RFC 2202 case ${i + 1}`, (t) => {
      t.is(hex(new Hmac(() => new Sha1(), v.key).mac(v.data)), v.sha1);
    });
  }
});
sha1Only.forEach((v, i) => {
  test(`HMAC-SHA1 RFC 2202 (20-byte key) case ${i}`, (t) => {
    t.is(hex(new Hmac(() => new Sha1(), v.key).mac(v.data)), v.sha1);
  });
});

// RFC 4231 HMAC-SHA-256 test cases 1-4, 6, 7 (case 5 is truncation: checked on the prefix).
const rfc4231: Array<{ key: Uint8Array; data: Uint8Array; mac: string }> = [
  { key: repeat(0x0b, 20), data: ascii('Hi There'), mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { key: repeat(0xaa, 20), data: repeat(0xdd, 50), mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
  { key: unhex('0102030405060708090a0b0c0d0e0f10111213141516171819'), data: repeat(0xcd, 50), mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b' },
  { key: repeat(0x0c, 20), data: ascii('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
  { key: repeat(0xaa, 131), data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54' },
  { key: repeat(0xaa, 131), data: ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'), mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2' },
];
rfc4231.forEach((v, i) => {
  test(`HMAC-SHA-256 RFC 4231 vector ${i + 1}`, (t) => {
    t.is(hex(new Hmac(() => new Sha256(), v.key).mac(v.data)).slice(0, v.mac.length), v.mac);
  });
});

test('an Hmac object is reusable: start/update/finish twice gives the same tag', (t) => {
  const h = new Hmac(() => new Sha1(), ascii('Jefe'));
  const a = new Uint8Array(20);
  const b = new Uint8Array(20);
  const msg = ascii('what do ya want for nothing?');
  h.start().update(msg, 0, 10).update(msg, 10).finish(a);
  h.start().update(msg).finish(b);
  t.is(hex(a), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  t.is(hex(b), hex(a));
});
