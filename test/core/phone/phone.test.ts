import test from 'ava';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import type { CallControl, CallId } from '../../../src/phone/call-control.js';
import { Phone, failureText } from '../../../src/phone/phone.js';
import { renderScreen } from '../../../src/phone/screen.js';
import { defaultSettings, type Settings } from '../../../src/phone/settings.js';
import type { Key } from '../../../src/phone/keys.js';

class FakeControl implements CallControl {
  log: string[] = [];
  next = 100;
  place(line: number, target: string): CallId {
    this.log.push(`place ${line} ${target}`);
    return this.next++;
  }
  answer(call: CallId): void { this.log.push(`answer ${call}`); }
  reject(call: CallId, status: number): void { this.log.push(`reject ${call} ${status}`); }
  redirect(call: CallId, target: string): void { this.log.push(`redirect ${call} ${target}`); }
  hangup(call: CallId): void { this.log.push(`hangup ${call}`); }
  hold(call: CallId): void { this.log.push(`hold ${call}`); }
  resume(call: CallId): void { this.log.push(`resume ${call}`); }
  dtmf(call: CallId, digit: string): void { this.log.push(`dtmf ${call} ${digit}`); }
  mute(call: CallId, on: boolean): void { this.log.push(`mute ${call} ${on}`); }
  blindTransfer(call: CallId, target: string): void { this.log.push(`blind ${call} ${target}`); }
  attendedTransfer(call: CallId, consult: CallId): void { this.log.push(`attended ${call} ${consult}`); }
  conference(a: CallId, b: CallId, on: boolean): void { this.log.push(`conference ${a} ${b} ${on}`); }
}

function setup(patch: Partial<Settings> = {}) {
  const clock = new VirtualClock();
  const control = new FakeControl();
  const settings: Settings = { ...defaultSettings(), ...patch };
  settings.accounts = patch.accounts ?? [
    { label: 'alice', user: 'alice', password: 'pw', domain: 'example.test', registrar: 'sip:example.test', transport: 'udp', expires: 3600, enabled: true, voicemail: '*97' },
  ];
  let changes = 0;
  let saved: Settings | undefined;
  const phone = new Phone({ clock, control, settings, onChange: () => changes++, onSettingsChange: (s) => (saved = s) });
  const keys = (...ks: Key[]) => ks.forEach((k) => phone.press(k));
  const screen = () => renderScreen(phone, clock.now(), clock.wallTime());
  return { clock, control, phone, keys, screen, changes: () => changes, saved: () => saved };
}

function connectOutgoing(s: ReturnType<typeof setup>, digits = '1001'): CallId {
  s.keys(...(digits.split('') as Key[]), '#');
  const id = s.control.next - 1;
  s.phone.handle({ type: 'progress', call: id, earlyMedia: false });
  s.phone.handle({ type: 'answered', call: id });
  return id;
}

test('idle screen shows line, registration state and soft keys', (t) => {
  const s = setup();
  const sc = s.screen();
  t.is(sc.status.line, 'alice');
  t.is(sc.status.registration, 'Registering');
  t.deepEqual(sc.softKeys, ['Redial', 'History', 'DND', 'Voicemail']);
  s.phone.handle({ type: 'registration', line: 0, state: 'registered' });
  t.is(s.screen().status.registration, 'Registered');
  t.is(s.screen().lines[1], 'Ready');
});

test('registration failure is shown in plain words', (t) => {
  const s = setup();
  s.phone.handle({ type: 'registration', line: 0, state: 'failed', status: 403, reason: 'Forbidden' });
  t.is(s.phone.notice, 'Registration failed: 403 Forbidden');
  t.is(s.screen().lines[3], 'Registration failed: 403 Forbidden');
  t.is(s.screen().status.registration, 'Not registered');
  s.clock.advance(5000);
  t.is(s.phone.notice, undefined);
});

test('off-hook gives dial tone; digits build the number and # sends', (t) => {
  const s = setup();
  s.keys('hook');
  t.is(s.phone.tone, 'dial');
  t.deepEqual(s.screen().lines.slice(0, 2), ['Dial:', '_']);
  s.keys('1', '0');
  t.is(s.phone.tone, null);
  t.is(s.screen().lines[1], '10');
  s.keys('soft2'); // delete
  t.is(s.phone.dialing?.digits, '1');
  s.keys('0', '0', '1', '#');
  t.deepEqual(s.control.log, ['place 0 1001']);
  t.is(s.screen().lines[0], 'Calling 1001');
  t.deepEqual(s.screen().softKeys, ['', '', '', 'End']);
});

