import test from 'ava';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { SrtpContext } from '../../../src/media/srtp/context.js';
import type { Mac, SrtpPrimitives } from '../../../src/media/srtp/primitives.js';

/** SRTP primitives from node:crypto (OpenSSL): an independent AES and HMAC-SHA1 under the same SRTP code. */
const nodePrimitives: SrtpPrimitives = {
  blockCipher(key) {
    return {
      encryptBlock(input, inOff, output, outOff) {
        const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
        output.set(c.update(input.subarray(inOff, inOff + 16)), outOff);
      },
    };
  },
  hmacSha1(key) {
    let parts: Buffer[] = [];
    const mac: Mac = {
      start: () => ((parts = []), mac),
      update: (d, o, l) => (parts.push(Buffer.from(d.subarray(o, o + l))), mac),
      finish: (out, o) => out.set(createHmac('sha1', key).update(Buffer.concat(parts)).digest(), o),
    };
    return mac;
  },
};

test('libsrtp reference packet with node:crypto primitives', (t) => {
  const keys = {
    suite: 'AES_CM_128_HMAC_SHA1_80' as const,
    masterKey: Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139', 'hex'),
    masterSalt: Buffer.from('0EC675AD498AFEEBB6960B3AABE6', 'hex'),
  };
  const buf = new Uint8Array(64);
  buf.set(Buffer.from('800f1234decafbadcafebabe' + 'ab'.repeat(16), 'hex'));
  const n = new SrtpContext(keys, nodePrimitives).protectRtp(buf, 28);
  t.is(Buffer.from(buf.subarray(0, n)).toString('hex'), '800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb');
});

test('soft and node:crypto primitives interoperate on random keys and packets (both directions, RTP and RTCP)', (t) => {
  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const) {
    const keys = { suite, masterKey: new Uint8Array(randomBytes(16)), masterSalt: new Uint8Array(randomBytes(14)) };
    const softTx = new SrtpContext(keys);
    const nodeRx = new SrtpContext(keys, nodePrimitives);
    const nodeTx = new SrtpContext(keys, nodePrimitives);
    const softRx = new SrtpContext(keys);
    for (let i = 0; i < 50; i++) {
      const len = 12 + (i % 7) * 37;
      const plain = new Uint8Array(randomBytes(len));
      plain[0] = 0x80;
      plain[2] = 0xff;
      plain[3] = 0xe0 + i; // crosses the 65535 → 0 wrap
      for (const [tx, rx] of [[softTx, nodeRx], [nodeTx, softRx]] as const) {
        const buf = new Uint8Array(400);
        buf.set(plain);
        const n = tx.protectRtp(buf, len);
        t.is(rx.unprotectRtp(buf, n), len);
        t.deepEqual(buf.subarray(0, len), plain);
      }
      const rtcp = new Uint8Array(100);
      rtcp.set(randomBytes(40));
      rtcp[0] = 0x81;
      const copy = rtcp.slice(0, 40);
      const m = softTx.protectRtcp(rtcp, 40);
      t.is(nodeRx.unprotectRtcp(rtcp, m), 40);
      t.deepEqual(rtcp.subarray(0, 40), copy);
    }
  }
});
