// `npm run bench:fleet`: `xsphone load` with 1,000 registered phones and ~100 concurrent calls with G.711 RTP both
// ways through Kamailio on loopback, beside SIPp running the same call pattern (uac-call.xml streaming PCMU, the UAS
// uas-answer.xml echoing it back) in the same run. Prints CPU time per call of each (process CPU, user + system, over
// the call phase) and the ratio. Targets: 0 failures, >= 100 concurrent calls, fleet CPU/call <= 2x SIPp's.
// CPU time on this shared 2-core VM varies by up to ~25% between runs of the same build (interference only adds
// time), so each side runs `--rounds` times (default 2), alternating, and is judged on its lowest figure.
// Usage: node dist/bench/fleet.js [--phones N] [--cps R] [--duration S] [--hold S] [--rounds N]
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePeers, KAMAILIO, PEERS } from '../test/interop/peers.js';
import { fixed, table, verdict } from './report.js';
import type { FleetReport } from '../host-sim/fleet/metrics.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '../../bin/xsphone.js');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const PHONES = arg('phones', 1000);
const CPS = arg('cps', 10);
const DURATION = arg('duration', 30);
const HOLD = arg('hold', 10);
const CALLS = Math.floor(CPS * DURATION);
const ROUNDS = Math.floor(arg('rounds', 2));