test('inter-digit time-out sends what was dialled, exactly at the configured time', (t) => {
  const s = setup({ dialPlan: { map: 'x.', interDigitMs: 3000 } });
  s.keys('2', '0');
  s.clock.advance(2999);
  t.deepEqual(s.control.log, []);
  s.keys('1');
  s.clock.advance(2999);
  t.deepEqual(s.control.log, []);
  s.clock.advance(1);
  t.deepEqual(s.control.log, ['place 0 201']);
});

test('a complete dial-plan match dials at once', (t) => {
  const s = setup({ dialPlan: { map: '911|[2-9]xx', interDigitMs: 4000 } });
  s.keys('9', '1', '1');
  t.deepEqual(s.control.log, ['place 0 911']);
  s.phone.handle({ type: 'ended', call: 100, status: 404, reason: 'Not Found' });
  s.keys('4', '5');
  t.deepEqual(s.control.log, ['place 0 911']);
  s.keys('6');
  t.deepEqual(s.control.log, ['place 0 911', 'place 0 456']);
});

test('cancel and on-hook leave dialing; empty on-hook dialing times out back to idle', (t) => {
  const s = setup();
  s.keys('5', 'soft4');
  t.is(s.phone.dialing, undefined);
  s.keys('hook');
  t.truthy(s.phone.dialing);
  s.keys('hook');
  t.is(s.phone.dialing, undefined);
  t.false(s.phone.offHook);
  s.keys('1');
  s.keys('back');
  s.clock.advance(4000);
  t.is(s.phone.dialing, undefined);
  t.deepEqual(s.control.log, []);
});

test('speed dial: a single digit that is a speed-dial key dials its target', (t) => {
  const s = setup({ speedDial: { '2': 'sip:bob@example.test' } });
  s.keys('2', '#');
  t.deepEqual(s.control.log, ['place 0 sip:bob@example.test']);
  t.is(s.phone.focused?.remote, 'bob');
});

test('outgoing call: ringback, answered with running timer, DTMF, hang-up, history', (t) => {
  const s = setup();
  s.keys('1', '0', '0', '1', '#');
  s.phone.handle({ type: 'progress', call: 100, earlyMedia: false });
  t.is(s.phone.tone, 'ringback');
  t.is(s.screen().lines[0], 'Ringing 1001');
  s.phone.handle({ type: 'answered', call: 100 });
  t.is(s.phone.tone, null);
  s.clock.advance(65_000);
  t.is(s.screen().lines[0], '1001 01:05');
  t.deepEqual(s.screen().softKeys, ['Hold', 'Transfer', '', 'End']);
  s.keys('5', '#');
  t.deepEqual(s.control.log.slice(1), ['dtmf 100 5', 'dtmf 100 #']);
  s.keys('soft4');
  t.is(s.control.log.at(-1), 'hangup 100');
  s.phone.handle({ type: 'ended', call: 100, byRemote: false });
  t.is(s.phone.calls.length, 0);
  const h = s.phone.history.entries[0]!;
  t.is(h.kind, 'dialled');
  t.is(h.duration, 65);
  t.is(h.remote, '1001');
});

test('early media plays no local ringback', (t) => {
  const s = setup();
  s.keys('1', '#');
  s.phone.handle({ type: 'progress', call: 100, earlyMedia: true });
  t.is(s.phone.tone, null);
});

test('failed call shows the reason and busy tone while off-hook', (t) => {
  const s = setup();
  s.keys('hook', '1', '2', '#');
  s.phone.handle({ type: 'ended', call: 100, status: 486, reason: 'Busy Here' });
  t.is(s.phone.notice, 'Busy: 486 Busy Here');
  t.is(s.phone.tone, 'busy');
  t.is(failureText(488), 'No common audio codec: 488');
});

test('redial calls the last dialled number; with none it says so', (t) => {
  const s = setup();
  s.keys('redial');
  t.is(s.phone.notice, 'No number to redial');
  connectOutgoing(s, '777');
  s.keys('soft4');
  s.phone.handle({ type: 'ended', call: 100 });
  s.keys('redial');
  t.is(s.control.log.at(-1), 'place 0 777');
});

test('incoming call rings, answer with the hook, then timer and received history', (t) => {
  const s = setup();
  s.phone.handle({ type: 'incoming', call: 7, line: 0, remote: 'bob', uri: 'sip:bob@example.test', name: 'Bob' });
  t.is(s.phone.tone, 'ring');
  t.is(s.screen().lines[0], 'Incoming: Bob (bob)');
  t.deepEqual(s.screen().softKeys, ['Answer', 'Reject', '', '']);
  s.keys('hook');
  t.deepEqual(s.control.log, ['answer 7']);
  s.phone.handle({ type: 'answered', call: 7 });
  s.clock.advance(3000);
  t.is(s.screen().lines[0], 'Bob (bob) 00:03');
  s.phone.handle({ type: 'ended', call: 7, byRemote: true });
  t.is(s.phone.history.entries[0]!.kind, 'received');
  t.is(s.phone.history.entries[0]!.duration, 3);
});

