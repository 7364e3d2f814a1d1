import test from 'ava';
import {
  DtmfDetector, DtmfReceiver, DtmfSender, DtmfToneGenerator, dtmfDigit, dtmfEvent, dtmfFrequencies, goertzelCoefficient,
  goertzelPower, writeTelephoneEvent,
} from '../../../src/media/dtmf.js';

test('event codes and frequencies follow RFC 4733 and Q.23', (t) => {
  t.is(dtmfEvent('0'), 0);
  t.is(dtmfEvent('9'), 9);
  t.is(dtmfEvent('*'), 10);
  t.is(dtmfEvent('#'), 11);
  t.is(dtmfEvent('a'), 12);
  t.is(dtmfEvent('D'), 15);
  t.is(dtmfEvent('x'), -1);
  t.is(dtmfEvent('12'), -1);
  t.is(dtmfDigit(11), '#');
  t.deepEqual(dtmfFrequencies(dtmfEvent('1')), [697, 1209]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('5')), [770, 1336]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('9')), [852, 1477]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('0')), [941, 1336]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('*')), [941, 1209]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('#')), [941, 1477]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('A')), [697, 1633]);
  t.deepEqual(dtmfFrequencies(dtmfEvent('D')), [941, 1633]);
});

test('telephone-event payload bytes', (t) => {
  const b = new Uint8Array(6);
  t.is(writeTelephoneEvent(b, 1, 11, true, 10, 800), 4);
  t.deepEqual(Array.from(b), [0, 11, 0x8a, 0x03, 0x20, 0]);
});

interface Sent { at: number; marker: boolean; ts: number; bytes: number[] }

function drive(sender: DtmfSender, from: number, to: number, step = 20): Sent[] {
  const sent: Sent[] = [];
  const buf = new Uint8Array(4);
  for (let now = from; now <= to; now += step) {
    const n = sender.poll(now, buf, 0);
    if (n) sent.push({ at: now, marker: sender.marker, ts: sender.timestamp, bytes: Array.from(buf) });
  }
  return sent;
}

test('sends start with marker, updates every 50 ms, then three end packets', (t) => {
  const s = new DtmfSender();
  t.true(s.start('5', 123456, 120, 1000));
  t.false(s.start('6', 0, 100, 1000), 'one event at a time');
  t.true(s.toneActive);
  const sent = drive(s, 1000, 1400, 10);
  t.deepEqual(sent.map((p) => p.at - 1000), [0, 50, 100, 120, 170, 220]);
  t.deepEqual(sent.map((p) => p.marker), [true, false, false, false, false, false]);
  t.true(sent.every((p) => p.ts === 123456));
  const duration = (p: Sent) => (p.bytes[2]! << 8) | p.bytes[3]!;
  t.deepEqual(sent.map(duration), [160, 400, 800, 960, 960, 960]);
  t.deepEqual(sent.map((p) => p.bytes[1]! >> 7), [0, 0, 0, 1, 1, 1]);
  t.true(sent.every((p) => p.bytes[0] === 5 && (p.bytes[1]! & 0x3f) === 10));
  t.false(s.busy);
  t.false(s.toneActive);
  t.true(s.start('#', 0, 100, 2000), 'free again');
});

test('audio may resume once the first end packet is out', (t) => {
  const s = new DtmfSender();
  s.start('1', 0, 100, 0);
  drive(s, 0, 100);
  t.false(s.toneActive);
  t.true(s.busy);
  drive(s, 120, 300);
  t.false(s.busy);
});

function packet(event: number, end: boolean, duration: number): Uint8Array {
  const b = new Uint8Array(4);
  writeTelephoneEvent(b, 0, event, end, 10, duration);
  return b;
}

test('receives an event once, at its end, despite repeated end packets', (t) => {
  const r = new DtmfReceiver();
  t.is(r.receive(packet(7, false, 160), 0, 4, 5000, 0), -1);
  t.is(r.current, '7');
  t.is(r.receive(packet(7, false, 160), 0, 4, 5000, 1), -1, 'retransmitted start');
  t.is(r.receive(packet(7, false, 400), 0, 4, 5000, 50), -1);
  t.is(r.receive(packet(7, true, 800), 0, 4, 5000, 100), 7);
  t.is(r.digit, '7');
  t.is(r.durationMs, 100);
  t.is(r.current, '');
  t.is(r.receive(packet(7, true, 800), 0, 4, 5000, 120), -1);
  t.is(r.receive(packet(7, true, 800), 0, 4, 5000, 140), -1);
  // the same digit again is a new event (new timestamp)
  t.is(r.receive(packet(7, true, 640), 0, 4, 9000, 500), 7);
  t.is(r.durationMs, 80);
});

