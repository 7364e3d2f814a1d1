import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensurePeers, registeredContacts, waitFor } from './peers.js';

const BIN = fileURLToPath(new URL('../../../bin/xsphone.js', import.meta.url));

test.before(() => ensurePeers('kamailio'));

test('bad options get a clear message and exit status 2', (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['sim'], /--user is required/],
    [['sim', '--user', 'a', '--transport', 'pigeon'], /--transport must be udp, tcp or tls/],
    [['sim', '--user', 'a', '--sip-port', '70000'], /--sip-port must be a whole number from 0 to 65535/],
    [['sim', '--user', 'a', '--registrar', 'http://x'], /--registrar must be a sip: URI/],
    [['sim', '--nope'], /Unknown option '--nope'/],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
    t.is(r.status, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
});

test('registers, prints JSON events, and on SIGTERM unregisters and exits 0', async (t) => {
  const child = spawn(process.execPath, [BIN, 'sim', '--user', 'dave', '--password', 'davepw', '--registrar', 'sip:127.0.0.1:5070', '--sip-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const events = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; sipPort?: number; expires?: number });
  try {
    await waitFor(() => events().some((e) => e.type === 'registered'), 15_000, 'registered event');
    const port = events().find((e) => e.type === 'started')!.sipPort!;
    t.true(registeredContacts('dave').some((c) => c.includes(`:${port}`)));
    t.is(events().find((e) => e.type === 'registered')!.expires, 3600);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    t.is(await exited, 0);
    t.deepEqual(events().map((e) => e.type), ['started', 'registered', 'unregistered', 'stopped']);
    t.false(registeredContacts('dave').some((c) => c.includes(`:${port}`)));
  } finally {
    child.kill('SIGKILL');
  }
});
