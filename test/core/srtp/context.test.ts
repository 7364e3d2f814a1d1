import test from 'ava';
import { SrtpContext, SrtpStatus } from '../../../src/media/srtp/context.js';
import type { SrtpKeys, SrtpSuite } from '../../../src/media/srtp/suite.js';
import { hex } from '../crypto/hex.js';

function keys(suite: SrtpSuite = 'AES_CM_128_HMAC_SHA1_80', mki?: Uint8Array): SrtpKeys {
  const masterKey = new Uint8Array(16);
  const masterSalt = new Uint8Array(14);
  for (let i = 0; i < 16; i++) masterKey[i] = i * 7 + 1;
  for (let i = 0; i < 14; i++) masterSalt[i] = 200 - i;
  return mki ? { suite, masterKey, masterSalt, mki } : { suite, masterKey, masterSalt };
}

/** A 20 ms PCMU packet in a 200-byte buffer, payload bytes derived from seq. */
function rtp(buf: Uint8Array, seq: number, ssrc = 0x11223344, ts = seq * 160): number {
  buf.fill(0);
  buf[0] = 0x80;
  buf[1] = 0;
  buf[2] = seq >> 8;
  buf[3] = seq & 255;
  buf[4] = ts >>> 24;
  buf[5] = ts >>> 16;
  buf[6] = ts >>> 8;
  buf[7] = ts;
  buf[8] = ssrc >>> 24;
  buf[9] = ssrc >>> 16;
  buf[10] = ssrc >>> 8;
  buf[11] = ssrc;
  for (let i = 0; i < 160; i++) buf[12 + i] = (i + seq) & 255;
  return 172;
}

test('protect → unprotect round trip restores the packet; ciphertext differs', (t) => {
  const tx = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const buf = new Uint8Array(200);
  const plain = new Uint8Array(200);
  for (let seq = 100; seq < 110; seq++) {
    const len = rtp(buf, seq);
    plain.set(buf);
    const n = tx.protectRtp(buf, len);
    t.is(n, len + 10);
    t.is(hex(buf.subarray(0, 12)), hex(plain.subarray(0, 12)), 'header in clear');
    t.not(hex(buf.subarray(12, len)), hex(plain.subarray(12, len)));
    t.is(rx.unprotectRtp(buf, n), len);
    t.is(hex(buf.subarray(0, len)), hex(plain.subarray(0, len)));
  }
});

test('tampered packets (payload, header, tag) are rejected with authFailed', (t) => {
  const tx = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const buf = new Uint8Array(200);
  const copy = new Uint8Array(200);
  const n = tx.protectRtp(buf, rtp(buf, 7));
  for (const at of [1, 5, 20, n - 10, n - 1]) {
    copy.set(buf);
    copy[at] ^= 0x01;
    t.is(rx.unprotectRtp(copy, n), SrtpStatus.authFailed, `byte ${at}`);
  }
  t.is(rx.unprotectRtp(buf, n), 172, 'the untouched packet still passes afterwards');
});

test('wrong key fails authentication', (t) => {
  const other = keys();
  other.masterKey[0] ^= 1;
  const buf = new Uint8Array(200);
  const n = new SrtpContext(keys()).protectRtp(buf, rtp(buf, 1));
  t.is(new SrtpContext(other).unprotectRtp(buf, n), SrtpStatus.authFailed);
});

test('replayed and too-old packets are rejected; reordered ones within the window accepted', (t) => {
  const tx = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const saved: Uint8Array[] = [];
  const buf = new Uint8Array(200);
  for (let seq = 1000; seq < 1300; seq++) {
    const n = tx.protectRtp(buf, rtp(buf, seq));
    saved.push(buf.slice(0, n));
  }
  const copy = new Uint8Array(200);
  const deliver = (i: number) => {
    copy.set(saved[i]);
    return rx.unprotectRtp(copy, saved[i].length);
  };
  t.is(deliver(0), 172);
  t.is(deliver(0), SrtpStatus.replayed);
  t.is(deliver(2), 172);
  t.is(deliver(1), 172, 'late but inside the window');
  t.is(deliver(1), SrtpStatus.replayed);
  t.is(deliver(250), 172);
  t.is(deliver(3), SrtpStatus.replayed, 'older than the window');
  t.is(deliver(200), 172, 'inside the window, not seen');
  t.is(deliver(200), SrtpStatus.replayed);
});

test('ROC rollover across seq 65535 → 0, including reordering around the wrap', (t) => {
  const tx = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const buf = new Uint8Array(200);
  const copy = new Uint8Array(200);
  const packets: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const seq = (65520 + i) & 0xffff;
    const n = tx.protectRtp(buf, rtp(buf, seq));
    packets.push(buf.slice(0, n));
  }
  t.is(tx.rolloverCounter(0x11223344), 1);
  // Deliver in order except that 65535 arrives after 0 and 1.
  const order = [...Array(40).keys()];
  order.splice(15, 1);
  order.splice(17, 0, 15);
  for (const i of order) {
    copy.set(packets[i]);
    const seq = (65520 + i) & 0xffff;
    t.is(rx.unprotectRtp(copy, packets[i].length), 172, `seq ${seq}`);
    t.is(copy[12], (seq + 0) & 255, 'payload decrypted with the right ROC');
  }
  t.is(rx.rolloverCounter(0x11223344), 1);
});

