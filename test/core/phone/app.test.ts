import test, { type ExecutionContext } from 'ava';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../hal/soft/crypto.js';
import { buildRequest } from '../../../src/sip/build.js';
import type { SipResponse } from '../../../src/sip/message.js';
import { sipCodec, SipTransport } from '../../../src/sip/transport/index.js';
import { UserAgent } from '../../../src/sip/ua/user-agent.js';
import { formatUri } from '../../../src/sip/uri.js';
import { PhoneApp, type AppEvent } from '../../../src/phone/app.js';
import { createSipCalls } from '../../../src/phone/sip-calls.js';
import { validateSettings, type Settings } from '../../../src/phone/settings.js';
import { FakeInternet } from '../sip/transport/fake-network.js';
import { SeededRandom } from '../sip/transport/helpers.js';

function settings(user: string, extra: Record<string, unknown> = {}): Settings {
  const v = validateSettings({ accounts: [{ user, domain: 'lab', password: '' }], incoming: 'own-user', ...extra });
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

async function setup() {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const events: Record<string, AppEvent[]> = { alice: [], bob: [] };
  const start = (user: string, address: string, seed: number) =>
    PhoneApp.start({
      hal: { clock, random: new SeededRandom(seed), crypto, network: internet.host(address) },
      settings: settings(user), address, sipPort: 5060, calls: createSipCalls, onEvent: (e) => events[user]!.push(e),
    });
  const alice = await start('alice', '10.0.0.1', 1);
  const bob = await start('bob', '10.0.0.2', 2);
  await flush(clock, 20);
  return { clock, internet, alice, bob, events, crypto };
}

const rtpBetween = (internet: FakeInternet, from: string, to: string) =>
  internet.datagrams.filter((d) => d.from.address === from && d.to.address === to && d.from.port >= 16384 && d.data[0] === 0x80).length;

test('a call between two phones: ring, answer, RTP both ways, hold and resume, hang up, histories', async (t) => {
  const { clock, internet, alice, bob, events } = await setup();
  alice.phone.dial('sip:bob@10.0.0.2');
  await flush(clock, 200);
  t.is(bob.phone.calls[0]?.phase, 'incoming');
  t.is(bob.phone.tone, 'ring');
  t.is(alice.phone.calls[0]?.phase, 'ringback');
  bob.press('soft1'); // Answer
  await flush(clock, 1000);
  t.is(alice.phone.calls[0]?.phase, 'connected');
  t.is(bob.phone.calls[0]?.phase, 'connected');
  t.true(rtpBetween(internet, '10.0.0.1', '10.0.0.2') >= 40, 'alice sends RTP');
  t.true(rtpBetween(internet, '10.0.0.2', '10.0.0.1') >= 40, 'bob sends RTP');

  alice.press('hold');
  await flush(clock, 300);
  t.is(alice.phone.calls[0]?.phase, 'held');
  t.true(bob.phone.calls[0]?.remoteHeld);
  alice.press('hold');
  await flush(clock, 300);
  t.is(alice.phone.calls[0]?.phase, 'connected');
  t.false(bob.phone.calls[0]?.remoteHeld);

  bob.press('soft4'); // End
  await flush(clock, 300);
  t.is(alice.phone.calls.length, 0);
  t.is(bob.phone.calls.length, 0);
  t.is(alice.phone.history.entries[0]?.kind, 'dialled');
  t.is(bob.phone.history.entries[0]?.kind, 'received');
  t.deepEqual(events.alice!.map((e) => e.type), ['ringing', 'answered', 'ended']);
  t.deepEqual(events.bob!.map((e) => e.type), ['incoming', 'answered', 'ended']);
  const ended = events.alice!.at(-1)!;
  t.is(ended.type === 'ended' && ended.cause, 'remote-hangup');
  // The event carries how the audio went: both ways, nothing lost on this network, the MOS of a clean call (the
  // short hold above added no lasting delay).
  const media = ended.type === 'ended' ? ended.media : undefined;
  t.truthy(media);
  t.true(media!.packetsSent >= 40 && media!.packetsReceived >= 40, JSON.stringify(media));
  t.is(media!.packetsLost, 0);
  t.is(media!.lossPercent, 0);
  t.true(media!.mos > 4.2 && media!.mos <= 4.5, `MOS ${media!.mos}`);
  await alice.stop();
  await bob.stop();
});

test('a call that is not answered shows the failure; busy gets 486 on the caller screen', async (t) => {
  const { clock, alice, bob, events } = await setup();
  alice.phone.dial('sip:bob@10.0.0.2');
  await flush(clock, 200);
  bob.press('soft2'); // Reject
  await flush(clock, 300);
  t.is(alice.phone.calls.length, 0);
  t.is(alice.phone.notice, 'Busy: 486 Busy Here');
  // No audio flowed: the ended event has no media figures.
  const ended = events.alice!.at(-1)!;
  t.true(ended.type === 'ended' && ended.status === 486 && ended.media === undefined);
  t.is(bob.phone.history.entries[0]?.kind, 'missed');
  await alice.stop();
  await bob.stop();
});

test('no ghost calls: an INVITE for another user is refused with 404 and never rings', async (t) => {
  const { clock, internet, bob } = await setup();
  const random = new SeededRandom(9);
  const transport = await SipTransport.open({ network: internet.host('10.0.0.66'), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
  const scanner = new UserAgent({ clock, random, crypto: new SoftCrypto(), transport, host: '10.0.0.66' });
  const got: SipResponse[] = [];
  for (const user of ['100', 'carol', 'admin']) {
    const invite = buildRequest({
      method: 'INVITE', uri: `sip:${user}@10.0.0.2`, from: `<sip:x@10.0.0.66>;tag=${scanner.newTag()}`, to: `<sip:${user}@10.0.0.2>`,
      callId: scanner.newCallId(), cseq: 1, contact: '<sip:x@10.0.0.66>',
    });
    scanner.send(invite, { onResponse: (r) => r.status >= 200 && got.push(r), onFailure: () => {} });
  }
  await flush(clock, 300);
  t.deepEqual(got.map((r) => r.status), [404, 404, 404]);
  t.is(bob.phone.calls.length, 0);
  t.is(bob.phone.history.entries.length, 0);
  await bob.stop();
});

test('registrar-only: with a registrar configured, a direct INVITE from elsewhere gets 403 and never rings', async (t) => {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const s = validateSettings({ accounts: [{ user: 'bob', domain: 'lab', password: 'x', registrar: 'sip:10.0.0.9' }] });
  if (!s.ok) throw new Error(s.errors.join());
  t.is(s.value.incoming, 'registrar-only');
  const bob = await PhoneApp.start({
    hal: { clock, random: new SeededRandom(2), crypto: new SoftCrypto(), network: internet.host('10.0.0.2') },
    settings: s.value, address: '10.0.0.2', sipPort: 5060, calls: createSipCalls,
  });
  const random = new SeededRandom(5);
  const transport = await SipTransport.open({ network: internet.host('10.0.0.66'), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
  const stranger = new UserAgent({ clock, random, crypto: new SoftCrypto(), transport, host: '10.0.0.66' });
  const got: number[] = [];
  stranger.send(buildRequest({
    method: 'INVITE', uri: 'sip:bob@10.0.0.2', from: `<sip:eve@10.0.0.66>;tag=${stranger.newTag()}`, to: '<sip:bob@10.0.0.2>',
    callId: stranger.newCallId(), cseq: 1, contact: '<sip:eve@10.0.0.66>',
  }), { onResponse: (r) => r.status >= 200 && got.push(r.status), onFailure: () => {} });
  await flush(clock, 300);
  t.deepEqual(got, [403]);
  t.is(bob.phone.calls.length, 0);
  void bob.stop();
  await flush(clock, 40_000, 1000);
});

test('network drop and return: the phone registers again within seconds, not at the next refresh', async (t) => {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const random = new SeededRandom(3);
  const regTransport = await SipTransport.open({ network: internet.host('10.0.0.9'), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
  const registrar = new UserAgent({ clock, random, crypto, transport: regTransport, host: '10.0.0.9' });
  const registers: number[] = [];
  registrar.handle('REGISTER', (req, tx) => {
    registers.push(clock.now());
    const c = req.contact;
    registrar.respond(tx, req, 200, undefined, { headers: { Contact: `${c === '*' ? '*' : `<sip:bob@10.0.0.2:5060>`};expires=3600` } });
  });
  const s = validateSettings({ accounts: [{ user: 'bob', domain: 'lab', password: 'x', registrar: 'sip:10.0.0.9' }] });
  if (!s.ok) throw new Error(s.errors.join());
  const network = internet.host('10.0.0.2');
  const events: AppEvent[] = [];
  const bob = await PhoneApp.start({ hal: { clock, random: new SeededRandom(2), crypto, network }, settings: s.value, address: '10.0.0.2', sipPort: 5060, onEvent: (e) => events.push(e) });
  await flush(clock, 100);
  t.is(registers.length, 1);
  t.is(bob.screen().status.registration, 'Registered');
  // The interface goes away and comes back: one REGISTER within a few seconds, though the refresh is 50 minutes off.
  network.addresses.splice(0, 1);
  await flush(clock, 3000, 100);
  network.addresses.push('10.0.0.2');
  const back = clock.now();
  await flush(clock, 5000, 100);
  t.is(registers.length, 2);
  t.true(registers[1]! - back <= 2100, `registered again ${registers[1]! - back} ms after the network returned`);
  t.is(events.filter((e) => e.type === 'registered').length, 2);
  void bob.stop();
  await flush(clock, 1000, 100);
});

/** A phone behind a NAT registers to 10.0.0.9, which then calls the Contact it stored: does the phone ring? */
async function callBehindNat(t: ExecutionContext, rewriteContact: boolean | undefined): Promise<{ rings: boolean; contact: string }> {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  internet.nat('10.0.0.2', '203.0.113.5');
  const crypto = new SoftCrypto();
  const random = new SeededRandom(3);
  const regTransport = await SipTransport.open({ network: internet.host('10.0.0.9'), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
  const registrar = new UserAgent({ clock, random, crypto, transport: regTransport, host: '10.0.0.9' });
  let contact = '';
  registrar.handle('REGISTER', (req, tx) => {
    const c = req.contact;
    if (c !== '*' && c[0]) contact = formatUri(c[0].uri);
    registrar.respond(tx, req, 200, undefined, { headers: { Contact: `<${contact}>;expires=3600` } });
  });
  const registered: AppEvent[] = [];
  const account = { user: 'bob', domain: 'lab', password: 'x', registrar: 'sip:10.0.0.9', ...(rewriteContact === undefined ? {} : { rewriteContact }) };
  const s = validateSettings({ accounts: [account] });
  if (!s.ok) throw new Error(s.errors.join());
  const bob = await PhoneApp.start({
    hal: { clock, random: new SeededRandom(2), crypto, network: internet.host('10.0.0.2') }, settings: s.value, address: '10.0.0.2', sipPort: 5060, calls: createSipCalls,
    onEvent: (e) => void (e.type === 'registered' && registered.push(e)),
  });
  await flush(clock, 100);
  // The registered event says which Contact the registrar has.
  t.true(registered.length === 1 && registered[0]!.type === 'registered' && registered[0]!.contact === contact, JSON.stringify(registered));
  const sdp = 'v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
  const invite = buildRequest({
    method: 'INVITE', uri: contact, from: `<sip:alice@lab>;tag=${registrar.newTag()}`, to: '<sip:bob@lab>',
    callId: registrar.newCallId(), cseq: 1, contact: '<sip:alice@10.0.0.9>', contentType: 'application/sdp', body: sdp,
  });
  registrar.send(invite, { onResponse: () => {}, onFailure: () => {} });
  await flush(clock, 500);
  const rings = bob.phone.calls.length === 1;
  void bob.stop();
  await flush(clock, 40_000, 1000);
  return { rings, contact };
}

test('behind a NAT the phone registers its public address, so calls routed to its Contact ring it (rewriteContact: false opts out)', async (t) => {
  const on = await callBehindNat(t, undefined);
  t.is(on.contact, 'sip:bob@203.0.113.5:61000');
  t.true(on.rings);
  const off = await callBehindNat(t, false);
  t.is(off.contact, 'sip:bob@10.0.0.2:5060');
  t.false(off.rings);
});

async function three() {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  const contacts = [{ name: 'carol', number: '103', uri: 'sip:carol@10.0.0.3' }];
  const start = (user: string, address: string, seed: number) =>
    PhoneApp.start({
      hal: { clock, random: new SeededRandom(seed), crypto, network: internet.host(address) },
      settings: settings(user, { contacts }), address, sipPort: 5060, calls: createSipCalls,
    });
  const apps = { alice: await start('alice', '10.0.0.1', 1), bob: await start('bob', '10.0.0.2', 2), carol: await start('carol', '10.0.0.3', 3) };
  await flush(clock, 20);
  return { clock, ...apps };
}

test('blind transfer: bob sends alice to carol with REFER; alice and carol talk, bob is free', async (t) => {
  const { clock, alice, bob, carol } = await three();
  alice.phone.dial('sip:bob@10.0.0.2');
  await flush(clock, 200);
  bob.press('soft1');
  await flush(clock, 300);
  t.is(bob.phone.calls[0]?.phase, 'connected');
  bob.press('transfer');
  for (const k of ['1', '0', '3'] as const) bob.press(k);
  bob.press('transfer');
  await flush(clock, 300);
  t.is(carol.phone.calls[0]?.phase, 'incoming');
  t.is(carol.phone.calls[0]?.remote, 'alice');
  carol.press('soft1');
  await flush(clock, 500);
  t.is(carol.phone.calls[0]?.phase, 'connected');
  t.is(alice.phone.calls.length, 1);
  t.is(alice.phone.calls[0]?.remote, 'carol');
  t.is(alice.phone.calls[0]?.phase, 'connected');
  t.is(bob.phone.calls.length, 0);
  t.is(bob.phone.notice, 'Call transferred');
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('attended transfer: bob consults carol, then joins alice and carol with REFER/Replaces', async (t) => {
  const { clock, alice, bob, carol } = await three();
  alice.phone.dial('sip:bob@10.0.0.2');
  await flush(clock, 200);
  bob.press('soft1');
  await flush(clock, 300);
  bob.press('transfer');
  for (const k of ['1', '0', '3'] as const) bob.press(k);
  bob.press('soft3'); // Consult
  await flush(clock, 300);
  t.is(carol.phone.calls[0]?.remote, 'bob');
  carol.press('soft1');
  await flush(clock, 300);
  t.is(bob.phone.calls.length, 2);
  bob.press('transfer');
  await flush(clock, 800);
  t.is(bob.phone.calls.length, 0, 'both of bob\'s legs ended');
  t.is(alice.phone.calls.length, 1);
  t.is(alice.phone.calls[0]?.remote, 'carol');
  t.is(alice.phone.calls[0]?.phase, 'connected');
  t.is(carol.phone.calls.length, 1, 'the new call replaced the one with bob');
  t.is(carol.phone.calls[0]?.remote, 'alice');
  t.is(carol.phone.calls[0]?.phase, 'connected');
  await Promise.all([alice.stop(), bob.stop(), carol.stop()]);
});

test('instant messages both ways, a failed one shown, and the voicemail light from an unsolicited NOTIFY', async (t) => {
  const { clock, internet, alice, bob } = await setup();
  const outcomes: boolean[] = [];
  alice.services!.sendMessage(0, 'sip:bob@10.0.0.2', 'lunch?', (o) => outcomes.push(o.delivered));
  await flush(clock, 100);
  t.deepEqual(outcomes, [true]);
  t.is(bob.phone.notice, 'Message from alice: lunch?');
  t.deepEqual(bob.phone.lastMessage, { from: 'alice', text: 'lunch?' });
  alice.services!.sendMessage(0, 'sip:nobody@10.0.0.9', 'hello?');
  await flush(clock, 33_000, 500);
  t.is(alice.phone.notice, 'Message to sip:nobody@10.0.0.9 failed: 408 Request Timeout');

  const random = new SeededRandom(11);
  const transport = await SipTransport.open({ network: internet.host('10.0.0.9'), clock, random, codec: sipCodec(), udp: { port: 5060 }, tcp: false });
  const pbx = new UserAgent({ clock, random, crypto: new SoftCrypto(), transport, host: '10.0.0.9' });
  const got: number[] = [];
  pbx.send(buildRequest({
    method: 'NOTIFY', uri: 'sip:bob@10.0.0.2', from: `<sip:vm@10.0.0.9>;tag=${pbx.newTag()}`, to: '<sip:bob@10.0.0.2>', callId: pbx.newCallId(), cseq: 1,
    headers: { Event: 'message-summary', 'Subscription-State': 'active' }, contentType: 'application/simple-message-summary',
    body: 'Messages-Waiting: yes\r\nMessage-Account: sip:bob@10.0.0.9\r\nVoice-Message: 2/8 (0/2)\r\n',
  }), { onResponse: (r) => got.push(r.status), onFailure: () => {} });
  await flush(clock, 100);
  t.deepEqual(got, [200]);
  t.deepEqual(bob.phone.lines[0]!.mwi, { waiting: true, newMessages: 2, oldMessages: 8 });
  t.true(bob.screen().status.icons.includes('MWI 2'));
  await alice.stop();
  await bob.stop();
});