test('incoming call rejected, and unanswered ones become missed', (t) => {
  const s = setup();
  s.phone.handle({ type: 'incoming', call: 7, line: 0, remote: 'bob', uri: 'sip:bob@x' });
  s.keys('soft2');
  t.deepEqual(s.control.log, ['reject 7 486']);
  s.phone.handle({ type: 'ended', call: 7 });
  t.is(s.phone.history.entries[0]!.kind, 'missed');
  t.is(s.screen().lines[2], '1 missed call');
});

test('do-not-disturb rejects with 486 and logs a missed call; the key toggles and saves', (t) => {
  const s = setup();
  s.keys('dnd');
  t.true(s.phone.settings.dnd);
  t.true(s.saved()!.dnd);
  t.true(s.screen().status.icons.includes('DND'));
  s.phone.handle({ type: 'incoming', call: 9, line: 0, remote: 'eve', uri: 'sip:eve@x' });
  t.deepEqual(s.control.log, ['reject 9 486']);
  t.is(s.phone.calls.length, 0);
  t.is(s.phone.history.entries[0]!.kind, 'missed');
});

test('call forward always, busy and no-answer answer with a redirect', (t) => {
  const always = setup({ forward: { always: 'sip:desk@x', noAnswerSeconds: 20 } });
  always.phone.handle({ type: 'incoming', call: 1, line: 0, remote: 'a', uri: 'sip:a@x' });
  t.deepEqual(always.control.log, ['redirect 1 sip:desk@x']);

  const noAnswer = setup({ forward: { noAnswer: 'sip:vm@x', noAnswerSeconds: 10 } });
  noAnswer.phone.handle({ type: 'incoming', call: 2, line: 0, remote: 'a', uri: 'sip:a@x' });
  noAnswer.clock.advance(9999);
  t.deepEqual(noAnswer.control.log, []);
  noAnswer.clock.advance(1);
  t.deepEqual(noAnswer.control.log, ['redirect 2 sip:vm@x']);

  const busy = setup({ forward: { busy: 'sip:colleague@x', noAnswerSeconds: 20 }, callWaiting: false });
  connectOutgoing(busy);
  busy.phone.handle({ type: 'incoming', call: 3, line: 0, remote: 'b', uri: 'sip:b@x' });
  t.is(busy.control.log.at(-1), 'redirect 3 sip:colleague@x');
});

test('auto-answer (intercom) answers after the configured delay', (t) => {
  const s = setup({ autoAnswer: { enabled: true, delayMs: 1500 } });
  s.phone.handle({ type: 'incoming', call: 4, line: 0, remote: 'a', uri: 'sip:a@x' });
  s.clock.advance(1499);
  t.deepEqual(s.control.log, []);
  s.clock.advance(1);
  t.deepEqual(s.control.log, ['answer 4']);
});

test('call waiting: tone, answer holds the first call, swap between them', (t) => {
  const s = setup();
  const first = connectOutgoing(s);
  s.phone.handle({ type: 'incoming', call: 50, line: 0, remote: 'carol', uri: 'sip:carol@x' });
  t.is(s.phone.tone, 'call-waiting');
  t.is(s.phone.focus, first);
  t.deepEqual(s.screen().softKeys, ['Answer', 'Reject', '', 'End']);
  s.keys('soft1');
  t.is(s.control.log.at(-1), 'answer 50');
  s.phone.handle({ type: 'answered', call: 50 });
  t.is(s.control.log.at(-1), `hold ${first}`);
  s.phone.handle({ type: 'hold', call: first, held: true });
  t.is(s.phone.focus, 50);
  t.is(s.screen().lines[1], 'On hold: 1001 00:00');
  s.keys('down'); // swap
  t.deepEqual(s.control.log.slice(-2), ['hold 50', `resume ${first}`]);
  t.is(s.phone.focus, first);
});

test('a second incoming call while one is already waiting gets 486', (t) => {
  const s = setup();
  connectOutgoing(s);
  s.phone.handle({ type: 'incoming', call: 50, line: 0, remote: 'c', uri: 'sip:c@x' });
  s.phone.handle({ type: 'incoming', call: 51, line: 0, remote: 'd', uri: 'sip:d@x' });
  t.is(s.control.log.at(-1), 'reject 51 486');
});

test('hold, resume and mute', (t) => {
  const s = setup();
  const id = connectOutgoing(s);
  s.keys('hold');
  t.is(s.control.log.at(-1), `hold ${id}`);
  s.phone.handle({ type: 'hold', call: id, held: true });
  t.deepEqual(s.screen().softKeys, ['Resume', 'Transfer', '', 'End']);
  s.keys('soft1');
  t.is(s.control.log.at(-1), `resume ${id}`);
  s.phone.handle({ type: 'hold', call: id, held: false });
  s.keys('mute');
  t.is(s.control.log.at(-1), `mute ${id} true`);
  t.true(s.screen().status.icons.includes('MUTE'));
  s.phone.handle({ type: 'remote-hold', call: id, held: true });
  t.regex(s.screen().lines[0], /held by other side/);
});

