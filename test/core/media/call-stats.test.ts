import test from 'ava';
import { CallStats, delayImpairment, lossImpairment, mosFromR, rFactor } from '../../../src/media/call-stats.js';

const near = (a: number, b: number, eps = 0.01) => Math.abs(a - b) <= eps;

test('E-model values for G.711', (t) => {
  t.true(near(mosFromR(93.2), 4.41), `${mosFromR(93.2)}`);
  t.is(mosFromR(-5), 1);
  t.is(mosFromR(120), 4.5);
  t.true(near(delayImpairment(100), 2.4));
  t.true(near(delayImpairment(277.3), 0.024 * 277.3 + 11));
  t.is(lossImpairment(0), 0);
  // Ppl 2 %: 95·2 / (2 + 25.1)
  t.true(near(lossImpairment(2), (95 * 2) / 27.1));
  t.true(near(rFactor(0, 0), 93.2));
  // 5 % loss and 100 ms delay: R ≈ 93.2 − 2.4 − 15.8 = 75.0 → MOS ≈ 3.8
  const r = rFactor(100, 5);
  t.true(near(r, 93.2 - 2.4 - (95 * 5) / 30.1));
  t.true(mosFromR(r) > 3.6 && mosFromR(r) < 4.0, `${mosFromR(r)}`);
});

test('MOS falls monotonically with loss and delay, within 1..4.5', (t) => {
  let prev = 5;
  for (let loss = 0; loss <= 100; loss += 2.5) {
    const m = mosFromR(rFactor(50, loss));
    t.true(m <= prev && m >= 1 && m <= 4.5, `loss ${loss}: ${m}`);
    prev = m;
  }
  prev = 5;
  for (let delay = 0; delay <= 1000; delay += 25) {
    const m = mosFromR(rFactor(delay, 1));
    t.true(m <= prev && m >= 1 && m <= 4.5, `delay ${delay}: ${m}`);
    prev = m;
  }
  t.is(mosFromR(rFactor(1000, 100)), 1);
});

test('call statistics derive loss, delay and MOS', (t) => {
  const s = new CallStats();
  t.is(s.lossPercent, 0);
  s.packetsExpected = 1000;
  s.packetsReceived = 950;
  s.packetsLost = 50;
  s.jitterBufferMs = 60;
  t.is(s.lossPercent, 5);
  t.is(s.oneWayDelayMs, 20 + 60 + 20 + 10);
  s.rttMs = 40;
  t.is(s.oneWayDelayMs, 20 + 60 + 20 + 10);
  const m5 = s.mos;
  s.packetsLost = 0;
  s.packetsReceived = 1000;
  t.true(s.mos > m5);
  s.latePackets = 50;
  t.true(near(s.mos, m5, 0.001), 'late packets count as lost');
  t.regex(s.summary(), /received 1000 pkts, lost 0 \(0%\).*rtt 40 ms.*MOS \d\.\d\d/);
});