test('an event whose end packets were lost is reported by the next event or by expiry', (t) => {
  const r = new DtmfReceiver();
  r.receive(packet(1, false, 160), 0, 4, 100, 0);
  r.receive(packet(1, false, 480), 0, 4, 100, 60);
  t.is(r.receive(packet(2, false, 160), 0, 4, 2000, 300), 1);
  t.is(r.durationMs, 60);
  t.is(r.expire(400), -1, 'not yet');
  t.is(r.expire(600), 2);
  t.is(r.digit, '2');
  t.is(r.expire(1000), -1, 'reported once');
  t.is(r.receive(packet(2, true, 800), 0, 4, 2000, 1001), -1, 'a late end after expiry');
});

test('ignores short and non-DTMF payloads', (t) => {
  const r = new DtmfReceiver();
  t.is(r.receive(new Uint8Array(3), 0, 3, 0, 0), -1);
  t.is(r.receive(packet(66, true, 800), 0, 4, 0, 0), -1);
});

function toneEnergy(pcm: Int16Array, hz: number): number {
  return goertzelPower(pcm, 0, pcm.length, goertzelCoefficient(hz));
}

test('in-band generator writes the two tones of the digit for its duration', (t) => {
  const g = new DtmfToneGenerator();
  const pcm = new Int16Array(320);
  t.false(g.write(pcm, 0, 160), 'idle leaves the audio alone');
  t.true(pcm.every((v) => v === 0));
  t.true(g.start('8', 70));
  t.true(g.write(pcm, 0, 160));
  t.true(g.write(pcm, 160, 160));
  // over 40 ms (25 Hz resolution) the neighbouring DTMF frequencies are at least 15 dB down
  const wanted = Math.min(toneEnergy(pcm, 852), toneEnergy(pcm, 1336));
  for (const other of [697, 770, 941, 1209, 1477, 1633]) t.true(toneEnergy(pcm, other) * 30 < wanted, `${other} Hz`);
  // 70 ms = 560 samples: the remainder of the fourth frame is silent, then the generator is idle
  const pcm2 = new Int16Array(160);
  t.true(g.write(pcm2, 0, 160));
  const pcm3 = new Int16Array(160).fill(5);
  t.true(g.write(pcm3, 0, 160));
  t.true(pcm3.slice(80).every((v) => v === 0));
  t.true(pcm3.slice(0, 80).some((v) => v !== 0));
  t.false(g.write(pcm3, 0, 160));
  t.false(g.start('?'));
});

test('Goertzel detector finds every generated digit once, and nothing in speech-like noise', (t) => {
  for (const digit of '0123456789*#ABCD') {
    const g = new DtmfToneGenerator();
    const d = new DtmfDetector();
    g.start(digit, 100);
    const frame = new Int16Array(160);
    const found: number[] = [];
    for (let f = 0; f < 10; f++) {
      if (!g.write(frame, 0, 160)) frame.fill(0);
      const e = d.process(frame, 0, 160);
      if (e >= 0) found.push(e);
    }
    t.deepEqual(found.map(dtmfDigit), [digit]);
  }
  // a single tone, and a chord of three tones, are not digits
  const d = new DtmfDetector();
  const frame = new Int16Array(160);
  let hits = 0;
  for (let f = 0; f < 10; f++) {
    for (let i = 0; i < 160; i++) {
      const n = f * 160 + i;
      frame[i] = f < 5
        ? 8000 * Math.sin((2 * Math.PI * 770 * n) / 8000)
        : 5000 * (Math.sin((2 * Math.PI * 697 * n) / 8000) + Math.sin((2 * Math.PI * 1209 * n) / 8000) + Math.sin((2 * Math.PI * 440 * n) / 8000));
    }
    if (d.process(frame, 0, 160) >= 0) hits++;
  }
  t.is(hits, 0);
});