function run(cmd: string, args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command under bash and returns its exit code and the CPU its children used (bash's `times`), in ms. */
async function timed(args: string[], ms: number): Promise<{ code: number | null; cpuMs: number; stdout: string }> {
  const script = '"$@" >"$OUT" 2>&1; rc=$?; times; exit $rc';
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-fleet-'));
  const out = path.join(dir, 'out.txt');
  const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn('bash', ['-c', script, 'timed', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OUT: out } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
  // `times` prints the shell's user/system times, then its children's: "0m1.234s 0m0.567s".
  const lines = r.stdout.trim().split('\n');
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? '');
  const cpuMs = m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : NaN;
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // no output
  }
  rmSync(dir, { recursive: true, force: true });
  return { code: r.code, cpuMs, stdout: text };
}

async function fleet(): Promise<FleetReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-fleet-'));
  const file = path.join(dir, 'report.json');
  const r = await run(process.execPath, [BIN, 'load', '--phones', String(PHONES), '--registrar', `sip:${KAMAILIO.address}:${KAMAILIO.port}`,
    '--cps', String(CPS), '--duration', String(DURATION), '--hold', String(HOLD), '--report', file], (DURATION + HOLD + 120) * 1000);
  process.stdout.write(r.stdout);
  if (r.code !== 0) throw new Error(`xsphone load exited with ${r.code}: ${r.stderr.slice(-1500)}`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as FleetReport;
  rmSync(dir, { recursive: true, force: true });
  return report;
}

/** SIPp: a UAS echoing RTP on 5192 and a UAC calling it through Kamailio at the same rate, hold and count. */
async function sipp(): Promise<{ calls: number; failed: number; cpuMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-fleet-sipp-'));
  // The caller is a local account of Kamailio's (From in its domain), so Kamailio challenges SIPp's INVITEs as it
  // does the fleet's: both answer a 407 and send the INVITE again with credentials.
  const registrar = `${KAMAILIO.address}:${KAMAILIO.port}`;
  const uac = readFileSync(path.join(PEERS, 'sipp/uac-call.xml'), 'utf8')
    .replace(/<pause milliseconds="\d+"\/>/, `<pause milliseconds="${HOLD * 1000}"/>`)
    .replaceAll('From: <sip:[caller]@[remote_ip]:[remote_port]>', `From: <sip:[caller]@${registrar}>`);
  if (!uac.includes(`<pause milliseconds="${HOLD * 1000}"/>`)) throw new Error('uac-call.xml: no pause to set the hold time');
  if (!uac.includes(`From: <sip:[caller]@${registrar}>`)) throw new Error('uac-call.xml: no From line to put in the registrar\'s domain');
  writeFileSync(path.join(dir, 'uac.xml'), uac);
  const limit = (DURATION + HOLD + 60) * 1000;
  const uas = timed(['sipp', '-sf', path.join(PEERS, 'sipp/uas-answer.xml'), '-i', '127.0.0.1', '-p', '5192', '-mi', '127.0.0.1', '-mp', '6400',
    '-rtp_echo', '-m', String(CALLS), '-timeout', String(DURATION + HOLD + 40), '-timeout_error', '-nostdin'], limit);
  await new Promise((r) => setTimeout(r, 1000));
  const caller = await timed(['sipp', '-sf', path.join(dir, 'uac.xml'), '-s', 'svc', '-key', 'caller', 'load1999', '-au', 'load1999', '-ap', 'loadpw',
    '-i', '127.0.0.1', '-p', '5193',
    '-mi', '127.0.0.1', '-mp', '6500', '-rsa', `${KAMAILIO.address}:${KAMAILIO.port}`, '-r', String(CPS), '-m', String(CALLS), '-l', String(CALLS),
    '-timeout', String(DURATION + HOLD + 40), '-timeout_error', '-nostdin', '127.0.0.1:5192'], limit);
  const callee = await uas;
  rmSync(dir, { recursive: true, force: true });
  const failedLine = /Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(caller.stdout);
  const okLine = /Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(caller.stdout);
  const calls = okLine ? Number(okLine[1]) : caller.code === 0 ? CALLS : 0;
  const failed = failedLine ? Number(failedLine[1]) : caller.code === 0 ? 0 : CALLS - calls;
  if (caller.code !== 0 || callee.code !== 0) console.log(`SIPp exit codes: uac ${caller.code}, uas ${callee.code}`);
  return { calls, failed, cpuMs: caller.cpuMs + callee.cpuMs };
}

/**
 * What node:dgram alone costs for a call's packets: 100 socket pairs on loopback, connected, each sending a 172-byte
 * datagram every 20 ms to the other, received by a listener that does nothing; CPU per datagram sent and received,
 * times the datagrams of one call (both legs, both ways). No phone at all: the floor under the fleet's media.
 */
async function udpFloorMsPerCall(packetsPerCall: number, seconds = 8): Promise<number> {
  const socks: dgram.Socket[] = [];
  for (let i = 0; i < 200; i++) {
    const s = dgram.createSocket('udp4');
    s.on('message', () => {});
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    socks.push(s);
  }
  for (let i = 0; i < socks.length; i++) {
    await new Promise<void>((r) => socks[i]!.connect(socks[i ^ 1]!.address().port, '127.0.0.1', () => r()));
  }
  const packet = Buffer.alloc(172);
  const t0 = performance.now();
  let frames = 0;
  let c0: NodeJS.CpuUsage | undefined;
  let f0 = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - t0;
      // The first 2 s warm up.
      if (c0 === undefined && elapsed >= 2000) {
        c0 = process.cpuUsage();
        f0 = frames;
      }
      for (const due = Math.floor(elapsed / 20); frames < due; frames++) for (const s of socks) s.send(packet);
      if (elapsed >= (seconds + 2) * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  const cpu = process.cpuUsage(c0);
  for (const s of socks) s.close();
  return ((cpu.user + cpu.system) / 1000 / ((frames - f0) * socks.length)) * packetsPerCall;
}

function hasSipp(): boolean {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined; // sipp -v exits non-zero but exists
  }
}

async function main(): Promise<void> {
  console.log(`Fleet benchmark: ${PHONES} phones registered, ${CPS} calls/s for ${DURATION} s, ${HOLD} s hold (≈${CPS * HOLD} concurrent), G.711 RTP both ways, through Kamailio ${KAMAILIO.address}:${KAMAILIO.port}; ${ROUNDS} rounds, fleet and SIPp alternating\n`);
  ensurePeers('kamailio');
  if (!hasSipp()) throw new Error('sipp is not installed (apt-get install sip-tester)');
  const fleets: FleetReport[] = [];
  const sipps: Array<{ calls: number; failed: number; cpuMs: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    fleets.push(await fleet());
    console.log('');
    sipps.push(await sipp());
  }
  const fleetMs = fleets.map((f) => f.resources.cpuMsPerCall ?? NaN);
  const sippMs = sipps.map((s) => (s.calls > 0 ? s.cpuMs / s.calls : NaN));
  const rows: string[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const f = fleets[round]!;
    const s = sipps[round]!;
    rows.push([`xsphone load (UAC + UAS phones), round ${round + 1}`, String(f.calls.completed), String(f.calls.failed + f.calls.dropped), fixed(fleetMs[round]!, 2), `${f.rtp.legs}`]);
    rows.push([`SIPp uac-call + uas-answer -rtp_echo, round ${round + 1}`, String(s.calls), String(s.failed), fixed(sippMs[round]!, 2), `${2 * s.calls}`]);
  }
  console.log(table(['', 'calls ok', 'failed', 'CPU ms / call', 'legs with RTP'], rows));
  const fleetPerCall = Math.min(...fleetMs);
  const sippPerCall = Math.min(...sippMs);
  const ratio = fleetPerCall / sippPerCall;
  console.log(`(CPU: user + system of each process over the calls; the fleet's excludes registering and unregistering ${PHONES} phones.`);
  console.log(` Both send one 20 ms PCMU packet per leg and frame; SIPp's caller does not read what the echo sends back, the fleet's`);
  console.log(` phones receive and measure every packet (loss, jitter, RTCP) without decoding it: they have no speaker.`);
  console.log(` Each side is judged on its lowest round: interference from the rest of the machine only adds CPU time.)`);
  const f = fleets[0]!;
  const packetsPerCall = f.calls.completed > 0 ? f.rtp.packetsSent / f.calls.completed : NaN;
  const floor = Number.isFinite(packetsPerCall) ? await udpFloorMsPerCall(packetsPerCall) : NaN;
  console.log(`For scale: node:dgram alone, sending and receiving a call's ${fixed(packetsPerCall, 0)} datagrams on connected loopback sockets`);
  console.log(`with no phone behind them, costs ${fixed(floor, 2)} ms of CPU (${fixed(floor / sippPerCall, 2)}x SIPp's whole call).\n`);
  const fleetOk = fleets.every((r) => r.registrations.ok === PHONES && r.calls.failed === 0 && r.calls.dropped === 0 && r.calls.completed === CALLS && r.rtp.legs === 2 * CALLS && r.calls.concurrentMax >= 100);
  const worst = fleets.reduce((a, r) => (r.calls.failed + r.calls.dropped > a.calls.failed + a.calls.dropped || r.calls.completed < a.calls.completed ? r : a));
  console.log(verdict(fleetOk, 'fleet: phones registered, concurrent calls with media, failures (every round)',
    `${worst.registrations.ok} registered, ${worst.calls.concurrentMax} concurrent, ${worst.calls.completed}/${CALLS} completed, ${worst.calls.failed + worst.calls.dropped} failed`,
    `${PHONES} registered, >= 100 concurrent, 0 failed`));
  const sippOk = sipps.every((s) => s.failed === 0 && s.calls === CALLS);
  console.log(verdict(sippOk, 'SIPp baseline: same pattern, 0 failures (every round)', sipps.map((s) => `${s.calls}/${CALLS} ok, ${s.failed} failed`).join('; '), '0 failed'));
  console.log(verdict(Number.isFinite(ratio) && ratio <= 2, 'fleet CPU per call vs SIPp (lowest round of each)', `${fixed(fleetPerCall, 2)} ms vs ${fixed(sippPerCall, 2)} ms = ${fixed(ratio, 2)}x`, '<= 2x'));
}

await main();
