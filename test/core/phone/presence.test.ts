import test from 'ava';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';
import { Logger } from '../../../src/log.js';
import { sipCodec, SipTransport } from '../../../src/sip/transport/index.js';
import { UserAgent } from '../../../src/sip/ua/user-agent.js';
import { PhoneApp } from '../../../src/phone/app.js';
import type { CallControl, CallId } from '../../../src/phone/call-control.js';
import { Phone } from '../../../src/phone/phone.js';
import { buildDialogInfo, ownPresence } from '../../../src/phone/presence.js';
import { renderScreen } from '../../../src/phone/screen.js';
import { createSipCalls } from '../../../src/phone/sip-calls.js';
import { defaultSettings, validateSettings, type Settings } from '../../../src/phone/settings.js';
import { lampState, parseDialogInfo } from '../../../src/sip/services/dialog-info.js';
import { FakeInternet } from '../sip/transport/fake-network.js';
import { SeededRandom } from '../sip/transport/helpers.js';

function settings(raw: Record<string, unknown>): Settings {
  const v = validateSettings(raw);
  if (!v.ok) throw new Error(v.errors.join('; '));
  return v.value;
}

async function flush(clock: VirtualClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(step);
  }
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const lamps = (app: PhoneApp) => app.screen().lamps.map((l) => `${l.label}:${l.state}`);

// ---- settings ----

test('settings: BLF keys are validated with clear errors; publishPresence defaults on with a registrar', (t) => {
  const ok = validateSettings({ blf: [{ label: 'Alice', uri: 'sip:alice@pbx.lab' }, { uri: 'sip:102@pbx.lab' }] });
  t.true(ok.ok);
  if (ok.ok) {
    t.deepEqual(ok.value.blf, [{ label: 'Alice', uri: 'sip:alice@pbx.lab' }, { label: '102', uri: 'sip:102@pbx.lab' }]);
    t.false(ok.value.publishPresence, 'no registrar: nothing to publish to');
  }
  const reg = validateSettings({ accounts: [{ user: 'bob', domain: 'lab', registrar: 'sip:lab' }] });
  t.true(reg.ok && reg.value.publishPresence);
  const off = validateSettings({ accounts: [{ user: 'bob', domain: 'lab', registrar: 'sip:lab' }], publishPresence: false });
  t.true(off.ok && !off.value.publishPresence);
  t.deepEqual(defaultSettings().blf, []);

  const bad = validateSettings({
    blf: [{ label: 'A', uri: 'alice@pbx' }, { label: 'B' }, 'sip:c@pbx', { uri: 'sip:d@pbx', colour: 'red' }, { uri: 'sip:d@pbx' }, { label: '', uri: 'sip:e@pbx' }],
    publishPresence: 'yes',
  });
  t.false(bad.ok);
  if (!bad.ok) {
    t.deepEqual(bad.errors, [
      "settings.blf[0].uri: 'alice@pbx' must be a sip: or sips: URI, e.g. sip:alice@pbx.example.com",
      'settings.blf[1].uri: is required',
      'settings.blf[2]: must be an object',
      'settings.blf[3].colour: is not a known setting (a BLF key has label and uri)',
      "settings.blf[4].uri: 'sip:d@pbx' is already on another BLF key",
      'settings.blf[5].label: must not be empty',
      'settings.publishPresence: must be true or false',
    ]);
  }
  const many = validateSettings({ blf: Array.from({ length: 9 }, (_, i) => ({ uri: `sip:${i}@pbx` })) });
  t.false(many.ok);
  if (!many.ok) t.deepEqual(many.errors, ['settings.blf: has 9 keys; the phone has 8']);
  const notList = validateSettings({ blf: { uri: 'sip:a@pbx' } });
  t.deepEqual(notList.ok ? [] : notList.errors, ['settings.blf: must be a list of { label, uri }']);
});

// ---- the phone state machine and screen ----

