// `npm run bench:calls`: call set-up time on loopback through Kamailio (digest on INVITE, record-routing), from the
// caller's first INVITE on the wire to the 200 OK arriving at the caller, callee answering at once, for xsphone ->
// xsphone (two phones in this process, host HAL) and baresip -> baresip (carol calls bob), N calls each (200 by
// default), one at a time. Both are timed the same way: tshark on `lo` (as root) captures the proxy's port and each
// Call-ID's first INVITE and first 200 (INVITE) are read from the capture. Prints median, p99 and failures, and
// PASS/MISS for "0 failures" and "median no slower than baresip's".
// xsphone answers a proxy's challenge once and then sends its credentials up front; baresip waits for a 407 on every
// call: the table says how many calls were challenged. Usage: node dist/bench/calls.js [--calls N]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { SimPhone, settingsFor } from '../host-sim/sim-phone.js';
import type { AppEvent } from '../src/phone/app.js';
import { BaresipCtl } from '../test/interop/calls-peers.js';
import { SimProcess } from '../test/support/sim-process.js';
import { ensurePeersIn, privatePeers, stopPeer } from '../test/interop/peers.js';
import { fixed, median, table, verdict } from './report.js';

const KAM_PORT = 5276;
const env = privatePeers('bench-calls', KAM_PORT);
let CAPTURE = '';
const CALL_TIMEOUT_MS = 5_000;
/** Calls made before timing starts (JIT, caches, first digest challenge), for both. */
const WARMUP = 5;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function p99(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
}

async function startCapture(name: string): Promise<ChildProcess> {
  CAPTURE = `${env['SIP_PEERS_DIR']}/bench-calls-${name}.pcapng`;
  rmSync(CAPTURE, { force: true });
  const child = spawn('tshark', ['-i', 'lo', '-f', `udp port ${KAM_PORT}`, '-w', CAPTURE, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capturing on')) {
        clearTimeout(timer);
        // The filter is attached a moment after the banner.
        setTimeout(resolve, 300);
      }
    });
    child.on('exit', () => reject(new Error(`tshark exited: ${err}`)));
  });
  return child;
}

async function stopCapture(child: ChildProcess): Promise<void> {
  await sleep(500);
  const done = new Promise((r) => child.on('exit', r));
  child.kill('SIGINT');
  await done;
}

/**
 * Set-up times (ms) per Call-ID from the capture: the caller's first INVITE to the first 200 (INVITE) sent to it;
 * and how many of those calls were challenged (407) on the way.
 */
function setupTimes(callerPort: number): Map<string, number> & { challenged?: number } {
  const out = execFileSync('tshark', ['-r', CAPTURE, '-Y', `sip.CSeq.method == "INVITE" && (sip.Method == "INVITE" || sip.Status-Code == 200 || sip.Status-Code == 407)`,
    '-T', 'fields', '-E', 'separator=|', '-e', 'frame.time_epoch', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'sip.Call-ID', '-e', 'sip.Method', '-e', 'sip.Status-Code'],
    { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const invite = new Map<string, number>();
  const times: Map<string, number> & { challenged?: number } = new Map<string, number>();
  const challenged = new Set<string>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [t, src, dst, callId, method, status] = line.split('|');
    const at = Number(t) * 1000;
    if (method === 'INVITE' && Number(src) === callerPort && !invite.has(callId!)) invite.set(callId!, at);
    else if (status === '200' && Number(dst) === callerPort && invite.has(callId!) && !times.has(callId!)) times.set(callId!, at - invite.get(callId!)!);
    else if (status === '407' && Number(dst) === callerPort) challenged.add(callId!);
  }
  times.challenged = challenged.size;
  return times;
}

interface Result {
  name: string;
  times: number[];
  failures: number;
  /** Calls whose first INVITE was challenged (407): one more round trip. */
  challenged: number;
}

async function xsphone(calls: number, warmup: number): Promise<Result> {
  const events: AppEvent[] = [];
  const wait = async (pred: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) return false;
      await sleep(1);
    }
    return true;
  };
  // The callee in its own process (as baresip's peers are), the caller here.
  const callee = await SimProcess.start({ user: 'bob', password: 'bobpw', registrar: `sip:127.0.0.1:${KAM_PORT}`, autoAnswer: true, logLevel: 'error' });
  const caller = await SimPhone.start(
    { id: 'alice', settings: settingsFor({ user: 'alice', domain: '127.0.0.1', password: 'alicepw', registrar: `sip:127.0.0.1:${KAM_PORT}` }), address: '127.0.0.1', sipPort: 0, logLevel: 'error' },
    (e) => events.push(e),
  );
  let failures = 0;
  try {
    await callee.waitFor('registered', 10_000);
    if (!(await wait(() => events.some((e) => e.type === 'registered'), 10_000))) throw new Error('xsphone caller did not register');
    let capture: ChildProcess | undefined;
    try {
      for (let i = 0; i < warmup + calls; i++) {
        if (i === warmup) capture = await startCapture('xsphone');
        const from = events.length;
        const calleeFrom = callee.events().length;
        const since = () => events.slice(from);
        caller.app.phone.dial(`sip:bob@127.0.0.1:${KAM_PORT}`);
        await wait(() => since().some((e) => e.type === 'answered' || e.type === 'ended'), CALL_TIMEOUT_MS);
        const ok = since().some((e) => e.type === 'answered');
        if (!ok && i >= warmup) {
          failures++;
          console.error(`xsphone call ${i + 1 - warmup} failed: ${JSON.stringify(since())}`);
        }
        if (caller.app.phone.calls.length) caller.app.phone.press('hook');
        await wait(() => caller.app.phone.calls.length === 0, CALL_TIMEOUT_MS);
        if (ok) await callee.waitFor('ended', CALL_TIMEOUT_MS, () => true, calleeFrom).catch(() => undefined);
      }
    } finally {
      if (capture) await stopCapture(capture);
    }
    const times = setupTimes(caller.app.ua.transport.localPort('UDP')!);
    if (times.size + failures < calls) console.error(`xsphone: ${calls - times.size - failures} answered calls missing from the capture`);
    return { name: 'xsphone -> xsphone', times: [...times.values()], challenged: times.challenged ?? 0, failures: failures + Math.max(0, calls - failures - times.size) };
  } finally {
    await caller.stop();
    await callee.stop();
  }
}

