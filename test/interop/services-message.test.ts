/**
 * MESSAGE (RFC 3428) through Kamailio with digest, against SIPp scenarios written for it: xsphone -> SIPp UAS
 * (registered with the shared register-auth.xml), SIPp UAC -> xsphone, and the failures Kamailio reports.
 * Uses load accounts (load1711...) so no other test's registrations are disturbed; bindings are removed after.
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { accountOf } from '../../src/sip/services/account.js';
import { Messaging, type IncomingMessage, type MessageOutcome } from '../../src/sip/services/message.js';
import { Registration } from '../../src/sip/ua/registration.js';
import type { UserAgent } from '../../src/sip/ua/user-agent.js';
import { parseUri, type SipUri } from '../../src/sip/uri.js';
import { closeUserAgent, hostUserAgent } from './host-ua.js';
import { ensurePeers, kamcmd, KAMAILIO, PEERS, registeredContacts, udpListening, waitFor } from './peers.js';

const SCENARIOS = fileURLToPath(new URL('../../../test/interop/sipp/', import.meta.url));
const trace = process.env['SIPP_TRACE'] ? ['-trace_msg', '-trace_err'] : [];
const PROXY = `${KAMAILIO.address}:${KAMAILIO.port}`;

function sipp(file: string, args: string[], limitMs = 20_000): { done: Promise<{ code: number | null; output: string }>; kill(): void } {
  const child = spawn('sipp', ['-sf', file, '-i', '127.0.0.1', '-m', '1', '-timeout', `${Math.ceil(limitMs / 1000)}s`, '-timeout_error', '-nostdin', ...trace, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
  let output = '';
  child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs + 5_000);
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, output: output.slice(-2000) });
  }));
  return { done, kill: () => child.kill('SIGKILL') };
}

function forget(user: string): void {
  try {
    kamcmd('ul.rm', 'location', user);
  } catch {
    // not registered
  }
}

/** Registers a host UA; services must claim their methods first, since REGISTER's Allow tells Kamailio what to route. */
async function registered(user: string, install: (ua: UserAgent) => void = () => {}) {
  const ua = await hostUserAgent();
  install(ua);
  const reg = new Registration(ua, { user, password: 'loadpw', domain: '127.0.0.1', registrar: parseUri(`sip:${PROXY}`) as SipUri, expires: 120 });
  reg.start();
  await waitFor(() => reg.state.state === 'registered' || reg.state.state === 'failed', 10_000, `${user} to register`);
  if (reg.state.state !== 'registered') throw new Error(`${user}: ${JSON.stringify(reg.state)}`);
  return { ua, reg };
}

test.before(() => ensurePeers('kamailio'));

test.serial('xsphone -> Kamailio (407 digest) -> SIPp: delivered; unknown user 404 and unregistered user 480 reported', async (t) => {
  forget('load1712');
  const reg = sipp(`${PEERS}sipp/register-auth.xml`, ['-s', 'load1712', '-au', 'load1712', '-ap', 'loadpw', '-p', '15191', PROXY]);
  t.is((await reg.done).code, 0, 'SIPp registered load1712');
  const uas = sipp(`${SCENARIOS}message-uas.xml`, ['-p', '15191']);
  const { ua, reg: xs } = await registered('load1711');
  try {
    await udpListening(15191);
    const m = new Messaging(ua, accountOf(xs));
    const outcomes: MessageOutcome[] = [];
    m.send(`sip:load1712@${PROXY}`, 'xsphone says hello', (o) => outcomes.push(o));
    await waitFor(() => outcomes.length === 1, 10_000, 'the MESSAGE outcome');
    t.deepEqual(outcomes[0], { delivered: true, status: 200 });
    const r = await uas.done;
    t.is(r.code, 0, r.output);
    m.send(`sip:nobody-here@${PROXY}`, 'lost', (o) => outcomes.push(o));
    forget('load1713');
    m.send(`sip:load1713@${PROXY}`, 'offline', (o) => outcomes.push(o));
    await waitFor(() => outcomes.length === 3, 10_000, 'two failures');
    const failures = outcomes.slice(1).map((o) => o.status).sort();
    t.deepEqual(failures, [404, 480]);
    t.true(outcomes.slice(1).every((o) => !o.delivered && 'reason' in o && o.reason.length > 0));
  } finally {
    uas.kill();
    await xs.stop();
    closeUserAgent(ua);
    forget('load1712');
  }
});

