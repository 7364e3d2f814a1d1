/**
 * `xsphone load` end to end through Kamailio: 20 phones (load1900..load1919), 2 calls/s for 20 s, 2 s hold, RTP on.
 * The report must agree with what tshark saw on the Kamailio port (calls relayed and answered, BYEs) and with
 * Kamailio's location table (every phone unregistered afterwards).
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Capture } from './calls-capture.js';
import { ensurePeers, KAMAILIO, registeredContacts } from './peers.js';

const BIN = fileURLToPath(new URL('../../../bin/xsphone.js', import.meta.url));
const FIRST = 1900;
const PHONES = 20;
const CPS = 2;
const DURATION = 20;

function run(args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

test('fleet of 20 phones, 2 calls/s for 20 s through Kamailio: report matches the capture and the registrar', async (t) => {
  t.timeout(60_000);
  const t0 = Date.now();
  ensurePeers('kamailio');
  t.log(`peers up after ${Date.now() - t0} ms`);
  const capture = Capture.available() ? await Capture.start('fleet-small', `udp port ${KAMAILIO.port}`) : undefined;
  const reportFile = `/tmp/xsphone-fleet-small-${process.pid}.json`;
  const result = await run([
    'load', '--phones', String(PHONES), '--first', String(FIRST), '--registrar', `sip:${KAMAILIO.address}:${KAMAILIO.port}`,
    '--cps', String(CPS), '--duration', String(DURATION), '--hold', '2', '--report', reportFile,
  ], 50_000);
  t.log(`fleet done after ${Date.now() - t0} ms`);
  await capture?.stop();
  t.is(result.code, 0, result.stderr.slice(-2000));
  t.regex(result.stdout, /ASR\s+100 %/);
  t.regex(result.stderr, /registered 20\/20 {2}concurrent \d+ {2}attempts \d+/, 'the progress line');
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  rmSync(reportFile, { force: true });
  const calls = CPS * DURATION;
  t.is(report.registrations.ok, PHONES);
  t.is(report.registrations.failed, 0);
  t.is(report.registrations.unregistered, PHONES);
  t.is(report.calls.attempts, calls);
  t.is(report.calls.answered, calls);
  t.is(report.calls.completed, calls);
  t.is(report.calls.failed, 0);
  t.deepEqual(report.calls.failuresByStatus, {});
  t.is(report.calls.asrPercent, 100);
  t.is(report.calls.postDialDelayMs.count, calls);
  t.is(report.calls.answerDelayMs.count, calls);
  t.true(report.calls.answerDelayMs.p50 >= report.calls.postDialDelayMs.p50);
  t.true(report.calls.concurrentMax >= 3 && report.calls.concurrentMax <= PHONES / 2, `concurrent max ${report.calls.concurrentMax}`);
  // Two legs per call, ~2 s of 20 ms frames each way.
  t.is(report.rtp.legs, 2 * calls);
  t.true(report.rtp.packetsReceived > 2 * calls * 80, `RTP received ${report.rtp.packetsReceived}`);
  t.true(report.rtp.lossPercent < 1, `loss ${report.rtp.lossPercent}`);
  // Memory per phone and per call: heap figures after a full collection, so both are there and plausible (a phone
  // is a user agent, a registration and a socket; a call two legs with their dialogs, transactions and RTP sessions).
  const r = report.resources;
  t.true(r.heapPerPhoneKb !== null && r.heapPerPhoneKb > 1 && r.heapPerPhoneKb < 200, `heap per phone ${r.heapPerPhoneKb} KB`);
  t.true(r.heapPerCallKb !== null && r.heapPerCallKb > 2 && r.heapPerCallKb < 2000, `heap per call ${r.heapPerCallKb} KB`);

  // Kamailio's view: nobody of the fleet is left registered.
  for (let i = 0; i < PHONES; i++) t.deepEqual(registeredContacts(`load${FIRST + i}`), [], `load${FIRST + i} unregistered`);

  if (!capture) {
    t.log('tshark capture not available (needs root and tshark): capture checks skipped');
    return;
  }
  // What went through Kamailio, from the wire: the calls it relayed to the fleet and their answers.
  const out = execTshark(capture.file);
  const fleetUser = new RegExp(`^load(19[0-1]\\d)$`);
  const invites = new Set<string>();
  const answered = new Set<string>();
  const byes = new Set<string>();
  const failures: string[] = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const [src, dst, method, status, cseqMethod, callId, fromUser] = line.split('\t');
    if (!fleetUser.test(fromUser ?? '')) continue;
    const fromProxy = Number(src) === KAMAILIO.port;
    if (method === 'INVITE' && fromProxy) invites.add(callId!);
    if (status === '200' && cseqMethod === 'INVITE' && fromProxy) answered.add(callId!);
    if (status === '200' && cseqMethod === 'BYE' && fromProxy) byes.add(callId!);
    if (status && Number(status) >= 300 && !['401', '407'].includes(status) && Number(dst) !== KAMAILIO.port) failures.push(line);
  }
  t.is(invites.size, report.calls.attempts, 'INVITEs Kamailio relayed to the fleet');
  t.is(answered.size, report.calls.answered, '200 OKs Kamailio relayed back to the callers');
  t.is(byes.size, report.calls.completed, 'BYEs answered');
  t.deepEqual(failures, [], 'no error responses from Kamailio');
  t.deepEqual(capture.sipProblems(), []);
});

function execTshark(file: string): string {
  return execFileSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'sip.Method',
    '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method', '-e', 'sip.Call-ID', '-e', 'sip.from.user'],
  { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
}
