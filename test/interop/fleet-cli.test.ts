/**
 * `xsphone load` as a command: bad options (exit 2), a registrar that answers nothing (exit 1), and Ctrl-C in the
 * middle of calls (hangs up, unregisters every phone at Kamailio, still prints the report, exit 0).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensurePeers, KAMAILIO, registeredContacts } from './peers.js';

const BIN = fileURLToPath(new URL('../../../bin/xsphone.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], ms: number, onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'load', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, (signal) => child.kill(signal));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('bad options: a clear message and exit 2', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--phones', 'x', '--registrar', 'sip:127.0.0.1:5070', '--cps', '1', '--duration', '1', '--hold', '1'], /--phones must be a whole number/],
    [['--phones', '2', '--cps', '1', '--duration', '1', '--hold', '1'], /--registrar is required/],
    [['--phones', '2', '--registrar', 'sip:192.0.2.1', '--cps', '1', '--duration', '1', '--hold', '1'], /loopback/],
    [['--phones', '2', '--registrar', 'sip:127.0.0.1:5070', '--cps', '1', '--duration', '1', '--hold', '1', '--transport', 'sctp'], /--transport must be udp or tcp/],
    [['--phones', '2', '--registrar', 'sip:127.0.0.1:5070', '--cps', '1', '--duration', '1', '--hold', '1', '--bogus'], /Unknown option/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args, 10_000);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
    t.is(r.stdout, '');
  }
});

test('a registrar that answers nothing: exit 1 within seconds', async (t) => {
  const started = Date.now();
  const r = await run(['--phones', '2', '--registrar', 'sip:127.0.0.1:5999', '--cps', '1', '--duration', '1', '--hold', '1'], 20_000);
  t.is(r.code, 1);
  t.regex(r.stderr, /registrar sip:127\.0\.0\.1:5999 did not answer/);
  t.true(Date.now() - started < 10_000);
});

test('Ctrl-C during calls: hangs up, unregisters every phone, prints the report', async (t) => {
  t.timeout(50_000);
  ensurePeers('kamailio');
  const first = 1950;
  const phones = 10;
  let signalled = false;
  const r = await run(
    ['--phones', String(phones), '--first', String(first), '--registrar', `sip:${KAMAILIO.address}:${KAMAILIO.port}`, '--cps', '2', '--duration', '60', '--hold', '10'],
    45_000,
    (text, kill) => {
      if (!signalled && /answered [4-9]/.test(text)) {
        signalled = true;
        kill('SIGINT');
      }
    },
  );
  t.true(signalled, r.stderr.slice(-1000));
  t.is(r.code, 0, r.stderr.slice(-1000));
  t.regex(r.stderr, /stopping \(hanging up, unregistering/);
  t.regex(r.stdout, /xsphone load report \(interrupted\)/);
  t.regex(r.stdout, new RegExp(`registrations +ok ${phones}, failed 0, unregistered ${phones}`));
  t.regex(r.stdout, /failed 0, dropped 0, cut short by the interruption [1-9]/);
  for (let i = 0; i < phones; i++) t.deepEqual(registeredContacts(`load${first + i}`), [], `load${first + i} unregistered`);
});
