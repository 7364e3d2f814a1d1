/**
 * Speech through two `xsphone sim` phones (issue 5): espeak-ng renders a sentence for each phone (--audio-in), each
 * records what it plays (--audio-out), and the received audio is compared with the µ-law round trip of what the
 * other phone sent by windowed correlation (500 ms windows, each matched within ±100 ms of the overall alignment).
 * Clean: at least 0.999. With 5% loss and 30±15 ms jitter on RTP, applied by relays that the SDP points the phones
 * at (a SIP relay in front of the callee rewrites the m= ports of offer and answer): at least 0.95, and the loss
 * and jitter each phone reports at the end of the call match what the relays did.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPhoneAudio, readWavFile, writeWavFile } from '../../hal/host/wav.js';
import { ulawRoundTrip, windowedCorrelation } from '../support/audio-compare.js';
import { SimProcess, stopAll } from '../support/sim-process.js';
import { CallRelay, isG711, MediaProxy, type Direction } from './calls-relay.js';
import { freeUdpPort } from './calls-peers.js';

const work = mkdtempSync(join(tmpdir(), 'xsphone-speech-'));
const SENTENCES = {
  alice: 'The quick brown fox jumps over the lazy dog, while seven bright stars shine above the quiet harbour.',
  bob: 'Please call me back tomorrow morning at nine, and bring the blue folder with the signed contracts.',
};
let espeak = true;
try {
  execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
} catch {
  espeak = false;
}
const run = espeak ? test.serial : test.serial.skip;
// Real-time audio on a shared host: the phones and this process (the relays) run at a raised priority, as a
// phone's audio path would; without root this is ignored.
const PRIORITY = -10;
try {
  setPriority(PRIORITY);
} catch {
  // not allowed
}

/** Renders the sentence with espeak-ng and converts it to 8 kHz mono once, so the phone plays exactly these samples. */
function speech(who: 'alice' | 'bob'): { file: string; samples: Int16Array } {
  const raw = join(work, `${who}-espeak.wav`);
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, SENTENCES[who]], { timeout: 30_000 });
  const { samples } = loadPhoneAudio(raw);
  const file = join(work, `${who}-8k.wav`);
  writeWavFile(file, samples, 8000);
  return { file, samples };
}

interface CallStats {
  sent: number;
  received: number;
  lost: number;
  lossPercent: number;
  jitterMs: number;
}

function reportedStats(stderr: string): CallStats | undefined {
  const m = /call media: sent (\d+) pkts, received (\d+) pkts, lost (-?\d+) \(([\d.]+)%\), jitter ([\d.]+) ms/.exec(stderr);
  if (!m) return undefined;
  return { sent: Number(m[1]), received: Number(m[2]), lost: Number(m[3]), lossPercent: Number(m[4]), jitterMs: Number(m[5]) };
}

/**
 * SIP relay rewrites: the offer's m= port to the proxies' side-B ports (what bob is told), the answer's to the
 * side-A ports (what alice is told); the real ports become the proxies' targets.
 */
function sdpRewrite(rtp: MediaProxy, rtcp: MediaProxy) {
  return (data: Buffer, dir: Direction): Buffer => {
    const text = data.toString('latin1');
    const m = /\r\nm=audio (\d+) /.exec(text);
    if (!m) return data;
    const port = Number(m[1]);
    let shown: number;
    if (dir === 'up') {
      rtp.sideA = port;
      rtcp.sideA = port + 1;
      shown = rtp.b;
    } else {
      rtp.sideB = port;
      rtcp.sideB = port + 1;
      shown = rtp.a;
    }
    const end = text.indexOf('\r\n\r\n');
    const body = text.slice(end + 4).replace(`m=audio ${port} `, `m=audio ${shown} `);
    const head = text.slice(0, end).replace(/\r\nContent-Length:\s*\d+/i, `\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}`);
    return Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');
  };
}

/** RTP proxy on even ports (impaired both ways, G.711 only) with its RTCP proxy on the next ports (unimpaired). */
async function mediaProxies(impair: { loss: number; delayMs: number; jitterMs: number } | undefined): Promise<[MediaProxy, MediaProxy]> {
  const a = await freeUdpPort(true);
  const b = await freeUdpPort(true);
  const dir = impair ? { ...impair, match: isG711 } : undefined;
  const rtp = await MediaProxy.start({ a, b }, { seed: 4242, ...(dir ? { up: dir, down: dir } : {}) });
  const rtcp = await MediaProxy.start({ a: a + 1, b: b + 1 });
  return [rtp, rtcp];
}

async function speechCall(seconds: number, impair?: { loss: number; delayMs: number; jitterMs: number }) {
  const a = speech('alice');
  const b = speech('bob');
  const outA = join(work, `alice-heard-${impair ? 'impaired' : 'clean'}.wav`);
  const outB = join(work, `bob-heard-${impair ? 'impaired' : 'clean'}.wav`);
  const [rtp, rtcp] = await mediaProxies(impair);
  let alice: SimProcess | undefined;
  let bob: SimProcess | undefined;
  let sip: CallRelay | undefined;
  try {
    bob = await SimProcess.start({ user: 'bob', priority: PRIORITY, autoAnswer: true, audioIn: b.file, audioOut: outB, logLevel: 'info' });
    sip = await CallRelay.start({ address: '127.0.0.1', port: bob.sipPort }, { rewrite: sdpRewrite(rtp, rtcp) });
    alice = await SimProcess.start({ user: 'alice', priority: PRIORITY, call: `sip:bob@127.0.0.1:${sip.port}`, hangupAfter: seconds, audioIn: a.file, audioOut: outA, logLevel: 'info' });
    await alice.waitFor('answered', 10_000);
    await alice.waitFor('ended', (seconds + 10) * 1000);
    await bob.waitFor('ended', 10_000);
    await stopAll(alice, bob);
    const applied = (d: Direction) => ({ matched: rtp.stats[d].matched, dropped: rtp.stats[d].dropped, jitter: rtp.stats[d].jitterMs });
    return {
      alice, bob, aliceToBob: applied('up'), bobToAlice: applied('down'),
      heardByAlice: readWavFile(outA).samples, heardByBob: readWavFile(outB).samples,
      sentByAlice: ulawRoundTrip(a.samples), sentByBob: ulawRoundTrip(b.samples),
      statsAlice: reportedStats(alice.stderr), statsBob: reportedStats(bob.stderr),
    };
  } finally {
    await stopAll(alice, bob);
    sip?.close();
    rtp.close();
    rtcp.close();
  }
}

