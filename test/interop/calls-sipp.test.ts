/**
 * xsphone against SIPp: SIPp as UAC calling the phone (through Kamailio, digest on INVITE) and as UAS answering it;
 * lost packets (a relay that drops chosen messages once) recovered by retransmission on both sides; a 183 with
 * 100rel that the phone must PRACK; a 302 redirect to a second SIPp that answers. tshark checks the SIP.
 */
import test from 'ava';
import { UdpRelay } from '../support/udp-relay.js';
import { SimProcess, stopAll } from '../support/sim-process.js';
import { Capture } from './calls-capture.js';
import { freeUdpPort, privateKamailio, registeredPhone, SHARED_SIPP_DIR, SIPP_DIR, sipp, type PrivateKamailio } from './calls-peers.js';

const PORT = 5272;
let kam: PrivateKamailio;
let capture: Capture | undefined;
const canCapture = Capture.available();
/** SIP ports of SIPp instances and relays, allocated up front so the capture can filter on them. */
const ports: Record<string, number> = {};
const NAMES = ['uac', 'uas', 'dropUac', 'dropUacRelay', 'dropUas', 'dropUasRelay', 'prack', 'redirect', 'target'];

test.before(async () => {
  kam = privateKamailio('calls-sipp', PORT);
  for (const n of NAMES) ports[n] = await freeUdpPort();
  if (canCapture) {
    const filter = [PORT, ...Object.values(ports)].map((p) => `udp port ${p}`).join(' or ');
    capture = await Capture.start('calls-sipp', filter);
  }
});

test.after.always(async () => {
  await capture?.stop();
  kam?.stop();
});

const media = () => freeUdpPort(true);

/** A phone without a registrar (peer to peer). */
const directPhone = (user: string, extra: Partial<Parameters<typeof SimProcess.start>[0]> = {}) => SimProcess.start({ user, ...extra });

/** A relay match that picks each of these kinds of message once (with loss 1, it drops exactly those). */
function dropOnce(kinds: Array<(text: string) => boolean>, seen: string[]): (data: Buffer) => boolean {
  const left = [...kinds];
  return (data) => {
    const text = data.toString('latin1');
    const i = left.findIndex((k) => k(text));
    if (i < 0) return false;
    left.splice(i, 1);
    seen.push(text.slice(0, text.indexOf('\r\n')) + ' / ' + (/\r\nCSeq:\s*([^\r]+)/i.exec(text)?.[1] ?? ''));
    return true;
  };
}
const request = (method: string) => (t: string) => t.startsWith(`${method} `);
const response = (status: number, method: string) => (t: string) => t.startsWith(`SIP/2.0 ${status} `) && new RegExp(`\\r\\nCSeq:\\s*\\d+ ${method}\\r\\n`, 'i').test(t);

test.serial('SIPp UAC calls xsphone through Kamailio (407 answered), streams PCMU for 3 s and hangs up', async (t) => {
  const bob = await registeredPhone(kam, { user: 'bob', autoAnswer: true });
  try {
    const run = sipp(['-sf', `${SHARED_SIPP_DIR}uac-call.xml`, '-s', 'bob', '-key', 'caller', 'alice', '-au', 'alice', '-ap', 'alicepw',
      '-i', '127.0.0.1', '-p', String(ports['uac']), '-mi', '127.0.0.1', '-mp', String(await media()), `127.0.0.1:${PORT}`]);
    const { code, out } = await run.done;
    t.is(code, 0, out);
    const incoming = await bob.waitFor('incoming', 5_000);
    t.regex(String(incoming['from']), /^sip:alice@/);
    await bob.waitFor('answered', 5_000);
    const end = await bob.waitFor('ended', 5_000);
    t.is(end['cause'], 'remote-hangup');
    t.is(end['duration'], 3);
  } finally {
    await stopAll(bob);
    kam.clear('bob');
  }
});

test.serial('xsphone calls a SIPp UAS directly, which answers with PCMU and takes the BYE', async (t) => {
  const run = sipp(['-sf', `${SHARED_SIPP_DIR}uas-answer.xml`, '-i', '127.0.0.1', '-p', String(ports['uas']), '-mi', '127.0.0.1', '-mp', String(await media()), '-rtp_echo']);
  const alice = await directPhone('alice', { call: `sip:svc@127.0.0.1:${ports['uas']}`, hangupAfter: 2 });
  try {
    await alice.waitFor('answered', 10_000);
    const end = await alice.waitFor('ended', 10_000);
    t.is(end['cause'], 'hangup');
    t.is(end['duration'], 2);
    const { code, out } = await run.done;
    t.is(code, 0, out);
  } finally {
    run.kill();
    await stopAll(alice);
  }
});