class FakeControl implements CallControl {
  log: string[] = [];
  next = 100;
  place(line: number, target: string): CallId {
    this.log.push(`place ${line} ${target}`);
    return this.next++;
  }
  answer(): void {}
  reject(): void {}
  redirect(): void {}
  hangup(call: CallId): void { this.log.push(`hangup ${call}`); }
  hold(call: CallId): void { this.log.push(`hold ${call}`); }
  resume(call: CallId): void { this.log.push(`resume ${call}`); }
  dtmf(): void {}
  mute(): void {}
  blindTransfer(call: CallId, target: string): void { this.log.push(`blind ${call} ${target}`); }
  attendedTransfer(): void {}
  conference(): void {}
}

test('phone: lamps start unknown, follow blf events on the screen; a BLF key calls the colleague or names the transfer target', (t) => {
  const clock = new VirtualClock();
  const control = new FakeControl();
  const s = settings({ blf: [{ label: 'Alice', uri: 'sip:alice@pbx' }, { label: 'Carol', uri: 'sip:carol@pbx' }] });
  const phone = new Phone({ clock, control, settings: s });
  const screen = () => renderScreen(phone, clock.now(), clock.wallTime());
  t.deepEqual(screen().lamps, [{ label: 'Alice', state: 'unknown' }, { label: 'Carol', state: 'unknown' }]);
  phone.handle({ type: 'blf', index: 0, state: 'ringing' });
  phone.handle({ type: 'blf', index: 1, state: 'busy' });
  phone.handle({ type: 'blf', index: 5, state: 'busy' }); // no such key: ignored
  t.deepEqual(screen().lamps.map((l) => l.state), ['ringing', 'busy']);
  t.is(ownPresence(phone), 'available');

  phone.press('blf3'); // no third key: nothing happens
  t.deepEqual(control.log, []);
  phone.press('blf1');
  t.deepEqual(control.log, ['place 0 sip:alice@pbx']);
  t.is(phone.calls[0]?.remote, 'alice');
  t.is(ownPresence(phone), 'on-the-phone');
  phone.press('blf2'); // during a call a BLF key does nothing
  t.is(control.log.length, 1);
  phone.handle({ type: 'answered', call: 100 });
  // Transfer: the BLF key names the target and sends the blind transfer.
  phone.press('transfer');
  phone.press('blf2');
  t.deepEqual(control.log.slice(1), ['hold 100', 'blind 100 sip:carol@pbx']);

  // Settings applied again keep the lamps of keys that stay.
  phone.applySettings(settings({ blf: [{ label: 'Carol', uri: 'sip:carol@pbx' }, { label: 'Dave', uri: 'sip:dave@pbx' }] }));
  t.deepEqual(screen().lamps, [{ label: 'Carol', state: 'busy' }, { label: 'Dave', state: 'unknown' }]);
});

test('dialog-info we send reads back as the lamp a BLF key should show', (t) => {
  const call = (id: number, direction: 'in' | 'out', phase: 'incoming' | 'calling' | 'ringback' | 'connected' | 'held') =>
    ({ id, line: 0, direction, remote: 'x', uri: 'sip:x@y', phase, remoteHeld: false, muted: false, startedAt: 0, wallStart: 0, inConference: false });
  const lamp = (...calls: ReturnType<typeof call>[]) => lampState(parseDialogInfo(buildDialogInfo('sip:alice@lab', 3, calls)).dialogs);
  t.is(lamp(), 'idle');
  t.is(lamp(call(1, 'in', 'incoming')), 'ringing');
  t.is(lamp(call(1, 'out', 'calling')), 'busy');
  t.is(lamp(call(1, 'out', 'ringback')), 'busy');
  t.is(lamp(call(1, 'in', 'connected')), 'busy');
  t.is(lamp(call(1, 'in', 'held'), call(2, 'in', 'incoming')), 'ringing');
  const info = parseDialogInfo(buildDialogInfo('sip:a&b@lab', 7, [call(4, 'in', 'connected')]));
  t.is(info.entity, 'sip:a&b@lab');
  t.is(info.version, 7);
  t.true(info.full);
  t.deepEqual(info.dialogs.map((d) => [d.id, d.direction, d.state]), [['call-4', 'recipient', 'confirmed']]);
});

// ---- BLF between phones on the fake network (peer-to-peer: each phone notifies its own dialog state) ----

