// `npm run bench:media` (Node half): the real-time factor of the steady-state duplex audio path
// (bench/media-path.ts), with SRTP and with plain RTP: phone-frames processed per second / 50 (one
// phone's 20 ms frame: microphone -> encode -> packetise -> protect -> send, and receive -> unprotect ->
// jitter buffer -> decode -> play). Usage: node dist/bench/media.js [--ms MS]
import { performance } from 'node:perf_hooks';
import { createDuplexPath } from './media-path.js';
import { fixed, grouped, table, verdict } from './report.js';

async function measure(srtp: boolean, ms: number): Promise<{ usPerFrame: number; rtf: number; ok: string | null }> {
  const path = await createDuplexPath(srtp);
  path.run(500); // warm-up: jitter buffer settled, RTCP exchanged, JIT compiled
  // median of five rounds: this host is shared, one round can be slowed by others' work
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    let steps = 0;
    const start = performance.now();
    let now = start;
    do {
      path.run(100);
      steps += 100;
      now = performance.now();
    } while (now - start < ms / 5);
    rates.push((2 * steps * 1000) / (now - start));
  }
  const perSecond = rates.sort((x, y) => x - y)[2]!;
  const s = path.b.stats;
  const ok = path.level === 0 ? 'silence at the output'
    : path.a.session.badPackets + path.b.session.badPackets > 0 ? 'packets rejected'
    : s.packetsLost !== 0 ? `${s.packetsLost} packets lost` : null;
  path.a.close();
  path.b.close();
  return { usPerFrame: 1e6 / perSecond, rtf: perSecond / 50, ok };
}

async function main(argv: string[]): Promise<void> {
  const ms = Number(argv[argv.indexOf('--ms') + 1]) || 1500;
  console.log('Media path benchmark (Node): one phone\'s 20 ms duplex frame, G.711 µ-law, 20 ms packets');
  const rows: string[][] = [];
  const results = [];
  for (const srtp of [true, false]) {
    const r = await measure(srtp, ms);
    results.push({ srtp, ...r });
    rows.push([srtp ? 'SRTP AES_CM_128_HMAC_SHA1_80' : 'plain RTP', fixed(r.usPerFrame, 2), grouped(r.rtf), r.ok ?? 'ok']);
  }
  console.log(table(['path', 'µs / frame', 'real-time factor', 'check'], rows));
  console.log('(real-time factor: phone-frames processed per second / 50, median of 5 rounds; one core, pure-TypeScript SRTP)\n');
  for (const r of results) {
    console.log(verdict(r.ok === null && r.rtf >= 100, `real-time factor on Node, ${r.srtp ? 'SRTP' : 'plain RTP'}`,
      `${grouped(r.rtf)}x${r.ok ? ` (${r.ok})` : ''}`, '>= 100x'));
  }
}

await main(process.argv.slice(2));
