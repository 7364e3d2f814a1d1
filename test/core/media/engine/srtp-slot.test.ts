import test from 'ava';
import { ExactViews } from '../../../../src/media/engine/exact-views.js';
import { SrtpSlot } from '../../../../src/media/engine/srtp-slot.js';
import { writeRtpHeader } from '../../../../src/media/rtp-packet.js';
import type { SrtpKeys } from '../../../../src/media/srtp/suite.js';

function keys(fill: number): SrtpKeys {
  return { suite: 'AES_CM_128_HMAC_SHA1_80', masterKey: new Uint8Array(16).fill(fill), masterSalt: new Uint8Array(14).fill(fill + 1) };
}

function packet(seq: number): { buf: Uint8Array; length: number } {
  const buf = new Uint8Array(12 + 160 + 16);
  writeRtpHeader(buf, 0, false, 0, seq, seq * 160, 0x1234);
  buf.fill(0x55, 12, 172);
  return { buf, length: 172 };
}

test('without keys packets pass unchanged; with keys they are protected and checked', (t) => {
  const tx = new SrtpSlot();
  const rx = new SrtpSlot();
  const p = packet(1);
  t.false(tx.active);
  t.is(tx.protectRtp(p.buf, p.length), 172);
  t.is(rx.unprotectRtp(p.buf, 172), 172);
  tx.set(keys(1), undefined);
  rx.set(keys(1), undefined);
  t.true(tx.active);
  t.is(tx.rtpOverhead, 10);
  const q = packet(2);
  const n = tx.protectRtp(q.buf, q.length);
  t.is(n, 182);
  t.not(q.buf[20], 0x55, 'payload encrypted');
  t.is(rx.unprotectRtp(q.buf, n), 172);
  t.is(q.buf[20], 0x55);
});

test('equal keys keep the context (replay state survives a re-INVITE); new keys start a new one', (t) => {
  const tx = new SrtpSlot();
  const rx = new SrtpSlot();
  tx.set(keys(1), undefined);
  rx.set(keys(1), undefined);
  const p = packet(10);
  const n = tx.protectRtp(p.buf, p.length);
  const copy = p.buf.slice(0, n);
  t.is(rx.unprotectRtp(p.buf, n), 172);
  rx.set(keys(1), undefined); // a re-INVITE repeating the same key (a new object)
  t.true(rx.unprotectRtp(copy.slice(), n) < 0, 'still a replay for the same context');
  rx.set(keys(3), undefined);
  t.true(rx.unprotectRtp(copy.slice(), n) < 0, 'the old key no longer authenticates');
  rx.set(undefined, undefined);
  t.false(rx.active);
});

test('ExactViews: one view per buffer and length, reused; a full-length request returns the buffer', (t) => {
  const views = new ExactViews(2);
  const a = new Uint8Array(100);
  const b = new Uint8Array(50);
  const v1 = views.of(a, 10);
  t.is(v1.length, 10);
  t.is(v1.buffer, a.buffer);
  t.is(views.of(a, 10), v1);
  t.is(views.of(b, 50), b);
  const v2 = views.of(b, 20);
  t.is(views.of(a, 10), v1);
  t.is(views.created, 2);
  views.of(a, 30); // evicts the oldest
  t.is(views.created, 3);
  t.is(views.of(b, 20), v2);
  t.not(views.of(a, 10), v1, 'evicted, made again');
});
