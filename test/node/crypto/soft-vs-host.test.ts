import test from 'ava';
import { generateKeyPairSync, randomBytes, randomInt, sign } from 'node:crypto';
import { HostCrypto } from '../../../hal/host/crypto.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';
import { Aes } from '../../../hal/soft/aes.js';

const host = new HostCrypto();
const soft = new SoftCrypto();

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

test('digests agree with node:crypto on random inputs of every length 0..300', (t) => {
  for (const alg of ['MD5', 'SHA-1', 'SHA-256', 'SHA-512-256'] as const) {
    for (let n = 0; n <= 300; n++) {
      const data = new Uint8Array(randomBytes(n));
      t.is(hex(soft.digest(alg, data)), hex(host.digest(alg, data)), `${alg} length ${n}`);
    }
  }
});

test('HMACs agree with node:crypto on random keys and messages', (t) => {
  for (const alg of ['SHA-1', 'SHA-256'] as const) {
    for (let i = 0; i < 300; i++) {
      const key = new Uint8Array(randomBytes(randomInt(0, 150)));
      const data = new Uint8Array(randomBytes(randomInt(0, 400)));
      t.is(hex(soft.hmac(alg, key, data)), hex(host.hmac(alg, key, data)));
    }
  }
});

test('AES-128/192/256 agree with node:crypto on random keys and blocks', (t) => {
  for (const len of [16, 24, 32]) {
    for (let i = 0; i < 300; i++) {
      const key = new Uint8Array(randomBytes(len));
      const block = new Uint8Array(randomBytes(16));
      const a = new Uint8Array(16);
      const b = new Uint8Array(16);
      soft.aesEncryptBlock(key, block, a);
      host.aesEncryptBlock(key, block, b);
      t.is(hex(a), hex(b));
      const c = new Uint8Array(16);
      new Aes(key).encryptBlock(block, 0, c, 0);
      t.is(hex(c), hex(b));
    }
  }
});

test('HostCrypto.ed25519Verify accepts a good signature and rejects tampering', (t) => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const raw = new Uint8Array(spki.subarray(spki.length - 32));
  const msg = new Uint8Array(randomBytes(100));
  const sig = new Uint8Array(sign(null, msg, privateKey));
  t.true(host.ed25519Verify(raw, msg, sig));
  const badMsg = msg.slice();
  badMsg[5] ^= 1;
  t.false(host.ed25519Verify(raw, badMsg, sig));
  const badSig = sig.slice();
  badSig[10] ^= 1;
  t.false(host.ed25519Verify(raw, msg, badSig));
  t.false(host.ed25519Verify(raw.subarray(0, 31), msg, sig));
});

test('HostCrypto SHA-512-256 matches the FIPS 180-4 "abc" example', (t) => {
  t.is(hex(host.digest('SHA-512-256', new TextEncoder().encode('abc'))), '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
});

test('SoftCrypto.ed25519Verify agrees with node:crypto on random keys, messages and corruptions', (t) => {
  for (let i = 0; i < 40; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const raw = new Uint8Array(spki.subarray(spki.length - 32));
    const msg = new Uint8Array(randomBytes(randomInt(0, 300)));
    const sig = new Uint8Array(sign(null, msg, privateKey));
    t.true(soft.ed25519Verify(raw, msg, sig));
    const bad = sig.slice();
    bad[randomInt(0, 64)] ^= 1 << randomInt(0, 8);
    t.is(soft.ed25519Verify(raw, msg, bad), host.ed25519Verify(raw, msg, bad));
    const badKey = raw.slice();
    badKey[randomInt(0, 32)] ^= 1 << randomInt(0, 8);
    t.is(soft.ed25519Verify(badKey, msg, sig), host.ed25519Verify(badKey, msg, sig));
  }
});

test('streaming SHA-256 (createDigest) agrees between soft and host over chunked input', (t) => {
  const data = new Uint8Array(randomBytes(5000));
  const a = soft.createDigest('SHA-256');
  const b = host.createDigest('SHA-256');
  for (let at = 0; at < data.length; ) {
    const n = randomInt(1, 700);
    a.update(data.subarray(at, at + n));
    b.update(data.subarray(at, at + n));
    at += n;
  }
  t.is(hex(a.final()), hex(b.final()));
  t.is(hex(host.digest('SHA-256', data)), hex(soft.digest('SHA-256', data)));
});
