/**
 * sipvicious (svmap, svwar, svcrack from Debian) against a simulated phone registered to Kamailio, on loopback:
 * the phone never rings, gives the scanners nothing to find, stays registered, still answers a normal OPTIONS,
 * and answers a real call through its registrar right after. The scanners run from 127.0.0.66, an address other
 * than the registrar's (which the phone trusts once registered), or from 127.0.0.1 while the registrar is 127.0.0.5.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { waitFor } from './peers.js';
import { contactsOf, privateKamailio, probeOptions, registeredPhone, type TestPhone } from './security-helpers.js';

const KAM_PORT = 5175;
/** Where the scanners send from: svmap and svcrack honour -b; svwar 0.3.3 ignores it and uses 127.0.0.1. */
const SCANNER = '127.0.0.66';

/** Runs a scanner without blocking this process (the phone under test lives in it); bounded in time. */
function run(cmd: string, args: string[], ms = 40_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

let kam: Awaited<ReturnType<typeof privateKamailio>>;
let phone: TestPhone;
let caller: TestPhone;

test.before(async () => {
  kam = await privateKamailio('sec-scan', KAM_PORT);
  phone = await registeredPhone('load1500', kam, { autoAnswerMs: 0 });
  caller = await registeredPhone('load1501', kam);
  await waitFor(() => phone.count('registered') > 0 && caller.count('registered') > 0, 10_000, 'both phones to register');
});

test.after.always(async () => {
  await phone?.phone.stop();
  await caller?.phone.stop();
  await kam?.stop();
});

test.serial('control: with the filter off, svmap finds a phone', async (t) => {
  const admission = caller.phone.app.ua.admission;
  caller.phone.app.ua.admission = undefined;
  try {
    const r = await run('svmap', ['-b', SCANNER, '-p', String(caller.port), '127.0.0.1']);
    t.regex(r.out, new RegExp(`127\\.0\\.0\\.1:${caller.port}`), r.out);
  } finally {
    caller.phone.app.ua.admission = admission;
  }
});

test.serial('svmap, svwar and svcrack find nothing; the phone never rings, stays registered, and still answers OPTIONS and a real call', async (t) => {
  const port = String(phone.port);
  const scans: Array<[string, string[]]> = [
    ['svmap', ['-b', SCANNER, '-p', port, '127.0.0.1']],
    ['svmap', ['-b', SCANNER, '-p', port, '-m', 'INVITE', '127.0.0.1']],
    ['svwar', ['-b', SCANNER, '-p', port, '-e100-140', '-m', 'INVITE', '--force', '127.0.0.1']],
    ['svwar', ['-b', SCANNER, '-p', port, '-e100-140', '-m', 'OPTIONS', '--force', '127.0.0.1']],
    ['svcrack', ['-b', SCANNER, '-p', port, '-u', 'load1500', '-r', '1000-1020', '127.0.0.1']],
  ];
  for (const [cmd, args] of scans) {
    const r = await run(cmd, args);
    t.log(`${cmd} ${args.join(' ')}: ${r.out.trim().split('\n').pop()}`);
    t.notRegex(r.out, new RegExp(`127\\.0\\.0\\.1:${port}\\s`), `${cmd} found the phone`);
    t.notRegex(r.out, /\|\s*(reqauth|noauth|weird)/i, `${cmd} found an extension`);
    t.notRegex(r.out, /\|\s*load1500\s*\|/, `${cmd} cracked a password`);
  }
  const dropped = phone.phone.app.ua.admission!.dropped.scanner;
  t.true(dropped >= 5, `scanner requests dropped: ${dropped}`);
  t.is(phone.count('incoming'), 0, 'the phone rang');
  t.is(phone.count('registration-failed'), 0);
  t.is(phone.count('unregistered'), 0);
  t.true(contactsOf(kam, 'load1500').some((c) => c.includes(`:${phone.port}`)), 'still registered');

  // A normal user agent from yet another address still gets its answer.
  t.is(await probeOptions({ from: '127.0.0.77', address: '127.0.0.1', port: phone.port, requestUri: `sip:load1500@127.0.0.1:${phone.port}` }), 200);

  // And a real call through the registrar rings and is answered.
  caller.phone.app.phone.dial(`sip:load1500@${kam.address}:${KAM_PORT}`);
  await waitFor(() => caller.count('answered') > 0 || caller.count('ended') > 0, 15_000, 'the call to be answered');
  t.is(phone.count('incoming'), 1);
  t.is(phone.count('answered'), 1);
  t.is(caller.count('answered'), 1, JSON.stringify(caller.events));
  caller.phone.app.phone.press('hook');
  await waitFor(() => phone.count('ended') > 0, 10_000, 'the call to end');
});
