import test from 'ava';
import { Aes, softAes } from '../../../hal/soft/aes.js';
import { AesCm } from '../../../src/media/srtp/aes-cm.js';
import { SrtpContext } from '../../../src/media/srtp/context.js';
import { softPrimitives } from '../../../src/media/srtp/primitives.js';
import { deriveSessionKeys } from '../../../src/media/srtp/kdf.js';
import { hex, unhex } from '../crypto/hex.js';

test('RFC 3711 B.2: AES-CM keystream', (t) => {
  const cm = new AesCm(new Aes(unhex('2B7E151628AED2A6ABF7158809CF4F3C')), unhex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'));
  const buf = new Uint8Array(48);
  cm.xor(buf, 0, 48, 0, 0, 0);
  t.is(hex(buf), 'e03ead0935c95e80e166b16dd92b4eb4' + 'd23513162b02d0f72a43a2fe4a5f97ab' + '41e95b3bb0a2e8dd477901e4fca894c0');
  // The last rows of the table, counter blocks FEFF, FF00, FF01, through the same block cipher.
  const aes = new Aes(unhex('2B7E151628AED2A6ABF7158809CF4F3C'));
  const out = new Uint8Array(16);
  const rows: Array<[string, string]> = [
    ['feff', 'ec8cdf7398607cb0f2d21675ea9ea1e4'],
    ['ff00', '362b7c3c6773516318a077d7fc5073ae'],
    ['ff01', '6a2cc3787889374fbeb4c81b17ba6c44'],
  ];
  for (const [ctr, ks] of rows) {
    aes.encryptBlock(unhex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD' + ctr), 0, out, 0);
    t.is(hex(out), ks);
  }
});

test('RFC 3711 B.2: partial last block and SSRC/index placement in the IV', (t) => {
  const key = unhex('2B7E151628AED2A6ABF7158809CF4F3C');
  const salt = unhex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');
  const cm = new AesCm(new Aes(key), salt);
  const buf = new Uint8Array(20);
  cm.xor(buf, 0, 20, 0x01020304, 0x0a0b0c0d, 0x0e0f);
  // IV = salt ⊕ SSRC at bytes 4..7 ⊕ index at bytes 8..13.
  const iv = unhex('F0F1F2F3F5F7F5F3F2F2F6F6F2F20000');
  const expect = new Uint8Array(32);
  const aes = new Aes(key);
  aes.encryptBlock(iv, 0, expect, 0);
  iv[15] = 1;
  aes.encryptBlock(iv, 0, expect, 16);
  t.is(hex(buf), hex(expect.subarray(0, 20)));
});

test('RFC 3711 B.3: key derivation', (t) => {
  const k = deriveSessionKeys(softAes, unhex('E1F97A0D3E018BE0D64FA32C06DE4139'), unhex('0EC675AD498AFEEBB6960B3AABE6'));
  t.is(hex(k.rtpKey), 'c61e7a93744f39ee10734afe3ff7a087');
  t.is(hex(k.rtpSalt), '30cbbc08863d8c85d49db34a9ae1');
  t.is(hex(k.rtpAuth), 'cebe321f6ff7716b6fd4ab49af256a156d38baa4');
  t.is(k.rtcpKey.length, 16);
  t.not(hex(k.rtcpKey), hex(k.rtpKey));
});

// libsrtp's test driver packet: master key/salt as in B.3, SSRC 0xcafebabe, seq 0x1234, 16 bytes of 0xab.
const master = {
  suite: 'AES_CM_128_HMAC_SHA1_80' as const,
  masterKey: unhex('E1F97A0D3E018BE0D64FA32C06DE4139'),
  masterSalt: unhex('0EC675AD498AFEEBB6960B3AABE6'),
};
const plainRtp = '800f1234decafbadcafebabe' + 'ab'.repeat(16);
const cipherRtp = '800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb';

test('libsrtp reference SRTP packet: protect', (t) => {
  const buf = new Uint8Array(64);
  buf.set(unhex(plainRtp));
  const n = new SrtpContext(master).protectRtp(buf, 28);
  t.is(n, 38);
  t.is(hex(buf.subarray(0, n)), cipherRtp);
});

test('libsrtp reference SRTP packet: unprotect', (t) => {
  const buf = new Uint8Array(64);
  buf.set(unhex(cipherRtp));
  const n = new SrtpContext(master).unprotectRtp(buf, 38);
  t.is(n, 28);
  t.is(hex(buf.subarray(0, 28)), plainRtp);
});

// libsrtp's SRTCP reference packet carries SRTCP index 1 (its sender counts from 1; ours from 0).
const cipherRtcp = '81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798';
const plainRtcp = '81c8000bcafebabe' + 'ab'.repeat(16);

test('libsrtp reference SRTCP packet: unprotect', (t) => {
  const buf = unhex(cipherRtcp);
  const n = new SrtpContext(master).unprotectRtcp(buf, buf.length);
  t.is(n, 24);
  t.is(hex(buf.subarray(0, 24)), plainRtcp);
});

test('libsrtp reference SRTCP packet: our second packet (index 1) is byte-identical', (t) => {
  const ctx = new SrtpContext(master);
  const buf = new Uint8Array(64);
  buf.set(unhex(plainRtcp));
  t.is(hex(buf.subarray(0, ctx.protectRtcp(buf, 24)).subarray(24, 28)), '80000000');
  buf.fill(0);
  buf.set(unhex(plainRtcp));
  const n = ctx.protectRtcp(buf, 24);
  t.is(hex(buf.subarray(0, n)), cipherRtcp);
});

test('injected primitives are the ones used (a device passes native AES and HMAC here)', (t) => {
  let blocks = 0;
  let macs = 0;
  const ctx = new SrtpContext(master, {
    blockCipher: (key) => {
      const aes = new Aes(key);
      return { encryptBlock: (i, io, o, oo) => { blocks++; aes.encryptBlock(i, io, o, oo); } };
    },
    hmacSha1: (key) => {
      const inner = softPrimitives.hmacSha1(key);
      const mac = {
        start: () => { macs++; inner.start(); return mac; },
        update: (d: Uint8Array, o: number, l: number) => { inner.update(d, o, l); return mac; },
        finish: (out: Uint8Array, o: number) => inner.finish(out, o),
      };
      return mac;
    },
  });
  const buf = new Uint8Array(64);
  buf.set(unhex(plainRtp));
  const n = ctx.protectRtp(buf, 28);
  t.is(hex(buf.subarray(0, n)), cipherRtp);
  t.true(blocks > 0);
  t.is(macs, 1);
});