test.serial('SIPp -> Kamailio (407 digest) -> xsphone: the message arrives with sender and text, answered 200', async (t) => {
  const got: IncomingMessage[] = [];
  const { ua, reg } = await registered('load1714', (u) => {
    new Messaging(u, { aor: parseUri('sip:load1714@127.0.0.1') as SipUri }, { onMessage: (m) => got.push(m) });
  });
  try {
    const port = ua.transport.localPort('UDP');
    t.true(registeredContacts('load1714').some((c) => c.includes(`:${port}`)));
    const uac = sipp(`${SCENARIOS}message-uac.xml`, ['-s', 'load1714', '-key', 'caller', 'load1715', '-au', 'load1715', '-ap', 'loadpw', '-p', '15192', PROXY]);
    const r = await uac.done;
    t.is(r.code, 0, r.output);
    t.is(got.length, 1);
    t.is(got[0]!.text.trim(), 'Ping from SIPp 1');
    t.is(got[0]!.fromText, 'SIPp sender');
  } finally {
    await reg.stop();
    closeUserAgent(ua);
  }
});

/** A private baresip (the shared peers do not load contact.so, which has the message command) registered as user. */
function privateBaresip(user: string, to: string) {
  const dir = '/tmp/xsphone-svc-baresip';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/config`, [
    'poll_method epoll', 'sip_listen 127.0.0.1:15180', 'audio_player none,none', 'audio_source none,none', 'audio_alert none,none',
    'net_interface 127.0.0.1', 'module_path /usr/lib/baresip/modules', 'module ctrl_tcp.so', 'module g711.so', 'module contact.so',
    'module_tmp account.so', 'module_app menu.so', 'ctrl_tcp_listen 127.0.0.1:16180', '',
  ].join('\n'));
  writeFileSync(`${dir}/accounts`, `<sip:${user}@${PROXY};transport=udp>;auth_user=${user};auth_pass=loadpw;outbound="sip:${PROXY};transport=udp";regint=600\n`);
  writeFileSync(`${dir}/contacts`, `"Target" <${to}>\n`);
  const child = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d: Buffer) => void (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (log += d.toString()));
  return {
    log: () => log,
    ctl: (...args: string[]) => execFileSync(`${PEERS}baresip/ctl.sh`, ['16180', ...args], { encoding: 'utf8', timeout: 10_000 }),
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

test.serial('baresip -> Kamailio (407 digest) -> xsphone: MESSAGE from another SIP stack arrives', async (t) => {
  const got: IncomingMessage[] = [];
  const { ua, reg } = await registered('load1721', (u) => {
    new Messaging(u, { aor: parseUri('sip:load1721@127.0.0.1') as SipUri }, { onMessage: (m) => got.push(m) });
  });
  const b = privateBaresip('load1720', `sip:load1721@${PROXY}`);
  try {
    await waitFor(() => /load1720@127\.0\.0\.1: .*200 OK/.test(b.log()), 10_000, 'baresip to register');
    t.regex(b.ctl('message', 'hello from baresip'), /"ok":true/);
    await waitFor(() => got.length === 1, 10_000, 'the message from baresip');
    t.is(got[0]!.text, 'hello from baresip');
    t.regex(got[0]!.request.header('From')!, /load1720@127\.0\.0\.1/);
    t.regex(got[0]!.request.header('Content-Type')!, /^text\/plain/);
    t.truthy(got[0]!.request.header('User-Agent')?.includes('baresip'));
  } finally {
    b.stop();
    forget('load1720');
    await reg.stop();
    closeUserAgent(ua);
  }
});