async function baresip(calls: number, warmup: number): Promise<Result> {
  ensurePeersIn(env, 'baresip:bob', 'baresip:carol');
  const connect = async (port: number) => {
    for (let i = 0; ; i++) {
      try {
        return await BaresipCtl.connect(port);
      } catch (e) {
        if (i >= 50) throw e;
        await sleep(100);
      }
    }
  };
  const carol = await connect(6084);
  const bob = await connect(6080);
  let failures = 0;
  try {
    let capture: ChildProcess | undefined;
    try {
      for (let i = 0; i < warmup + calls; i++) {
        if (i === warmup) capture = await startCapture('baresip');
        const from = carol.events.length;
        const bobFrom = bob.events.length;
        await carol.command('dial', `sip:bob@127.0.0.1:${KAM_PORT}`);
        const ok = await carol.waitEvent('CALL_ESTABLISHED', CALL_TIMEOUT_MS, from).then(() => true, () => false);
        if (!ok && i >= warmup) {
          failures++;
          console.error(`baresip call ${i + 1 - warmup} failed: ${JSON.stringify(carol.events.slice(from))}`);
        }
        await carol.command('hangup').catch(() => undefined);
        await carol.waitEvent('CALL_CLOSED', CALL_TIMEOUT_MS, from).catch(() => undefined);
        if (ok) await bob.waitEvent('CALL_CLOSED', CALL_TIMEOUT_MS, bobFrom).catch(() => undefined);
      }
    } finally {
      if (capture) await stopCapture(capture);
    }
    const times = setupTimes(5084);
    if (times.size + failures < calls) console.error(`baresip: ${calls - times.size - failures} answered calls missing from the capture`);
    return { name: 'baresip -> baresip', times: [...times.values()], challenged: times.challenged ?? 0, failures: failures + Math.max(0, calls - failures - times.size) };
  } finally {
    carol.close();
    bob.close();
    stopPeer('baresip-carol', env);
    stopPeer('baresip-bob', env);
  }
}

async function main(argv: string[]): Promise<void> {
  const calls = Number(argv[argv.indexOf('--calls') + 1]) || 200;
  console.log(`Call set-up benchmark: first INVITE to 200 OK at the caller, through Kamailio on 127.0.0.1:${KAM_PORT} (digest on INVITE), auto-answer, ${calls} calls each, one at a time`);
  if (process.getuid?.() !== 0) {
    console.log('MISS  call set-up: needs root (tshark capture on lo)');
    return;
  }
  mkdirSync(env['SIP_PEERS_DIR']!, { recursive: true });
  ensurePeersIn(env, 'kamailio');
  try {
    const x = await xsphone(calls, WARMUP);
    const b = await baresip(calls, WARMUP);
    const rows = [x, b].map((r) => [r.name, String(r.times.length), fixed(median(r.times), 2), fixed(p99(r.times), 2), fixed(Math.min(...r.times), 2), String(r.challenged), String(r.failures)]);
    console.log(table(['peers', 'calls', 'median ms', 'p99 ms', 'min ms', '407 first', 'failures'], rows));
    console.log('(407 first: calls whose INVITE was challenged first; xsphone sends the proxy nonce it already has up front.)');
    console.log(verdict(x.failures === 0, 'xsphone call set-up failures', String(x.failures), '0'));
    const mx = median(x.times);
    const mb = median(b.times);
    console.log(verdict(mx <= mb, 'xsphone median set-up vs baresip', `${fixed(mx, 2)} ms vs ${fixed(mb, 2)} ms`, 'no slower than baresip'));
  } finally {
    stopPeer('kamailio', env);
  }
}

await main(process.argv.slice(2));
// The phones' timers and sockets are closed, but do not wait for stray handles (baresip control sockets).
process.exit(process.exitCode ?? 0);