const describe = (w: ReturnType<typeof windowedCorrelation>) =>
  `${w.mean.toFixed(5)} over ${w.windows.length} windows (lag ${w.lag}, ${w.skipped} silent; windows ${w.windows.map((x) => x.toFixed(3)).join(' ')}; lags ${w.lags.join(' ')})`;

// This host is shared: under heavy load a phone's event loop stalls, packets arrive in bursts and the jitter buffer
// moves its delay (frames inserted or dropped; the window lags show it, each move costs about half a window). Up to
// three calls are made, each logged; a real defect misses all three.
const ATTEMPTS = 3;

run('speech both ways with no loss: windowed correlation with the µ-law round trip of the input is at least 0.999', async (t) => {
  let r: Awaited<ReturnType<typeof speechCall>> | undefined;
  let ab: ReturnType<typeof windowedCorrelation> | undefined;
  let ba: ReturnType<typeof windowedCorrelation> | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    r = await speechCall(6);
    ab = windowedCorrelation(r.heardByBob, r.sentByAlice);
    ba = windowedCorrelation(r.heardByAlice, r.sentByBob);
    t.log(`attempt ${attempt}: alice -> bob ${describe(ab)}`);
    t.log(`attempt ${attempt}: bob -> alice ${describe(ba)}`);
    t.log(`attempt ${attempt}: reported: alice ${JSON.stringify(r.statsAlice)}, bob ${JSON.stringify(r.statsBob)}`);
    if (ab.mean >= 0.999 && ba.mean >= 0.999) break;
  }
  t.true(ab!.windows.length >= 6 && ba!.windows.length >= 6, 'enough speech compared');
  t.true(ab!.mean >= 0.999, `alice -> bob ${ab!.mean}`);
  t.true(ba!.mean >= 0.999, `bob -> alice ${ba!.mean}`);
  t.is(r!.statsAlice?.lost, 0);
  t.is(r!.statsBob?.lost, 0);
});

run('speech with 5% loss and 30±15 ms jitter on RTP: correlation at least 0.95, and the reported loss and jitter match the relays', async (t) => {
  let r: Awaited<ReturnType<typeof speechCall>> | undefined;
  let ab: ReturnType<typeof windowedCorrelation> | undefined;
  let ba: ReturnType<typeof windowedCorrelation> | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    r = await speechCall(16, { loss: 0.05, delayMs: 30, jitterMs: 15 });
    ab = windowedCorrelation(r.heardByBob, r.sentByAlice);
    ba = windowedCorrelation(r.heardByAlice, r.sentByBob);
    t.log(`attempt ${attempt}: alice -> bob ${describe(ab)}`);
    t.log(`attempt ${attempt}: bob -> alice ${describe(ba)}`);
    t.log(`attempt ${attempt}: relays: bob->alice ${JSON.stringify(r.bobToAlice)}, alice->bob ${JSON.stringify(r.aliceToBob)}`);
    t.log(`attempt ${attempt}: reported: alice ${JSON.stringify(r.statsAlice)}, bob ${JSON.stringify(r.statsBob)}`);
    if (ab.mean >= 0.95 && ba.mean >= 0.95) break;
  }
  t.true(ab!.windows.length >= 25 && ba!.windows.length >= 25, 'enough speech compared');
  t.true(ab!.mean >= 0.95, `alice -> bob ${ab!.mean}`);
  t.true(ba!.mean >= 0.95, `bob -> alice ${ba!.mean}`);
  const res = r!;
  t.true(res.bobToAlice.dropped > 5 && res.aliceToBob.dropped > 5, 'the relays dropped packets both ways');
  for (const [who, stats, applied] of [['alice', res.statsAlice, res.bobToAlice], ['bob', res.statsBob, res.aliceToBob]] as const) {
    if (!stats) {
      t.fail(`${who} logged no call statistics`);
      continue;
    }
    // Loss: the packets the relays dropped towards this phone (a packet or two may be in flight at hang-up).
    t.true(Math.abs(stats.lost - applied.dropped) <= 3, `${who} reports ${stats.lost} lost, the relays dropped ${applied.dropped}`);
    const appliedPercent = (100 * applied.dropped) / applied.matched;
    t.true(Math.abs(stats.lossPercent - appliedPercent) <= 1, `${who} reports ${stats.lossPercent}% loss, relays ${appliedPercent.toFixed(1)}%`);
    // Jitter: the RFC 3550 estimate over what the relay delivered, within 30% (or 2 ms).
    t.true(Math.abs(stats.jitterMs - applied.jitter) <= Math.max(2, applied.jitter * 0.3), `${who} reports jitter ${stats.jitterMs} ms, relays measured ${applied.jitter.toFixed(1)} ms`);
  }
});