test.serial('lost packets, SIPp calling: the first INVITE and the first 200 OK are dropped; retransmissions complete the call', async (t) => {
  const bob = await directPhone('bob', { autoAnswer: true });
  const dropped: string[] = [];
  const relay = await UdpRelay.start({ address: '127.0.0.1', port: bob.sipPort },
    { loss: 1, match: dropOnce([request('INVITE'), response(200, 'INVITE')], dropped) }, ports['dropUacRelay']);
  try {
    const run = sipp(['-sf', `${SHARED_SIPP_DIR}uac-call.xml`, '-s', 'bob', '-key', 'caller', 'alice',
      '-i', '127.0.0.1', '-p', String(ports['dropUac']), '-mi', '127.0.0.1', '-mp', String(await media()), `127.0.0.1:${relay.port}`]);
    const { code, out } = await run.done;
    t.is(code, 0, out);
    t.is(relay.stats.dropped, 2, dropped.join('\n'));
    t.regex(dropped[0]!, /^INVITE /);
    t.regex(dropped[1]!, /^SIP\/2.0 200 .* INVITE$/);
    await bob.waitFor('answered', 5_000);
    const end = await bob.waitFor('ended', 5_000);
    t.is(end['cause'], 'remote-hangup');
    t.is(bob.count('incoming'), 1, 'the retransmitted INVITE is one call');
  } finally {
    relay.close();
    await stopAll(bob);
  }
});

test.serial('lost packets, xsphone calling: the first 200 OK, ACK, BYE and 200 (BYE) are dropped; both sides retransmit', async (t) => {
  const dropped: string[] = [];
  const relay = await UdpRelay.start({ address: '127.0.0.1', port: ports['dropUas']! },
    { loss: 1, match: dropOnce([response(200, 'INVITE'), request('ACK'), request('BYE'), response(200, 'BYE')], dropped) }, ports['dropUasRelay']);
  const run = sipp(['-sf', `${SIPP_DIR}uas-answer-via.xml`, '-key', 'contact_port', String(relay.port),
    '-i', '127.0.0.1', '-p', String(ports['dropUas']), '-mi', '127.0.0.1', '-mp', String(await media()), '-rtp_echo']);
  const alice = await directPhone('alice', { call: `sip:svc@127.0.0.1:${relay.port}`, hangupAfter: 1 });
  try {
    await alice.waitFor('answered', 10_000);
    const end = await alice.waitFor('ended', 15_000);
    t.is(end['cause'], 'hangup');
    const { code, out } = await run.done;
    t.is(code, 0, out);
    t.is(relay.stats.dropped, 4, dropped.join('\n'));
    t.is(alice.count('answered'), 1, 'the retransmitted 200 OK is one answer');
  } finally {
    run.kill();
    relay.close();
    await stopAll(alice);
  }
});

test.serial('183 Session Progress with Require: 100rel and RSeq: xsphone sends PRACK (RAck 1 n INVITE), then the call is answered', async (t) => {
  const run = sipp(['-sf', `${SIPP_DIR}uas-100rel.xml`, '-i', '127.0.0.1', '-p', String(ports['prack']), '-mi', '127.0.0.1', '-mp', String(await media()), '-rtp_echo']);
  const alice = await directPhone('alice', { call: `sip:svc@127.0.0.1:${ports['prack']}`, hangupAfter: 1 });
  try {
    await alice.waitFor('ringing', 10_000);
    await alice.waitFor('answered', 10_000);
    const end = await alice.waitFor('ended', 10_000);
    t.is(end['cause'], 'hangup');
    // SIPp checks Supported: 100rel on the INVITE and RAck on the PRACK, and fails otherwise.
    const { code, out } = await run.done;
    t.is(code, 0, out);
  } finally {
    run.kill();
    await stopAll(alice);
  }
});

test.serial('302 Moved Temporarily: xsphone follows the Contact to a second SIPp, which answers', async (t) => {
  const target = sipp(['-sf', `${SHARED_SIPP_DIR}uas-answer.xml`, '-i', '127.0.0.1', '-p', String(ports['target']), '-mi', '127.0.0.1', '-mp', String(await media()), '-rtp_echo']);
  const redirect = sipp(['-sf', `${SIPP_DIR}uas-302.xml`, '-key', 'target', `sip:svc@127.0.0.1:${ports['target']}`, '-i', '127.0.0.1', '-p', String(ports['redirect'])]);
  const alice = await directPhone('alice', { call: `sip:svc@127.0.0.1:${ports['redirect']}`, hangupAfter: 1 });
  try {
    await alice.waitFor('answered', 10_000);
    const end = await alice.waitFor('ended', 10_000);
    t.is(end['cause'], 'hangup');
    const r = await redirect.done;
    t.is(r.code, 0, r.out);
    const a = await target.done;
    t.is(a.code, 0, a.out);
    t.is(alice.count('ended'), 1, 'the redirect is not reported as the end of the call');
  } finally {
    target.kill();
    redirect.kill();
    await stopAll(alice);
  }
});

(canCapture ? test.serial : test.serial.skip)('tshark decodes every SIP message of the SIPp runs, none malformed', async (t) => {
  await capture!.stop();
  const sip = capture!.sipCount();
  t.true(sip > 40, `${sip} SIP messages captured`);
  t.deepEqual(capture!.sipProblems(), [], 'SIP packets flagged by tshark');
});