test('blind transfer: transfer key, digits, transfer key', (t) => {
  const s = setup();
  const id = connectOutgoing(s);
  s.keys('transfer');
  t.is(s.control.log.at(-1), `hold ${id}`);
  t.is(s.screen().lines[0], 'Transfer to:');
  s.keys('2', '0', '2', 'transfer');
  t.is(s.control.log.at(-1), `blind ${id} 202`);
  s.phone.handle({ type: 'transfer-result', call: id, ok: true });
  t.is(s.phone.notice, 'Call transferred');
});

test('attended transfer: consult call, then transfer joins the two', (t) => {
  const s = setup();
  const id = connectOutgoing(s);
  s.keys('transfer', '3', '0', '3', 'soft3'); // consult
  const consult = s.control.next - 1;
  t.is(s.control.log.at(-1), 'place 0 303');
  s.phone.handle({ type: 'answered', call: consult });
  s.keys('transfer');
  t.is(s.control.log.at(-1), `attended ${id} ${consult}`);
});

test('transfer cancelled resumes the held call', (t) => {
  const s = setup();
  const id = connectOutgoing(s);
  s.keys('transfer', '4', 'soft4');
  t.is(s.control.log.at(-1), `resume ${id}`);
  t.is(s.phone.focus, id);
});

test('3-way conference: hold, dial the second party, conference key mixes both', (t) => {
  const s = setup();
  const first = connectOutgoing(s);
  s.keys('conference', '5', '5', '#');
  const second = s.control.next - 1;
  s.phone.handle({ type: 'answered', call: second });
  s.phone.handle({ type: 'hold', call: first, held: true });
  s.keys('conference');
  t.is(s.control.log.at(-1), `conference ${first} ${second} true`);
  t.deepEqual(s.screen().softKeys, ['Hold', 'Transfer', 'Split', 'End']);
});

test('history browsing and calling back an entry', (t) => {
  const s = setup();
  s.phone.handle({ type: 'incoming', call: 7, line: 0, remote: 'bob', uri: 'sip:bob@x' });
  s.phone.handle({ type: 'ended', call: 7 });
  s.keys('soft2');
  t.is(s.screen().lines[0], '>Missed bob');
  s.keys('ok');
  t.is(s.control.log.at(-1), 'place 0 sip:bob@x');
});

test('voicemail key calls the voicemail number; MWI shows counts', (t) => {
  const s = setup();
  s.phone.handle({ type: 'mwi', line: 0, waiting: true, newMessages: 2, oldMessages: 1 });
  t.true(s.screen().status.icons.includes('MWI 2'));
  t.is(s.screen().lines[3], 'Voicemail: 2 new');
  s.keys('voicemail');
  t.is(s.control.log.at(-1), 'place 0 *97');
});

test('volume keys change the ring volume when idle and are saved', (t) => {
  const s = setup();
  s.keys('volume-up');
  t.is(s.saved()!.volumes.ring, 7);
  t.regex(s.phone.notice!, /^Volume \|{7}\.{3}$/);
});

test('instant messages and their failures are shown', (t) => {
  const s = setup();
  s.phone.handle({ type: 'message', line: 0, from: 'bob', text: 'lunch?' });
  t.is(s.screen().lines[3], 'Message from bob: lunch?');
  s.phone.handle({ type: 'message-failed', to: 'carol', status: 404, reason: 'Not Found' });
  t.is(s.phone.notice, 'Message to carol failed: 404 Not Found');
});

test('line keys select the line used for the next call', (t) => {
  const acct = { password: 'p', domain: 'x', transport: 'udp' as const, expires: 3600, enabled: true };
  const s = setup({
    accounts: [{ ...acct, label: 'work', user: 'a' }, { ...acct, label: 'home', user: 'b' }],
  });
  s.keys('line2', '4', '#');
  t.is(s.control.log.at(-1), 'place 1 4');
  t.is(s.screen().status.line, 'home');
});

test('auto-answer without a delay answers right after the incoming event, before any timer', async (t) => {
  const s = setup({ autoAnswer: { enabled: true, delayMs: 0 } });
  s.phone.handle({ type: 'incoming', call: 5, line: 0, remote: 'a', uri: 'sip:a@x' });
  t.deepEqual(s.control.log, [], 'not inside the event: the user agent sends 180 first');
  await Promise.resolve();
  t.deepEqual(s.control.log, ['answer 5']);
  t.is(s.clock.pending, 0, 'no timer was needed');
});
