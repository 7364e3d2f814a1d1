/**
 * Call transfer with baresip 1.0 through Kamailio (issue 7): baresip (dave) calls xsphone alice, then transfers her
 * to xsphone carol with REFER. alice, the transferee, calls carol and reports the outcome in NOTIFY sipfrag; carol
 * answers; baresip's call ends once the transfer succeeded. Kamailio and baresip are this file's own.
 */
import test from 'ava';
import { stopAll, type SimProcess } from '../support/sim-process.js';
import { BaresipCtl, privateKamailio, registeredPhone, type PrivateKamailio } from './calls-peers.js';
import { ensurePeersIn, privatePeers, stopPeer } from './peers.js';

const PORT = 5279;
const env = privatePeers('transfer-baresip', PORT);
const DAVE_CTRL = 6086;
let kam: PrivateKamailio;
let ctl: BaresipCtl;

test.before(async () => {
  ensurePeersIn(env, 'kamailio', 'baresip:dave');
  kam = privateKamailio('transfer-baresip', PORT);
  ctl = await BaresipCtl.connect(DAVE_CTRL);
});

test.after.always(() => {
  ctl?.close();
  stopPeer('baresip-dave', env);
  stopPeer('kamailio', env);
});

test.serial('baresip transfers its call with xsphone alice to xsphone carol: alice calls carol, carol answers, baresip drops out', async (t) => {
  let alice: SimProcess | undefined;
  let carol: SimProcess | undefined;
  try {
    alice = await registeredPhone(kam, { user: 'alice', autoAnswer: true, logLevel: 'info' });
    carol = await registeredPhone(kam, { user: 'carol', autoAnswer: true, logLevel: 'info' });
    const from = ctl.events.length;
    const dial = await ctl.command('dial', `sip:alice@127.0.0.1:${PORT}`);
    t.true(dial.ok, JSON.stringify(dial));
    await ctl.waitEvent('CALL_ESTABLISHED', 15_000, from);
    await alice.waitFor('answered', 10_000);
    const transfer = await ctl.command('transfer', `sip:carol@127.0.0.1:${PORT}`);
    t.true(transfer.ok, JSON.stringify(transfer));
    const incoming = await carol.waitFor('incoming', 15_000);
    t.regex(String(incoming['from']), /^sip:alice@/);
    await carol.waitFor('answered', 10_000);
    // alice: the call with baresip ends, and her new call (to carol) is answered.
    await alice.waitFor('ended', 15_000);
    t.is(alice.count('answered'), 2);
    await ctl.waitEvent('CALL_CLOSED', 15_000, from);
    t.false(carol.has('ended'), 'alice and carol are still talking');
  } finally {
    await stopAll(alice, carol);
    kam?.clear('alice', 'carol');
  }
});

test.serial('xsphone alice transfers her call with baresip to xsphone carol with the keys: baresip calls carol, alice is free', async (t) => {
  const { SimPhone } = await import('../../host-sim/sim-phone.js');
  const { validateSettings } = await import('../../src/phone/settings.js');
  const v = validateSettings({
    accounts: [{ user: 'alice', password: 'alicepw', domain: '127.0.0.1', registrar: `sip:127.0.0.1:${PORT}` }],
    contacts: [{ name: 'carol', number: '103', uri: `sip:carol@127.0.0.1:${PORT}` }],
  });
  if (!v.ok) throw new Error(v.errors.join('; '));
  let carol: SimProcess | undefined;
  const alice = await SimPhone.start({ id: 'alice', settings: v.value, address: '127.0.0.1', sipPort: 0, logLevel: 'error' });
  try {
    carol = await registeredPhone(kam, { user: 'carol', autoAnswer: true, logLevel: 'info' });
    const deadline = Date.now() + 10_000;
    while (alice.app.phone.lines[0]!.registration !== 'registered' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.is(alice.app.phone.lines[0]!.registration, 'registered');
    const from = ctl.events.length;
    alice.app.phone.dial(`sip:dave@127.0.0.1:${PORT}`);
    await ctl.waitEvent('CALL_ESTABLISHED', 15_000, from);
    const until = Date.now() + 10_000;
    while (alice.app.phone.calls[0]?.phase !== 'connected' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    t.is(alice.app.phone.calls[0]?.phase, 'connected');
    for (const k of ['transfer', '1', '0', '3', 'transfer'] as const) alice.press(k);
    const incoming = await carol.waitFor('incoming', 15_000);
    t.regex(String(incoming['from']), /^sip:dave@/);
    await carol.waitFor('answered', 10_000);
    const done = Date.now() + 10_000;
    while (alice.app.phone.calls.length > 0 && Date.now() < done) await new Promise((r) => setTimeout(r, 50));
    t.is(alice.app.phone.calls.length, 0, 'alice is free');
    t.is(alice.app.phone.notice, 'Call transferred');
  } finally {
    await alice.stop();
    await stopAll(carol);
    kam?.clear('alice', 'carol');
  }
});
