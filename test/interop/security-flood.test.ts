/**
 * A flood of OPTIONS (SIPp, 500 requests/s for 10 s from 127.0.0.88, bounded in count and time) at a simulated
 * phone registered to Kamailio: the phone answers only a trickle of them (rate limited), keeps refreshing its
 * registration through the flood, every OPTIONS its registrar relays during the flood gets 200, and its user can
 * place a call in the middle of it.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './peers.js';
import { contactsOf, privateKamailio, probeOptions, registeredPhone, type TestPhone } from './security-helpers.js';

const KAM_PORT = 5178;
const FLOODER = '127.0.0.88';
const RATE = 500;
const COUNT = 5000;

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="OPTIONS flood">
  <send>
    <![CDATA[

      OPTIONS sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:flood@[local_ip]:[local_port]>;tag=[pid]flood[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      User-Agent: Acme Flood 1.0
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" timeout="1000"/>
</scenario>
`;

let kam: Awaited<ReturnType<typeof privateKamailio>>;
let phone: TestPhone;
let colleague: TestPhone;

test.before(async () => {
  kam = await privateKamailio('sec-flood', KAM_PORT);
  // Registered for 10 s: refreshed every 5 s, so refreshes fall inside the flood.
  phone = await registeredPhone('load1510', kam, { expires: 10 });
  colleague = await registeredPhone('load1511', kam, { autoAnswerMs: 0 });
  await waitFor(() => phone.count('registered') > 0 && colleague.count('registered') > 0, 10_000, 'the phones to register');
});

test.after.always(async () => {
  await phone?.phone.stop();
  await colleague?.phone.stop();
  await kam?.stop();
});

function sippStats(dir: string): { ok: number; failed: number } {
  const file = readdirSync(dir).find((f) => f.endsWith('.csv'));
  if (!file) return { ok: NaN, failed: NaN };
  const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n');
  const head = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  return { ok: Number(last[head.indexOf('SuccessfulCall(C)')]), failed: Number(last[head.indexOf('FailedCall(C)')]) };
}

test('an OPTIONS flood is rate-limited while the registration refreshes, the registrar still gets 200 and the user can call', async (t) => {
  const registeredBefore = phone.count('registered');
  writeFileSync(join(kam.dir, 'flood.xml'), SCENARIO);
  const sipp = spawn('sipp', [
    '-sf', 'flood.xml', '-s', 'load1510', '-i', FLOODER, '-p', '0', '-r', String(RATE), '-m', String(COUNT), '-l', '2000',
    '-timeout', '40s', '-trace_stat', '-stf', 'flood.csv', '-fd', '1', '-nostdin',
    `127.0.0.1:${phone.port}`,
  ], { cwd: kam.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let sippErr = '';
  sipp.stderr.on('data', (d: Buffer) => (sippErr += d.toString()));
  const done = new Promise<number | null>((r) => sipp.on('exit', (code) => r(code)));
  const killer = setTimeout(() => sipp.kill('SIGKILL'), 60_000);

  // During the flood: OPTIONS through the registrar (it relays from its own address, which the phone trusts).
  const statuses: Array<number | undefined> = [];
  const floodEnd = Date.now() + (COUNT / RATE) * 1000 - 1000;
  await new Promise((r) => setTimeout(r, 1000));
  // The user can still call out in the middle of it.
  phone.phone.app.phone.dial(`sip:load1511@${kam.address}:${KAM_PORT}`);
  while (Date.now() < floodEnd) {
    statuses.push(await probeOptions({ from: '127.0.0.99', address: kam.address, port: KAM_PORT, requestUri: `sip:load1510@${kam.address}:${KAM_PORT}` }));
    await new Promise((r) => setTimeout(r, 500));
  }
  const refreshed = phone.count('registered') - registeredBefore;
  const called = phone.count('answered');
  phone.phone.app.phone.press('hook');
  await done;
  clearTimeout(killer);

  const { ok, failed } = sippStats(kam.dir);
  const dropped = phone.phone.app.ua.admission!.dropped.flood;
  t.log(`SIPp: ${ok} answered, ${failed} unanswered; phone dropped ${dropped}; registrar probes: ${statuses.join(' ')}; refreshes during the flood: ${refreshed}`);
  t.is(ok + failed, COUNT, sippErr);
  t.true(ok > 0, 'the phone still answers some');
  t.true(ok < COUNT * 0.1, `rate-limited: ${ok} of ${COUNT} answered`);
  t.true(dropped >= COUNT * 0.9);
  t.true(statuses.length >= 8, `${statuses.length} probes`);
  t.deepEqual(statuses.filter((s) => s !== 200), [], 'every OPTIONS from the registrar got 200');
  t.true(refreshed >= 1, 'the registration was refreshed during the flood');
  t.is(phone.count('registration-failed'), 0);
  t.is(called, 1, `the user's call during the flood: ${JSON.stringify(phone.events)}`);
  t.is(colleague.count('answered'), 1);
  t.true(contactsOf(kam, 'load1510').some((c) => c.includes(`:${phone.port}`)));
});