test('a receiver that guesses the ROC wrong fails authentication instead of decrypting garbage', (t) => {
  const tx = new SrtpContext(keys());
  const buf = new Uint8Array(200);
  // Sender crosses a wrap before the receiver hears anything.
  for (let seq = 65530; seq <= 65535; seq++) tx.protectRtp(buf, rtp(buf, seq));
  const n = tx.protectRtp(buf, rtp(buf, 3));
  t.is(new SrtpContext(keys()).unprotectRtp(buf, n), SrtpStatus.authFailed);
});

test('_32 suite: 4-byte tag on RTP, 10-byte tag on RTCP', (t) => {
  const tx = new SrtpContext(keys('AES_CM_128_HMAC_SHA1_32'));
  const rx = new SrtpContext(keys('AES_CM_128_HMAC_SHA1_32'));
  const buf = new Uint8Array(200);
  const len = rtp(buf, 9);
  const n = tx.protectRtp(buf, len);
  t.is(n, len + 4);
  t.is(rx.unprotectRtp(buf, n), len);
  const r = new Uint8Array(64);
  r.set([0x80, 201, 0, 1, 1, 2, 3, 4]);
  const m = tx.protectRtcp(r, 8);
  t.is(m, 8 + 4 + 10);
  t.is(rx.unprotectRtcp(r, m), 8);
});

test('SRTCP round trip with E flag, index counting and replay rejection', (t) => {
  const tx = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const buf = new Uint8Array(100);
  const plain = new Uint8Array(52);
  // An RR with one report block: 8 + 24 bytes, plus an SDES chunk.
  plain.set([0x81, 201, 0, 7, 0xaa, 0xbb, 0xcc, 0xdd]);
  for (let i = 8; i < 52; i++) plain[i] = i;
  const copies: Uint8Array[] = [];
  for (let k = 0; k < 3; k++) {
    buf.fill(0);
    buf.set(plain);
    const n = tx.protectRtcp(buf, 52);
    t.is(n, 52 + 14);
    t.is(buf[52], 0x80, 'E flag set');
    t.is(buf[55], k, 'SRTCP index counts up');
    t.not(hex(buf.subarray(8, 52)), hex(plain.subarray(8)));
    copies.push(buf.slice(0, n));
  }
  for (const c of copies) {
    const work = c.slice();
    t.is(rx.unprotectRtcp(work, work.length), 52);
    t.is(hex(work.subarray(0, 52)), hex(plain));
  }
  t.is(rx.unprotectRtcp(copies[1].slice(), copies[1].length), SrtpStatus.replayed);
  const bad = copies[2].slice();
  bad[30] ^= 4;
  t.is(new SrtpContext(keys()).unprotectRtcp(bad, bad.length), SrtpStatus.authFailed);
});

test('MKI is appended before the tag and checked', (t) => {
  const tx = new SrtpContext(keys(undefined, Uint8Array.of(0, 1)));
  const rx = new SrtpContext(keys(undefined, Uint8Array.of(0, 1)));
  const wrong = new SrtpContext(keys(undefined, Uint8Array.of(0, 2)));
  const buf = new Uint8Array(200);
  const len = rtp(buf, 5);
  const n = tx.protectRtp(buf, len);
  t.is(n, len + 2 + 10);
  t.is(hex(buf.subarray(len, len + 2)), '0001');
  t.is(wrong.unprotectRtp(buf.slice(), n), SrtpStatus.authFailed);
  t.is(rx.unprotectRtp(buf, n), len);
});

test('CSRCs and header extension stay in the clear; padding bit packets survive', (t) => {
  const tx = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const buf = new Uint8Array(200);
  const head = [0x91, 0, 0, 42, 0, 0, 0, 1, 9, 9, 9, 9, 1, 2, 3, 4, 0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0];
  buf.set(head);
  for (let i = head.length; i < head.length + 40; i++) buf[i] = i;
  const len = head.length + 40;
  const plain = buf.slice(0, len);
  const n = tx.protectRtp(buf, len);
  t.is(hex(buf.subarray(0, head.length)), hex(Uint8Array.from(head)));
  t.is(rx.unprotectRtp(buf, n), len);
  t.is(hex(buf.subarray(0, len)), hex(plain));
});

test('malformed input: too short, wrong version, truncated extension', (t) => {
  const rx = new SrtpContext(keys());
  t.is(rx.unprotectRtp(new Uint8Array(15), 15), SrtpStatus.malformed);
  const v1 = new Uint8Array(40);
  v1[0] = 0x40;
  t.is(rx.unprotectRtp(v1, 40), SrtpStatus.malformed);
  const ext = new Uint8Array(30);
  ext[0] = 0x90;
  ext[14] = 0;
  ext[15] = 50;
  t.is(rx.unprotectRtp(ext, 30), SrtpStatus.malformed);
  t.is(rx.unprotectRtcp(new Uint8Array(20), 20), SrtpStatus.malformed);
  t.throws(() => new SrtpContext({ ...keys(), masterKey: new Uint8Array(15) }), { instanceOf: RangeError });
});

test('two SSRCs through one receiving context keep separate ROC and replay state', (t) => {
  const a = new SrtpContext(keys());
  const rx = new SrtpContext(keys());
  const buf = new Uint8Array(200);
  let n = a.protectRtp(buf, rtp(buf, 10, 0xaaaa));
  t.is(rx.unprotectRtp(buf, n), 172);
  n = a.protectRtp(buf, rtp(buf, 10, 0xbbbb));
  t.is(rx.unprotectRtp(buf, n), 172, 'same seq on another SSRC is not a replay');
});
