/**
 * SIP over TLS against Kamailio's TLS module: `xsphone sim` registers over sips: and transport=tls with a
 * certificate from a test CA it is given (--ca), and refuses servers whose certificate names another host, has
 * expired, or comes from a CA outside the bundle, with a reason in plain words and without a byte of SIP in clear.
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestCa, type TestCa } from '../support/test-ca.js';
import { SimProcess } from '../support/sim-process.js';
import { startTlsKamailio, type TlsKamailio } from './kamailio-tls/kamailio.js';
import { waitFor } from './peers.js';

const SIP_PORT = 5171;
const GOOD_TLS = 5061;
const BAD_TLS = 5172;

let ca: TestCa;
let kam: TlsKamailio;

test.before(async () => {
  ca = makeTestCa();
  kam = await startTlsKamailio(ca, SIP_PORT, GOOD_TLS, BAD_TLS);
});

test.after.always(async () => {
  await kam?.stop();
  ca?.remove();
});

function lookup(user: string): string {
  try {
    const out = kam.kamcmd('ul.lookup', 'location', user);
    return /AOR not found/.test(out) ? '' : out;
  } catch {
    return ''; // 404: no contacts
  }
}

function sim(registrar: string, ...extra: string[]): SimProcess {
  return new SimProcess(['--user', 'carol', '--password', 'carolpw', '--registrar', registrar, '--transport', 'tls', '--sip-port', '0', ...extra]);
}

async function outcome(p: SimProcess): Promise<void> {
  await waitFor(() => p.has('registered') || p.has('registration-failed') || p.child.exitCode !== null, 15_000, 'a registration outcome');
}

for (const registrar of ['sips:127.0.0.1', `sip:127.0.0.1:${GOOD_TLS};transport=tls`]) {
  test.serial(`registers over TLS (${registrar}) with the server certificate checked against --ca, and unregisters`, async (t) => {
    const p = sim(registrar, '--ca', ca.ca);
    try {
      await outcome(p);
      t.truthy(p.find('registered'), p.stdout + p.stderr);
      // Kamailio holds the contact on its TLS socket, reached over the phone's own connection.
      const contact = lookup('carol');
      t.regex(contact, new RegExp(`tls:127\\.0\\.0\\.1:${GOOD_TLS}`), contact);
      t.regex(contact, /transport=tls/i, contact);
      t.is(await p.stop(), 0);
      t.deepEqual(p.events().map((e) => e.type), ['started', 'registered', 'unregistered', 'stopped']);
      t.is(lookup('carol'), '');
    } finally {
      await p.stop();
    }
  });
}

/** Records loopback traffic on some ports with tshark while fn runs; returns the pcap bytes (undefined: not root). */
async function captured(ports: number[], fn: () => Promise<void>): Promise<Buffer | undefined> {
  if (process.getuid?.() !== 0) {
    await fn();
    return undefined;
  }
  const file = join(ca.dir, `bad-${Date.now()}.pcap`);
  const tshark = spawn('tshark', ['-i', 'lo', '-f', ports.map((p) => `port ${p}`).join(' or '), '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  tshark.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => tshark.on('exit', () => r()));
  try {
    await waitFor(() => err.includes('Capturing on'), 10_000, 'tshark to start');
    await new Promise((r) => setTimeout(r, 500));
    await fn();
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    tshark.kill('SIGINT');
    await exited;
  }
  const bytes = readFileSync(file);
  rmSync(file);
  return bytes;
}

const BAD: Array<{ name: string; port: number; ca: () => string; reason: RegExp }> = [
  { name: 'a certificate for another host name', port: BAD_TLS, ca: () => ca.ca, reason: /TLS certificate is not valid for this host name/ },
  { name: 'an expired certificate', port: BAD_TLS + 1, ca: () => ca.ca, reason: /TLS certificate has expired/ },
  { name: 'a certificate from a CA outside the bundle', port: BAD_TLS + 2, ca: () => ca.ca, reason: /TLS certificate is not signed by a trusted CA/ },
  { name: 'a good certificate, but the bundle holds another CA', port: GOOD_TLS, ca: () => ca.untrustedCa, reason: /TLS certificate is not signed by a trusted CA/ },
];

test.serial('a bad server certificate fails registration with the certificate problem in plain words, and nothing is sent in clear', async (t) => {
  const before = kam.answered();
  const pcap = await captured([GOOD_TLS, BAD_TLS, BAD_TLS + 1, BAD_TLS + 2], async () => {
    for (const bad of BAD) {
      const p = sim(`sips:127.0.0.1:${bad.port}`, '--ca', bad.ca());
      try {
        await outcome(p);
        const failed = p.find('registration-failed');
        t.truthy(failed, `${bad.name}: ${p.stdout}${p.stderr}`);
        t.is(failed?.['status'], 503, bad.name);
        t.regex(String(failed?.['reason']), bad.reason, bad.name);
        t.regex(String(failed?.['reason']), new RegExp(`TLS connection to 127\\.0\\.0\\.1:${bad.port}`), bad.name);
        t.false(p.has('registered'), bad.name);
      } finally {
        await p.stop();
      }
    }
  });
  // Kamailio answered nothing: no REGISTER reached it, over TLS or otherwise.
  t.is(kam.answered(), before);
  t.is(lookup('carol'), '');
  if (!pcap) {
    t.log('not root: no capture, the on-the-wire check was skipped');
    return;
  }
  // The handshakes happened (the capture is not empty), and no SIP text crossed the wire.
  t.true(pcap.length > 24 + 8 * 16, `capture of ${pcap.length} bytes`);
  for (const clear of ['REGISTER ', 'SIP/2.0', 'carol@']) t.is(pcap.indexOf(clear), -1, `"${clear}" on the wire`);
});

test.serial('without a CA bundle the test CA is not trusted', async (t) => {
  const p = sim('sips:127.0.0.1');
  try {
    await outcome(p);
    t.regex(String(p.find('registration-failed')?.['reason']), /TLS certificate is not signed by a trusted CA/, p.stdout);
  } finally {
    await p.stop();
  }
});

test('--ca that cannot be read or holds no certificate is a usage error', (t) => {
  const bin = new URL('../../../bin/xsphone.js', import.meta.url).pathname;
  const missing = spawnSync(process.execPath, [bin, 'sim', '--user', 'a', '--ca', '/nonexistent/ca.pem'], { encoding: 'utf8', timeout: 20_000 });
  t.is(missing.status, 2);
  t.regex(missing.stderr, /--ca: cannot read \/nonexistent\/ca.pem \(ENOENT\)/);
  const notPem = spawnSync(process.execPath, [bin, 'sim', '--user', 'a', '--ca', ca.server.key], { encoding: 'utf8', timeout: 20_000 });
  t.is(notPem.status, 2);
  t.regex(notPem.stderr, /holds no PEM certificate/);
});

test.serial('a call through Kamailio reaches the phone over its TLS connection (nothing in clear) and is answered', async (t) => {
  const callee = sim('sips:127.0.0.1', '--ca', ca.ca, '--auto-answer', '0');
  const box: { caller?: SimProcess } = {};
  try {
    await outcome(callee);
    t.truthy(callee.find('registered'), callee.stdout + callee.stderr);
    t.regex(lookup('carol'), new RegExp(`tls:127\\.0\\.0\\.1:${GOOD_TLS}`));
    // The callee's own ports and the TLS port: the INVITE and BYE must cross them encrypted only.
    const pcap = await captured([callee.sipPort, GOOD_TLS], async () => {
      const caller = new SimProcess(['--user', 'dave', '--password', 'davepw', '--registrar', `sip:127.0.0.1:${SIP_PORT}`, '--sip-port', '0',
        '--call', `sip:carol@127.0.0.1:${SIP_PORT}`, '--hangup-after', '1']);
      box.caller = caller;
      await waitFor(() => caller.has('ended') || caller.child.exitCode !== null, 20_000, 'the call to end');
    });
    if (pcap) {
      t.log(`capture of ${pcap.length} bytes`);
      t.true(pcap.length > 1500, `capture of ${pcap.length} bytes`);
      for (const clear of ['INVITE sip', 'BYE sip', 'SIP/2.0 200']) t.is(pcap.indexOf(clear), -1, `"${clear}" in clear`);
    }
    const caller = box.caller!;
    t.truthy(caller.find('answered'), caller.stdout + caller.stderr);
    t.is(callee.count('incoming'), 1, callee.stdout);
    t.is(callee.count('answered'), 1, callee.stdout);
    await waitFor(() => callee.has('ended'), 5000, 'the callee to see the BYE');
    t.is(callee.count('registration-failed'), 0);
  } finally {
    await box.caller?.stop();
    await callee.stop();
  }
});

test.serial('a call to a TLS server with a bad certificate ends at once with the certificate problem; nothing reaches the server', async (t) => {
  const before = kam.answered();
  for (const [uri, reason] of [
    [`sips:carol@127.0.0.1:${BAD_TLS}`, /TLS certificate is not valid for this host name/],
    [`sip:carol@127.0.0.1:${BAD_TLS + 2};transport=tls`, /TLS certificate is not signed by a trusted CA/],
  ] as const) {
    const p = new SimProcess(['--user', 'dave', '--call', uri, '--ca', ca.ca, '--sip-port', '0']);
    try {
      await waitFor(() => p.has('ended') || p.child.exitCode !== null, 10_000, 'the call to end');
      const ended = p.find('ended');
      t.is(ended?.['status'], 503, p.stdout + p.stderr);
      t.is(ended?.['cause'], 'failed');
      t.regex(String(ended?.['reason']), reason);
      t.false(p.has('answered'));
    } finally {
      await p.stop();
    }
  }
  t.is(kam.answered(), before);
});
