// `npm run bench:media` (XS half): the steady-state duplex audio path (bench/media-path.ts) inside
// Moddable XS (xsnap), with SRTP, with plain RTP, and a 3-way conference through LocalMixer. After a warm-up of 500 steps (10 s of audio:
// jitter buffer settled, RTCP reports exchanged), 1,000 steps (2,000 phone-frames, 20 s of audio, four
// RTCP rounds included) are run in one evaluation between a gc() and the next: the live heap slots
// (xsnap's currentHeapCount) and the chunk bytes (XS currentChunksSize, through the chunk-reporting
// worker of xsnap-meter.ts) must not grow at all. Per phone-frame it prints the time
// (performance.now inside XS) and the compute count (xsnap's deterministic meter).
// Runs in its own process: xsnap's Node API locks the process down (SES).
// Usage: node dist/bench/media-xs.js [--frames N]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForXs, startXsWorker, type MeterUsage } from '../test/xs/xs-engine.js';
import { fixed, grouped, table, verdict } from './report.js';
import { meteredXsnapWorker } from './xsnap-meter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const ENTRY = `
import { createConferencePath, createDuplexPath } from './dist/bench/media-path.js';

const report = (value) => issueCommand(new TextEncoder().encode(JSON.stringify(value)).buffer);
const paths = [];

globalThis.bench = {
  async setup() {
    try {
      paths[0] = await createDuplexPath(true);
      paths[1] = await createDuplexPath(false);
      paths[2] = await createConferencePath();
      report({ type: 'ready' });
    } catch (error) {
      report({ type: 'error', error: String(error && error.stack || error) });
    }
  },
  // Same text length for every call measured: id 0/1/2 = SRTP/plain/conference; steps padded by the caller.
  run(id, steps) { paths[id].run(steps); },
  time(id, ms) {
    const p = paths[id];
    let steps = 0;
    const start = performance.now();
    let now = start;
    do {
      p.run(10);
      steps += 10;
      now = performance.now();
    } while (now - start < ms);
    report({ type: 'time', us: ((now - start) * 1000) / steps });
  },
  check(id) {
    const p = paths[id];
    report({ type: 'check', level: p.level, bad: p.a.session.badPackets + p.b.session.badPackets,
      lost: p.a.stats.packetsLost + p.b.stats.packetsLost, received: p.b.stats.packetsReceived,
      rtt: p.a.stats.rttMs, secure: p.a.secure && p.b.secure });
  },
};
`;

interface Measured { slots: number; chunks: number | undefined; compute: number; collected: boolean }

function chunkSize(usage: MeterUsage): number | undefined {
  return (usage as MeterUsage & { currentChunksSize?: number }).currentChunksSize;
}

async function main(argv: string[]): Promise<number> {
  const steps = Number(argv[argv.indexOf('--frames') + 1]) || 1000;
  const script = await bundleForXs(ENTRY, root);
  const metered = meteredXsnapWorker();
  let last: any;
  const worker = await startXsWorker({
    name: 'xsphone-media-bench',
    ...('binary' in metered ? { binary: metered.binary } : {}),
    onCommand: (bytes) => {
      last = JSON.parse(new TextDecoder().decode(bytes));
    },
  });
  try {
    await worker.evaluate(script);
    await worker.evaluate('bench.setup()');
    if (last?.type !== 'ready') {
      console.log(`setup failed: ${last?.error ?? 'no answer'}`);
      console.log(verdict(false, 'media path runs in XS', 'setup failed', 'runs'));
      return 1;
    }
    console.log('Media path benchmark (Moddable XS in xsnap): one phone\'s 20 ms duplex frame, G.711 µ-law, 20 ms packets');
    if ('error' in metered) console.log(`chunk bytes not measured: ${metered.error}`);
    const evaluate = async (code: string): Promise<MeterUsage> => (await worker.evaluate(code)).meterUsage;
    const pad = (n: number) => String(n).padStart(6, ' ');
    /** What `run(id, n)` costs beyond the same call with n = 0, between a gc() and the end of the evaluation. */
    const measure = async (id: number, n: number): Promise<Measured> => {
      const one = async (k: number) => {
        const before = await evaluate('gc()');
        const after = await evaluate(`bench.run(${id}, ${pad(k)})`);
        const b = chunkSize(before);
        const a = chunkSize(after);
        return {
          slots: after.currentHeapCount - before.currentHeapCount,
          chunks: a === undefined || b === undefined ? undefined : a - b,
          compute: after.compute,
          collected: after.currentHeapCount < before.currentHeapCount,
        };
      };
      const idle = await one(0);
      const used = await one(n);
      return {
        slots: used.slots - idle.slots,
        chunks: used.chunks === undefined || idle.chunks === undefined ? undefined : used.chunks - idle.chunks,
        compute: used.compute - idle.compute,
        collected: used.collected || idle.collected,
      };
    };

    const rows: string[][] = [];
    const verdicts: string[] = [];
    const PATHS = [[0, 'SRTP AES_CM_128_HMAC_SHA1_80', 2], [1, 'plain RTP', 2], [2, '3-way conference (mixer), plain', 3]] as const;
    for (const [id, name, framesPerStep] of PATHS) {
      await evaluate(`bench.run(${id}, ${pad(500)})`); // warm-up
      const m = await measure(id, steps);
      await evaluate(`bench.check(${id})`);
      const check = last as { level: number; bad: number; lost: number; received: number; rtt: number; secure: boolean };
      const times: number[] = [];
      for (let r = 0; r < 3; r++) {
        await evaluate(`bench.time(${id}, 400)`);
        times.push((last as { us: number }).us);
      }
      const us = times.sort((x, y) => x - y)[1]! / framesPerStep;
      const phoneFrames = framesPerStep * steps;
      const problem = check.level === 0 ? 'silence at the output' : check.bad > 0 ? `${check.bad} packets rejected`
        : check.lost !== 0 ? `${check.lost} packets lost` : check.rtt < 0 ? 'no RTCP round trip' : id === 0 && !check.secure ? 'not SRTP' : null;
      rows.push([name, fixed(us, 1), fixed((us / 20000) * 100, 2) + ' %', grouped(m.compute / phoneFrames),
        String(m.slots), m.chunks === undefined ? '?' : String(m.chunks), problem ?? 'ok']);
      verdicts.push(verdict(problem === null, `${name}: audio flows both ways in XS`, problem ?? `${check.received} packets, RTT ${fixed(check.rtt)} ms`, 'no loss, no rejects'));
      const zero = !m.collected && m.slots === 0 && m.chunks === 0;
      verdicts.push(verdict(zero, `${name}: allocated over ${grouped(phoneFrames)} phone-frames after warm-up`,
        m.collected ? 'a garbage collection ran (something allocated)'
          : `${m.slots} heap slots, ${m.chunks === undefined ? 'chunk bytes unknown' : `${m.chunks} chunk bytes`}`, '0 slots, 0 chunk bytes'));
    }
    console.log(table(['path', 'µs / frame', 'of 20 ms', 'compute / frame', 'slots', 'chunk B', 'check'], rows));
    console.log(`(frame: one phone's duplex 20 ms; the conference's step is three phone-frames: the host's mix of two calls and `
      + `each remote's; time: median of 3 runs of 400 ms on this host; compute: xsnap meter; slots and chunk bytes: growth over `
      + `${grouped(steps)} steps after warm-up, between gc() and the end of the run; SRTP in pure TypeScript)\n`);
    for (const v of verdicts) console.log(v);
    return 0;
  } finally {
    await worker.close().catch(() => worker.terminate());
  }
}

process.exitCode = await main(process.argv.slice(2));
