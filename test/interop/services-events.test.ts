/**
 * Event services against SIPp scenarios written for them (test/interop/sipp/): a message-summary notifier, a
 * dialog-info notifier (busy lamp), a PUBLISH server with ETag/412; and PUBLISH through Kamailio (501).
 * Everything on 127.0.0.1; each SIPp run is bounded by -timeout and a kill timer.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CredentialsCache } from '../../src/sip/auth/credentials-cache.js';
import type { UserAgent } from '../../src/sip/ua/user-agent.js';
import type { ServiceAccount } from '../../src/sip/services/account.js';
import { BusyLamp, type LampState } from '../../src/sip/services/dialog-info.js';
import { Voicemail, type Mwi } from '../../src/sip/services/message-summary.js';
import { PresencePublisher, type PublicationState } from '../../src/sip/services/publish.js';
import { parseUri, type SipUri } from '../../src/sip/uri.js';
import { closeUserAgent, hostUserAgent } from './host-ua.js';
import { ensurePeers, KAMAILIO, udpListening, waitFor } from './peers.js';

const SCENARIOS = fileURLToPath(new URL('../../../test/interop/sipp/', import.meta.url));

interface SippRun {
  done: Promise<{ code: number | null; output: string }>;
  kill(): void;
}

/** SIPP_TRACE=1 keeps SIPp's message logs in /tmp (<scenario>_<pid>_messages.log). */
const trace = process.env['SIPP_TRACE'] ? ['-trace_msg', '-trace_err'] : [];

/** Starts SIPp with a scenario of ours; resolves with its exit code (0: every call passed). */
function sipp(scenario: string, args: string[], limitMs = 20_000): SippRun {
  const child = spawn('sipp', ['-sf', `${SCENARIOS}${scenario}`, '-i', '127.0.0.1', '-m', '1', '-timeout', `${Math.ceil(limitMs / 1000)}s`, '-timeout_error', '-nostdin', ...trace, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
  let output = '';
  child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs + 5_000);
  const done = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.slice(-2000) });
    });
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

const account = (user: string, extra: Partial<ServiceAccount> = {}): ServiceAccount => ({ aor: parseUri(`sip:${user}@127.0.0.1`) as SipUri, ...extra });
const loadCredentials = (ua: UserAgent, user: string) => new CredentialsCache({ crypto: ua.crypto, random: ua.random, credentials: () => ({ username: user, password: 'loadpw' }) });

for (const via of ['direct', 'kamailio'] as const) {
  test.serial(`message-summary (${via}): SIPp voicemail server ${via === 'direct' ? 'NOTIFYs before its 200' : 'behind Kamailio (407, Record-Route)'}; light and counts follow; unsubscribe ends it`, async (t) => {
    const port = via === 'direct' ? 15193 : 15196;
    // Behind the proxy SIPp answers before it notifies: its 200 goes back through Kamailio (SIPp cannot take our
    // reply to an early NOTIFY while its scenario still has the 200 to send).
    const run = sipp(via === 'direct' ? 'mwi-notifier.xml' : 'mwi-notifier-proxied.xml', ['-p', String(port)]);
    await udpListening(port);
    const ua = await hostUserAgent();
    try {
      if (via === 'kamailio') ensurePeers('kamailio');
      // Through Kamailio the SUBSCRIBE is challenged (407) and relayed to the loopback target, record-routed.
      const acc = via === 'direct' ? account('load1701')
        : account('load1701', { outboundProxy: parseUri(`sip:${KAMAILIO.address}:${KAMAILIO.port}`) as SipUri, credentials: loadCredentials(ua, 'load1701') });
      const mwi: Mwi[] = [];
      const vm = new Voicemail(ua, acc, { onMwi: (m) => mwi.push(m), subscribeTo: `sip:vm@127.0.0.1:${port}`, expires: 120 });
      await waitFor(() => mwi.length >= 2, 10_000, 'two message-summary NOTIFYs');
      t.deepEqual(mwi[0], { waiting: true, newMessages: 3, oldMessages: 5, urgentNew: 1 });
      t.deepEqual(mwi[1], { waiting: false, newMessages: 0, oldMessages: 8, urgentNew: 0 });
      t.is(vm.subscription!.state, 'active');
      t.is(vm.subscription!.dialogs.length, 1, 'the NOTIFY and the 200 make one dialog');
      vm.stop();
      await waitFor(() => vm.subscription!.state === 'ended', 10_000, 'the subscription to end');
      const r = await run.done;
      t.is(r.code, 0, r.output);
    } finally {
      run.kill();
      closeUserAgent(ua);
    }
  });
}

test.serial('dialog event: SIPp dialog-info NOTIFYs drive a busy lamp idle -> ringing -> busy -> idle', async (t) => {
  const run = sipp('blf-notifier.xml', ['-p', '15194']);
  await udpListening(15194);
  const ua = await hostUserAgent();
  try {
    const lamps: LampState[] = [];
    const blf = new BusyLamp(ua, account('load1701'), { target: 'sip:carol@127.0.0.1:15194', onLamp: (l) => lamps.push(l) });
    await waitFor(() => lamps.length >= 4, 10_000, 'four lamp changes');
    t.deepEqual(lamps, ['idle', 'ringing', 'busy', 'idle']);
    blf.stop();
    await waitFor(() => blf.subscription.state === 'ended', 10_000, 'the subscription to end');
    const r = await run.done;
    t.is(r.code, 0, r.output);
  } finally {
    run.kill();
    closeUserAgent(ua);
  }
});

test.serial('PUBLISH to a SIPp presence server: ETag refresh, 412 -> fresh PUBLISH with body, removal', async (t) => {
  const run = sipp('publish-uas.xml', ['-p', '15195']);
  await udpListening(15195);
  const ua = await hostUserAgent();
  try {
    const states: PublicationState[] = [];
    const p = new PresencePublisher(ua, account('load1701'), { expires: 4, target: 'sip:presence@127.0.0.1:15195', onState: (s) => states.push(s) });
    p.set('on-the-phone');
    await waitFor(() => states.some((s) => s.state === 'published' && s.etag === 'x2'), 10_000, 'the publication after 412');
    p.remove();
    await waitFor(() => p.publication.state.state === 'removed', 5_000, 'removal');
    const published = states.filter((s) => s.state === 'published').map((s) => (s.state === 'published' ? s.etag : ''));
    t.deepEqual(published, ['x1', 'x2']);
    const r = await run.done;
    t.is(r.code, 0, r.output);
  } finally {
    run.kill();
    closeUserAgent(ua);
  }
});

test.serial('PUBLISH through Kamailio (no presence server): 501 reported as a failure', async (t) => {
  ensurePeers('kamailio');
  const ua = await hostUserAgent();
  let p: PresencePublisher | undefined;
  try {
    const states: PublicationState[] = [];
    const proxy = parseUri(`sip:${KAMAILIO.address}:${KAMAILIO.port}`) as SipUri;
    p = new PresencePublisher(ua, account('load1701', { outboundProxy: proxy, credentials: loadCredentials(ua, 'load1701') }), { onState: (s) => states.push(s) });
    p.set('available');
    await waitFor(() => p!.publication.state.state === 'failed', 10_000, 'the PUBLISH to fail');
    t.like(p.publication.state, { state: 'failed', status: 501 });
  } finally {
    // A failed publication retries in a minute: withdraw it, or its timer keeps the test process alive.
    p?.remove();
    closeUserAgent(ua);
  }
});