async function trio() {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const start = (user: string, address: string, seed: number, extra: Record<string, unknown> = {}) =>
    PhoneApp.start({
      hal: { clock, random: new SeededRandom(seed), crypto, network: internet.host(address) },
      settings: settings({ accounts: [{ user, domain: 'lab', password: '' }], incoming: 'own-user', ...extra }),
      address, sipPort: 5060, calls: createSipCalls,
    });
  const alice = await start('alice', '10.0.0.1', 1);
  const bob = await start('bob', '10.0.0.2', 2, { blf: [{ label: 'Alice', uri: 'sip:alice@10.0.0.1' }] });
  const carol = await start('carol', '10.0.0.3', 3);
  await flush(clock, 200);
  return { clock, internet, crypto, start, alice, bob, carol };
}

test('BLF: bob watches alice; idle, ringing when carol calls her, busy once she answers, idle after hang-up', async (t) => {
  const { clock, alice, bob, carol } = await trio();
  t.deepEqual(lamps(bob), ['Alice:idle']);
  t.is(alice.services!.presence.watchers, 1);
  carol.phone.dial('sip:alice@10.0.0.1');
  await flush(clock, 200);
  t.is(alice.phone.calls[0]?.phase, 'incoming');
  t.deepEqual(lamps(bob), ['Alice:ringing']);
  alice.press('soft1'); // Answer
  await flush(clock, 500);
  t.is(alice.phone.calls[0]?.phase, 'connected');
  t.deepEqual(lamps(bob), ['Alice:busy']);
  carol.press('soft4'); // End
  await flush(clock, 500);
  t.is(alice.phone.calls.length, 0);
  t.deepEqual(lamps(bob), ['Alice:idle']);
  // An outgoing call of alice's makes her busy too.
  alice.phone.dial('sip:carol@10.0.0.3');
  await flush(clock, 200);
  t.deepEqual(lamps(bob), ['Alice:busy']);
  alice.press('soft4');
  await flush(clock, 300);
  t.deepEqual(lamps(bob), ['Alice:idle']);
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('BLF: the subscription is refreshed, and pressing the key calls the colleague', async (t) => {
  const { clock, internet, alice, bob, carol } = await trio();
  const subscribes = () => internet.datagrams.filter((d) => d.to.address === '10.0.0.1' && new TextDecoder().decode(d.data).startsWith('SUBSCRIBE ')).length;
  t.is(subscribes(), 1);
  await flush(clock, 700_000, 5000); // past the 600 s the subscription asked for
  t.true(subscribes() >= 2, 'refreshed before it expired');
  t.is(alice.services!.presence.watchers, 1);
  t.deepEqual(lamps(bob), ['Alice:idle']);
  bob.press('blf1');
  await flush(clock, 200);
  t.is(alice.phone.calls[0]?.phase, 'incoming');
  t.is(alice.phone.calls[0]?.remote, 'bob');
  t.is(bob.phone.calls[0]?.phase, 'ringback');
  t.deepEqual(lamps(bob), ['Alice:ringing']);
  bob.press('soft4');
  await flush(clock, 300);
  t.deepEqual(lamps(bob), ['Alice:idle']);
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('BLF: a colleague that goes away shows unknown; the key watches again later and shows idle once she is back', async (t) => {
  const { clock, start, alice, bob, carol } = await trio();
  t.deepEqual(lamps(bob), ['Alice:idle']);
  await alice.stop(); // its notifier ends the subscription (noresource)
  await flush(clock, 200);
  t.deepEqual(lamps(bob), ['Alice:unknown']);
  const again = await start('alice', '10.0.0.1', 11);
  await flush(clock, 200);
  t.deepEqual(lamps(bob), ['Alice:unknown'], 'not before the retry delay');
  await flush(clock, 300_000, 5000);
  t.deepEqual(lamps(bob), ['Alice:idle']);
  t.is(again.services!.presence.watchers, 1);
  await Promise.all([again.stop(), bob.stop(), carol.stop()]);
});

test('BLF: a colleague whose phone vanishes without a word shows unknown once the refresh fails, and idle when it is back', async (t) => {
  const { clock, internet, alice, bob, carol } = await trio();
  t.deepEqual(lamps(bob), ['Alice:idle']);
  internet.drop = (d) => d.to.address === '10.0.0.1' || d.from.address === '10.0.0.1';
  await flush(clock, 600_000, 5000); // the refresh (due before 600 s) times out
  t.deepEqual(lamps(bob), ['Alice:unknown']);
  internet.drop = undefined;
  await flush(clock, 400_000, 5000); // the subscription is made again
  t.deepEqual(lamps(bob), ['Alice:idle']);
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('BLF: new settings with other keys watch the new colleagues; a key that stays keeps its lamp', async (t) => {
  const { clock, alice, bob, carol } = await trio();
  carol.phone.dial('sip:alice@10.0.0.1');
  await flush(clock, 200);
  t.deepEqual(lamps(bob), ['Alice:ringing']);
  bob.phone.applySettings({ ...bob.settings, blf: [{ label: 'Carol', uri: 'sip:carol@10.0.0.3' }, { label: 'Alice', uri: 'sip:alice@10.0.0.1' }] });
  t.deepEqual(lamps(bob), ['Carol:unknown', 'Alice:ringing']);
  await flush(clock, 200);
  t.deepEqual(lamps(bob), ['Carol:busy', 'Alice:ringing']);
  t.is(alice.services!.presence.watchers, 1, 'the old watch ended, the new one took its place');
  carol.press('soft4');
  await flush(clock, 300);
  t.deepEqual(lamps(bob), ['Carol:idle', 'Alice:idle']);
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('dialog notifier: a watcher that no longer answers its NOTIFYs is dropped', async (t) => {
  const { clock, internet, alice, bob, carol } = await trio();
  t.is(alice.services!.presence.watchers, 1);
  internet.drop = (d) => d.to.address === '10.0.0.2';
  carol.phone.dial('sip:alice@10.0.0.1'); // alice rings: her NOTIFY to bob goes unanswered
  await flush(clock, 40_000, 500);
  t.is(alice.services!.presence.watchers, 0);
  internet.drop = undefined;
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('BLF: a colleague whose phone refuses the subscription shows unknown', async (t) => {
  const { clock, internet, alice, carol, start } = await trio();
  // dave's key points at a user alice's phone does not have: 404, and the lamp stays unknown.
  const dave = await start('dave', '10.0.0.4', 4, { blf: [{ label: 'Nobody', uri: 'sip:nobody@10.0.0.1' }, { label: 'Carol', uri: 'sip:carol@10.0.0.3' }] });
  await flush(clock, 300);
  t.deepEqual(lamps(dave), ['Nobody:unknown', 'Carol:idle']);
  const answers = internet.datagrams.filter((d) => d.from.address === '10.0.0.1' && d.to.address === '10.0.0.4').map((d) => new TextDecoder().decode(d.data).split('\r\n')[0]);
  t.deepEqual(answers, ['SIP/2.0 404 Not Found']);
  await Promise.all([alice.stop(), carol.stop(), dave.stop()]);
});

// ---- our own presence published to a presence server ----

interface Published { ifMatch: string | undefined; expires: string | undefined; body: string }

async function withPresenceServer(answer: (p: Published, n: number) => number) {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const random = new SeededRandom(7);
  const transport = await SipTransport.open({ network: internet.host('10.0.0.9'), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
  const server = new UserAgent({ clock, random, crypto, transport, host: '10.0.0.9' });
  server.handle('REGISTER', (req, tx) => server.respond(tx, req, 200, undefined, { headers: { Contact: '<sip:bob@10.0.0.2:5060>;expires=3600' } }));
  const published: Published[] = [];
  let etag = 0;
  server.handle('PUBLISH', (req, tx) => {
    const p = { ifMatch: req.header('SIP-If-Match'), expires: req.header('Expires'), body: new TextDecoder().decode(req.body) };
    published.push(p);
    const status = answer(p, published.length);
    if (status === 200) server.respond(tx, req, 200, undefined, { headers: { 'SIP-ETag': `e${++etag}`, Expires: p.expires ?? '3600' } });
    else server.respond(tx, req, status);
  });
  const logs: string[] = [];
  const bob = await PhoneApp.start({
    hal: { clock, random: new SeededRandom(2), crypto, network: internet.host('10.0.0.2'), log: new Logger('bob', (_l, _a, m) => logs.push(m)) },
    settings: settings({ accounts: [{ user: 'bob', domain: '10.0.0.9', password: 'x', registrar: 'sip:10.0.0.9' }], incoming: 'any' }),
    address: '10.0.0.2', sipPort: 5060, calls: createSipCalls,
  });
  const alice = await PhoneApp.start({
    hal: { clock, random: new SeededRandom(1), crypto, network: internet.host('10.0.0.1') },
    settings: settings({ accounts: [{ user: 'alice', domain: 'lab', password: '' }], incoming: 'any' }),
    address: '10.0.0.1', sipPort: 5060, calls: createSipCalls,
  });
  await flush(clock, 200);
  return { clock, bob, alice, published, logs, server };
}

/** Stops phones while the virtual clock runs (unregistering waits for the registrar's answer). */
async function stopAll(clock: VirtualClock, ...apps: PhoneApp[]): Promise<void> {
  const done = Promise.all(apps.map((a) => a.stop()));
  await flush(clock, 40_000, 1000);
  await done;
}

const activity = (body: string) => (body === '' ? 'refresh' : /<rpid:busy\/>/.test(body) ? 'dnd' : /<rpid:on-the-phone\/>/.test(body) ? 'on-the-phone' : /<basic>open<\/basic>/.test(body) ? 'available' : '?');

test('PUBLISH: available once registered, on the phone during a call, do not disturb, with SIP-If-Match; refreshed without a body', async (t) => {
  const { clock, bob, alice, published } = await withPresenceServer(() => 200);
  t.is(bob.screen().status.registration, 'Registered');
  t.deepEqual(published.map((p) => [activity(p.body), p.ifMatch]), [['available', undefined]]);
  t.is(bob.services!.presence.published(0), 'available');
  bob.press('dnd');
  await flush(clock, 100);
  bob.press('dnd');
  await flush(clock, 100);
  bob.phone.dial('sip:alice@10.0.0.1');
  await flush(clock, 200);
  alice.press('soft1');
  await flush(clock, 300);
  t.is(bob.services!.presence.published(0), 'on-the-phone');
  alice.press('soft4');
  await flush(clock, 300);
  t.deepEqual(published.map((p) => [activity(p.body), p.ifMatch]), [
    ['available', undefined], ['dnd', 'e1'], ['available', 'e2'], ['on-the-phone', 'e3'], ['available', 'e4'],
  ]);
  // The refresh goes out before the hour is up: same state, no body, the last entity-tag.
  await flush(clock, 3_600_000, 10_000);
  const refresh = published[5];
  t.truthy(refresh);
  t.deepEqual([activity(refresh!.body), refresh!.ifMatch, refresh!.expires], ['refresh', 'e5', '3600']);
  // Stopping the phone removes the publication (Expires: 0).
  const n = published.length;
  await stopAll(clock, bob);
  t.deepEqual(published.slice(n).map((p) => [p.ifMatch, p.expires]), [[`e${n}`, '0']]);
  await stopAll(clock, alice);
});

test('PUBLISH: a 412 (the server forgot us) is answered by a fresh PUBLISH with the whole state', async (t) => {
  const { clock, bob, alice, published } = await withPresenceServer((p, n) => (n === 2 ? 412 : 200));
  bob.press('dnd');
  await flush(clock, 200);
  t.deepEqual(published.map((p) => [activity(p.body), p.ifMatch]), [['available', undefined], ['dnd', 'e1'], ['dnd', undefined]]);
  t.is(bob.services!.presence.published(0), 'do-not-disturb');
  await stopAll(clock, bob, alice);
});

test('PUBLISH: a registrar without presence (501) turns publishing off with one log line', async (t) => {
  const { clock, bob, alice, published, logs } = await withPresenceServer(() => 501);
  t.is(published.length, 1);
  t.is(bob.services!.presence.published(0), undefined);
  bob.press('dnd');
  await flush(clock, 200);
  await flush(clock, 300_000, 10_000); // no retry either
  t.is(published.length, 1);
  t.deepEqual(logs.filter((l) => l.includes('PUBLISH')), ['presence publishing off: sip:bob@10.0.0.9 got 501 Not Implemented to PUBLISH']);
  await stopAll(clock, bob, alice);
});
