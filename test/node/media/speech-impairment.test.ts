// Speech through two RtpSessions over a simulated network: no impairment, then 5 % random loss with
// 30 ± 15 ms uniform jitter (the impairment the end-to-end test applies with its UDP relay). The
// received audio is compared with what was sent by windowed correlation: 500 ms windows, each aligned
// within ±100 ms of the overall alignment, correlations averaged (silent windows skipped).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import type { Random } from '../../../hal/random.js';
import { RtpSession, type MediaParams } from '../../../src/media/rtp-session.js';

function speech(): Int16Array {
  const text = 'The quick brown fox jumps over the lazy dog. A phone is judged by its audio: ' +
    'it must sound right through loss and jitter, and the audio path must fit the processor.';
  const wav = execFileSync('espeak-ng', ['--stdout', text], { maxBuffer: 16 << 20 });
  const raw = execFileSync('sox', ['-D', '-t', 'wav', '-', '-t', 'raw', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', '-'],
    { input: wav, maxBuffer: 16 << 20 });
  return new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + (raw.length & ~1)));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function random(seed: number): Random {
  const r = lcg(seed);
  return { fill: (d) => { for (let i = 0; i < d.length; i++) d[i] = Math.floor(r() * 256); return d; } };
}

const PARAMS: MediaParams = {
  remoteAddress: '10.0.0.2', remotePort: 6000, remoteRtcpAddress: '10.0.0.2', remoteRtcpPort: 6001, rtcpMux: true,
  payloadType: 0, codec: 'PCMU', receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }], telephoneEvent: 101, ptime: 20,
  direction: 'sendrecv',
};

/** Sends `source` from a to b through the impairment; returns what b played and b's statistics. */
function call(source: Int16Array, loss: number, jitterMin: number, jitterMax: number, seed: number) {
  const clock = new VirtualClock(0);
  const net = lcg(seed);
  let b: RtpSession;
  let sent = 0;
  let dropped = 0;
  const a = new RtpSession({
    clock, random: random(1), cname: 'a',
    send: (bytes, len) => {
      sent++;
      if (net() < loss) {
        dropped++;
        return;
      }
      const copy = bytes.slice(0, len);
      clock.setTimer(jitterMin + net() * (jitterMax - jitterMin), () => b.receive(copy, copy.length, '10.0.0.1', 5000));
    },
  });
  b = new RtpSession({ clock, random: random(2), cname: 'b', send: () => {} });
  a.start(PARAMS);
  b.start({ ...PARAMS, remoteAddress: '10.0.0.1', remotePort: 5000 });
  const frames = Math.floor(source.length / 160) + 25;
  const heard = new Int16Array(frames * 160);
  const mic = new Int16Array(160);
  const out = new Int16Array(160);
  for (let f = 0; f < frames; f++) {
    mic.fill(0);
    if ((f + 1) * 160 <= source.length) mic.set(source.subarray(f * 160, (f + 1) * 160));
    a.sendFrame(mic);
    clock.advance(20);
    b.playFrame(out);
    heard.set(out, f * 160);
  }
  return { heard, stats: b.stats, sent, dropped };
}

function corr(x: Int16Array, xo: number, y: Int16Array, yo: number, n: number): number {
  let xy = 0, xx = 0, yy = 0;
  for (let i = 0; i < n; i++) {
    const a = xo + i < x.length ? x[xo + i]! : 0;
    const b = yo + i >= 0 && yo + i < y.length ? y[yo + i]! : 0;
    xy += a * b;
    xx += a * a;
    yy += b * b;
  }
  return xx === 0 || yy === 0 ? 0 : xy / Math.sqrt(xx * yy);
}

/** The windowed correlation of received against sent. */
function windowedCorrelation(sent: Int16Array, received: Int16Array): number {
  // overall alignment: the lag (0..500 ms) maximising whole-signal correlation, coarse then fine
  let best = 0, bestC = -2;
  for (let lag = 0; lag <= 4000; lag += 8) {
    const c = corr(sent, 0, received, lag, sent.length);
    if (c > bestC) { bestC = c; best = lag; }
  }
  for (let lag = Math.max(0, best - 8); lag <= best + 8; lag++) {
    const c = corr(sent, 0, received, lag, sent.length);
    if (c > bestC) { bestC = c; best = lag; }
  }
  const W = 4000;
  const scores: number[] = [];
  for (let w = 0; w + W <= sent.length; w += W) {
    let energy = 0;
    for (let i = w; i < w + W; i++) energy += sent[i]! * sent[i]!;
    if (energy / W < 100 * 100) continue; // silence carries no information
    let top = -1;
    for (let d = -800; d <= 800; d += 4) top = Math.max(top, corr(sent, w, received, w + best + d, W));
    scores.push(top);
  }
  return scores.reduce((s, v) => s + v, 0) / scores.length;
}

test('speech survives the network: clean ≥ 0.999, 5 % loss with 30 ± 15 ms jitter ≥ 0.95', (t) => {
  const source = speech();
  t.true(source.length > 8000 * 5, 'at least 5 s of speech');
  const clean = call(source, 0, 20, 20, 1);
  const cleanScore = windowedCorrelation(source, clean.heard);
  t.log(`clean: ${cleanScore.toFixed(4)}; ${clean.stats.summary()}`);
  t.true(cleanScore >= 0.999, `clean ${cleanScore}`);
  const scores: number[] = [];
  for (const seed of [11, 22, 33]) {
    const lossy = call(source, 0.05, 15, 45, seed);
    const score = windowedCorrelation(source, lossy.heard);
    scores.push(score);
    t.log(`5 % loss, 30 ± 15 ms: ${score.toFixed(4)}; ${lossy.stats.summary()}`);
    // what the statistics report matches what the network did
    t.true(Math.abs(lossy.stats.lossPercent - (100 * lossy.dropped) / lossy.sent) < 0.5, 'loss as applied');
    // uniform 30 ms spread: mean |D| = 10 ms; RFC 3550's estimator reads about that
    t.true(lossy.stats.jitterMs > 6 && lossy.stats.jitterMs < 14, `jitter ${lossy.stats.jitterMs}`);
  }
  const median = scores.slice().sort((x, y) => x - y)[1]!;
  t.true(median >= 0.95, `median ${median}`);
});
