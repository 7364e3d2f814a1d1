/**
 * Credentials never reach logs or the wire: `xsphone sim --log-level debug` registers with a password through a
 * UDP tap in front of Kamailio. Its stdout and stderr never hold the password or the digest response; the
 * REGISTER on the wire carries an Authorization whose response is the RFC 2617 digest of the password (checked
 * here), and the password itself never crosses the wire.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { UdpRelay } from '../support/udp-relay.js';
import { SimProcess } from '../support/sim-process.js';
import { waitFor } from './peers.js';
import { privateKamailio, probeOptions } from './security-helpers.js';

let kam: Awaited<ReturnType<typeof privateKamailio>>;
test.before(async () => {
  kam = await privateKamailio('sec-creds', 5179);
});
test.after.always(async () => {
  await kam?.stop();
});

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Digest parameters of an Authorization or WWW-Authenticate header value. */
function params(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/(\w+)=("([^"]*)"|[^\s,]+)/g)) out[m[1]!.toLowerCase()] = m[3] ?? m[2]!;
  return out;
}

function header(message: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(message)?.[1]?.trim();
}

async function tapped(password: string, user: string, until: (p: SimProcess) => boolean) {
  const wire: string[] = [];
  const relay = await UdpRelay.start(kam, { match: (d) => (wire.push(d.toString('latin1')), false) });
  const p = new SimProcess(['--user', user, '--password', password, '--registrar', `sip:127.0.0.1:${relay.port}`, '--domain', kam.address, '--sip-port', '0', '--log-level', 'debug']);
  try {
    await waitFor(() => until(p) || p.child.exitCode !== null, 15_000, 'the registration outcome');
    // Something for the debug log: a scanner's OPTIONS, dropped.
    await probeOptions({ from: '127.0.0.66', address: '127.0.0.1', port: p.sipPort, requestUri: `sip:${user}@127.0.0.1`, userAgent: 'friendly-scanner', ms: 300 });
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await p.stop();
    relay.close();
  }
  return { p, wire };
}

test.serial('the password and the digest response stay out of the logs; the REGISTER carries a computed digest, never the password', async (t) => {
  const password = 'loadpw';
  const { p, wire } = await tapped(password, 'load1520', (s) => s.has('registered'));
  t.truthy(p.find('registered'), p.stdout + p.stderr);

  const challenge = wire.find((m) => m.startsWith('SIP/2.0 401'));
  const authorized = wire.find((m) => m.startsWith('REGISTER ') && /^Authorization:/mi.test(m));
  t.truthy(challenge, 'a 401 challenge on the wire');
  t.truthy(authorized, 'a REGISTER with Authorization on the wire');
  const a = params(header(authorized!, 'Authorization')!);
  const c = params(header(challenge!, 'WWW-Authenticate')!);
  t.regex(a['response'] ?? '', /^[0-9a-f]{32}$/);
  t.is(a['nonce'], c['nonce']);
  const ha1 = md5(`${a['username']}:${a['realm']}:${password}`);
  const ha2 = md5(`REGISTER:${a['uri']}`);
  const expected = a['qop'] ? md5(`${ha1}:${a['nonce']}:${a['nc']}:${a['cnonce']}:${a['qop']}:${ha2}`) : md5(`${ha1}:${a['nonce']}:${ha2}`);
  t.is(a['response'], expected, 'the response is the digest of the password');

  for (const m of wire) t.false(m.includes(password), `password on the wire:\n${m}`);
  const logs = p.stdout + p.stderr;
  t.regex(p.stderr, /debug .*dropped OPTIONS from 127\.0\.0\.66/, 'debug logging was on');
  t.false(logs.includes(password), 'password in the output');
  for (const m of wire) {
    const r = /response="?([0-9a-f]{32})/i.exec(m);
    if (r) t.false(logs.includes(r[1]!), 'a digest response in the output');
  }
});

test.serial('a rejected password is not logged either', async (t) => {
  const password = 'Wr0ng-S3cret!';
  const { p, wire } = await tapped(password, 'load1521', (s) => s.has('registration-failed'));
  const failed = p.find('registration-failed');
  t.is(failed?.['status'], 401, p.stdout);
  t.regex(p.stderr, /REGISTER 401: not retried/, 'the failure was logged');
  const logs = p.stdout + p.stderr;
  t.false(logs.includes(password));
  const responses = wire.map((m) => /response="?([0-9a-f]{32})/i.exec(m)?.[1]).filter((r): r is string => r !== undefined);
  t.true(responses.length >= 1);
  for (const r of responses) t.false(logs.includes(r));
  for (const m of wire) t.false(m.includes(password));
});
