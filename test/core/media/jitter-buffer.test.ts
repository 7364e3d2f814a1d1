import test from 'ava';
import { JitterBuffer, JitterPut } from '../../../src/media/jitter-buffer.js';
import { ULAW_DECODE, encodeUlaw } from '../../../src/media/g711.js';

const FRAME = 160;

interface Arrival {
  seq: number;
  ts: number;
  at: number;
  index: number; // which source frame
}

/** A µ-law stream whose samples identify their position: sample n of the source is code(n). */
function code(n: number): number {
  return 0x80 | ((n * 37 + (n >> 7) * 11) & 0x7f); // no short period, so the stream's position is unambiguous
}

function payloadFor(index: number, len = FRAME): Uint8Array {
  const p = new Uint8Array(len);
  for (let i = 0; i < len; i++) p[i] = code(index * len + i);
  return p;
}

/** Runs arrivals and pulls every 20 ms from t0 to t1; returns the played samples and the statuses. */
function run(jb: JitterBuffer, arrivals: Arrival[], t0: number, t1: number, payload = payloadFor) {
  const sorted = arrivals.slice().sort((a, b) => a.at - b.at);
  const played = new Int16Array(Math.ceil((t1 - t0) / 20) * FRAME);
  const out = new Int16Array(FRAME);
  const statuses: number[] = [];
  let next = 0;
  let n = 0;
  for (let t = t0; t < t1; t += 20) {
    while (next < sorted.length && sorted[next]!.at <= t) {
      const a = sorted[next++]!;
      const p = payload(a.index);
      statuses.push(jb.put(p, 0, p.length, a.seq & 0xffff, a.ts >>> 0, a.at));
    }
    jb.pull(out, t);
    played.set(out, n);
    n += FRAME;
  }
  return { played, statuses };
}

function steady(count: number, opts: { seq0?: number; ts0?: number; t0?: number; delay?: (i: number) => number; skip?: (i: number) => boolean; period?: number } = {}): Arrival[] {
  const r: Arrival[] = [];
  const period = opts.period ?? 20;
  for (let i = 0; i < count; i++) {
    if (opts.skip?.(i)) continue;
    r.push({ seq: (opts.seq0 ?? 1000) + i, ts: (opts.ts0 ?? 5000) + i * FRAME, at: (opts.t0 ?? 3) + i * period + (opts.delay?.(i) ?? 0), index: i });
  }
  return r;
}

/** Index in played where source sample 0 begins, checked by the next count samples matching exactly. */
function findStart(played: Int16Array, count: number): number {
  for (let s = 0; s + count <= played.length; s++) {
    let ok = true;
    for (let i = 0; i < count && ok; i++) if (played[s + i] !== ULAW_DECODE[code(i)]) ok = false;
    if (ok) return s;
  }
  return -1;
}

/** Deterministic pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('plays an in-order stream exactly, after the initial delay', (t) => {
  const jb = new JitterBuffer({ law: 'pcmu' });
  const { played, statuses } = run(jb, steady(60), 0, 1201);
  t.true(statuses.every((s) => s === JitterPut.ok));
  const start = findStart(played, 49 * FRAME);
  t.true(start >= 0, 'source found intact in the output');
  // lead-in of silence is the initial delay: 40 ms target, less the arrival phase, within a frame
  t.true(start >= 160 && start <= 480, `start ${start}`);
  for (let i = 0; i < start; i++) t.is(played[i], 0);
  t.is(jb.concealedFrames, 0);
  t.is(jb.packets, 60);
});

test('reorders packets', (t) => {
  const arrivals = steady(60);
  // swap neighbours 10/11, 20/21, ...: the first of each pair arrives just after the second
  for (let i = 10; i < 50; i += 10) arrivals[i]!.at = arrivals[i + 1]!.at + 1;
  const jb = new JitterBuffer({ law: 'pcmu' });
  const { played } = run(jb, arrivals, 0, 1200);
  t.true(findStart(played, 49 * FRAME) >= 0);
  t.is(jb.concealedFrames, 0);
});

test('drops duplicates, before and after they are played', (t) => {
  const arrivals = steady(60);
  for (let i = 0; i < 50; i += 5) arrivals.push({ ...arrivals[i]!, at: arrivals[i]!.at + 2 });
  arrivals.push({ ...arrivals[3]!, at: arrivals[3]!.at + 300 });
  const jb = new JitterBuffer({ law: 'pcmu' });
  const { played, statuses } = run(jb, arrivals, 0, 1200);
  t.is(statuses.filter((s) => s === JitterPut.duplicate).length, 11);
  t.is(jb.duplicates, 11);
  t.is(jb.late, 0);
  t.true(findStart(played, 49 * FRAME) >= 0);
});

test('drops a packet that comes too late, conceals its slot, and raises the delay', (t) => {
  const arrivals = steady(120); // more than the run plays, so its end is not a loss
  arrivals[40]!.at += 150; // 150 ms late: its slot is long played
  const jb = new JitterBuffer({ law: 'pcmu' });
  const before = jb.targetDelayMs;
  const { statuses } = run(jb, arrivals, 0, 2200);
  t.is(statuses.filter((s) => s === JitterPut.late).length, 1);
  t.is(jb.late, 1);
  t.is(jb.concealedFrames, 2);
  t.true(jb.targetDelayMs > before + 100, `target ${jb.targetDelayMs}`);
  t.true(jb.insertedFrames >= 5, 'the delay grew by inserting frames');
});

test('conceals a lost packet with the waveform, and a long gap fades to silence', (t) => {
  // 250 Hz tone (period 32 samples would be below the pitch range; use 100 Hz: 80 samples)
  const pcm = new Int16Array(200 * FRAME);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * i) / 80));
  const codes = new Uint8Array(pcm.length);
  encodeUlaw(pcm, codes);
  const payload = (i: number) => codes.subarray(i * FRAME, (i + 1) * FRAME);
  const lost = (i: number) => i === 30 || (i >= 60 && i < 75);
  const jb = new JitterBuffer({ law: 'pcmu' });
  const { played } = run(jb, steady(120, { skip: lost }), 0, 2200, payload);
  t.is(jb.concealedFrames, 2 + 30);
  // locate the stream: where the first packet plays exactly
  let s = 0;
  const exact = (from: number) => {
    for (let k = 0; k < FRAME; k++) if (played[from + k] !== ULAW_DECODE[codes[k]!]) return false;
    return true;
  };
  while (!exact(s)) s++;
  const at = (i: number) => played.subarray(s + i * FRAME, s + (i + 1) * FRAME);
  // single loss: the concealed frame looks like the tone, not silence
  let ab = 0, aa = 0, bb = 0;
  const concealed = at(30);
  for (let k = 0; k < FRAME; k++) {
    const truth = pcm[30 * FRAME + k]!;
    ab += concealed[k]! * truth;
    aa += concealed[k]! * concealed[k]!;
    bb += truth * truth;
  }
  t.true(ab / Math.sqrt(aa * bb) > 0.95, `correlation ${ab / Math.sqrt(aa * bb)}`);
  // the next packet was already buffered, so the gap was bridged to it: it plays unaltered
  for (let k = 0; k < FRAME; k++) t.is(at(31)[k], ULAW_DECODE[codes[31 * FRAME + k]!]);
  // long gap of 300 ms: silent from 60 ms in, until audio resumes
  for (let i = 64; i < 75; i++) t.true(at(i).every((v) => v === 0), `frame ${i} silent`);
  t.true(at(80).some((v) => Math.abs(v) > 3000), 'audio resumes after the gap');
});

test('adapts the delay to jitter and back down when it calms', (t) => {
  const rnd = lcg(7);
  const n = 500; // 10 s of 30 ± 15 ms jitter, then 20 s calm
  const arrivals = steady(1500, { delay: (i) => (i < n ? 15 + 30 * rnd() : 15) });
  const jb = new JitterBuffer({ law: 'pcmu' });
  const late: number[] = [];
  const sorted = arrivals.slice().sort((a, b) => a.at - b.at);
  const out = new Int16Array(FRAME);
  let next = 0;
  let targetAfterJitter = 0;
  for (let time = 0; time < 30_100; time += 20) {
    while (next < sorted.length && sorted[next]!.at <= time) {
      const a = sorted[next++]!;
      const p = payloadFor(a.index);
      if (jb.put(p, 0, FRAME, a.seq, a.ts, a.at) === JitterPut.late) late.push(a.index);
    }
    jb.pull(out, time);
    if (time === 10_000) targetAfterJitter = jb.targetDelayMs;
  }
  const lateInJitter = late.filter((i) => i > 100 && i < n).length;
  t.true(lateInJitter < 0.03 * n, `late ${lateInJitter} of ${n}`);
  t.true(targetAfterJitter >= 25 && targetAfterJitter <= 60, `target after jitter ${targetAfterJitter}`);
  t.true(jb.targetDelayMs < targetAfterJitter - 10, `target after calm ${jb.targetDelayMs}`);
  t.true(jb.droppedFrames >= 1, 'delay came down by dropping frames');
  t.true(Math.abs(jb.delayMs - jb.targetDelayMs) < 25, `delay ${jb.delayMs} vs target ${jb.targetDelayMs}`);
});

for (const [name, period] of [['fast', 19.8], ['slow', 20.2]] as const) {
  test(`copes with a sender clock 1 % ${name}`, (t) => {
    // 20 s; the sender produces 160 samples every `period` ms of our time
    const arrivals = steady(1000, { period, delay: () => 5 });
    const jb = new JitterBuffer({ law: 'pcmu' });
    const delays: number[] = [];
    const sorted = arrivals;
    const out = new Int16Array(FRAME);
    let next = 0;
    for (let time = 0; time < 1000 * period; time += 20) {
      while (next < sorted.length && sorted[next]!.at <= time) {
        const a = sorted[next++]!;
        jb.put(payloadFor(a.index), 0, FRAME, a.seq, a.ts, a.at);
      }
      jb.pull(out, time);
      if (time > 2000) delays.push(jb.delayMs);
    }
    const worst = Math.max(...delays.map((d) => Math.abs(d - jb.targetDelayMs)));
    // uncorrected, the delay would drift 200 ms
    t.true(worst < 40, `delay strayed ${worst} ms from target`);
    // 1 % of 20 s = 200 ms to absorb, in 10 ms steps
    if (name === 'fast') t.true(jb.droppedFrames >= 15, `dropped ${jb.droppedFrames}`);
    else t.true(jb.insertedFrames >= 15, `inserted ${jb.insertedFrames}`);
    t.is(jb.late, 0);
    t.is(jb.resyncs, 0);
  });
}

test('sequence and timestamp wrap', (t) => {
  const jb = new JitterBuffer({ law: 'pcmu' });
  const { played, statuses } = run(jb, steady(60, { seq0: 65520, ts0: 0xffffff00 - 10 * FRAME }), 0, 1200);
  t.true(statuses.every((s) => s === JitterPut.ok));
  t.true(findStart(played, 49 * FRAME) >= 0);
  t.is(jb.concealedFrames, 0);
});

test('resynchronises on a timestamp jump', (t) => {
  const a = steady(30);
  const b = steady(45, { seq0: 1030, ts0: 5000 + 30 * FRAME + 8000 * 20, t0: 603 }).map((x) => ({ ...x, index: x.index + 30 }));
  const jb = new JitterBuffer({ law: 'pcmu' });
  const { statuses } = run(jb, [...a, ...b], 0, 1400);
  t.is(statuses.filter((s) => s === JitterPut.resync).length, 1);
  t.is(jb.resyncs, 1);
  t.is(jb.late, 0);
  t.true(jb.concealedFrames <= 4);
});

test('rejects empty and oversized payloads', (t) => {
  const jb = new JitterBuffer({ law: 'pcma' });
  t.is(jb.put(new Uint8Array(0), 0, 0, 1, 0, 0), JitterPut.invalid);
  t.is(jb.put(new Uint8Array(2000), 0, 2000, 1, 0, 0), JitterPut.invalid);
  const out = new Int16Array(FRAME).fill(7);
  jb.pull(out, 0);
  t.true(out.every((v) => v === 0));
});

for (const ms of [10, 30, 60]) {
  test(`plays ${ms} ms packets intact`, (t) => {
    const len = ms * 8;
    const count = Math.ceil(1400 / ms);
    const arrivals: Arrival[] = [];
    for (let i = 0; i < count; i++) arrivals.push({ seq: 7 + i, ts: 1000 + i * len, at: (i + 1) * ms + 2, index: i });
    const jb = new JitterBuffer({ law: 'pcmu' });
    const { played, statuses } = run(jb, arrivals, 0, 1200, (i) => payloadFor(i, len));
    t.true(statuses.every((s) => s === JitterPut.ok));
    t.true(findStart(played, 800 * 8) >= 0);
    t.is(jb.concealedFrames, 0);
  });
}

test('a single delay spike raises the delay, which comes back down within seconds', (t) => {
  const arrivals = steady(1000, { delay: (i) => (i === 100 ? 200 : 5) });
  const jb = new JitterBuffer({ law: 'pcmu' });
  const sorted = arrivals.slice().sort((a, b) => a.at - b.at);
  const out = new Int16Array(FRAME);
  let next = 0;
  let peak = 0;
  let at10s = 0;
  for (let time = 0; time < 20_000; time += 20) {
    while (next < sorted.length && sorted[next]!.at <= time) {
      const a = sorted[next++]!;
      jb.put(payloadFor(a.index), 0, FRAME, a.seq, a.ts, a.at);
    }
    jb.pull(out, time);
    peak = Math.max(peak, jb.targetDelayMs);
    if (time === 10_000) at10s = jb.targetDelayMs;
  }
  t.is(jb.late, 1);
  t.true(peak > 150, `peak target ${peak}`);
  t.true(at10s < 50, `target 8 s after the spike ${at10s}`);
  t.true(jb.delayMs < 60, `delay at the end ${jb.delayMs}`);
});

test('irregular pull times (timer jitter) do not make the delay hunt', (t) => {
  const rnd = lcg(3);
  const arrivals = steady(1100, { delay: () => 5 });
  const jb = new JitterBuffer({ law: 'pcmu' });
  const out = new Int16Array(FRAME);
  let next = 0;
  for (let k = 0; k < 1000; k++) {
    const time = k * 20 + (rnd() - 0.5) * 12; // ±6 ms around the 20 ms tick
    while (next < arrivals.length && arrivals[next]!.at <= time) {
      const a = arrivals[next++]!;
      jb.put(payloadFor(a.index), 0, FRAME, a.seq, a.ts, a.at);
    }
    jb.pull(out, time);
  }
  t.true(jb.insertedFrames + jb.droppedFrames <= 2, `inserted ${jb.insertedFrames}, dropped ${jb.droppedFrames}`);
  t.is(jb.concealedFrames, 0);
});
