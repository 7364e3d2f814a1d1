import test from 'ava';
import { compileDigitMap, DialPlanError, matchDigits } from '../../../src/phone/dial-plan.js';
import { defaultSettings, validateSettings } from '../../../src/phone/settings.js';
import { SettingsStore } from '../../../src/phone/settings-store.js';
import { CallHistory } from '../../../src/phone/call-history.js';
import type { Storage } from '../../../hal/storage.js';

class MemoryStorage implements Storage {
  records = new Map<string, string>();
  writes = 0;
  read(name: string) { return this.records.get(name); }
  write(name: string, value: string) { this.writes++; this.records.set(name, value); }
  remove(name: string) { this.records.delete(name); }
  names() { return [...this.records.keys()]; }
}

test('digit maps: complete, partial and no-match', (t) => {
  const map = compileDigitMap('911|[2-9]xxxxxx|1[2-9]xxxxxxxxx|011x.|*xx');
  t.is(matchDigits(map, '9'), 'partial');
  t.is(matchDigits(map, '911'), 'complete');
  t.is(matchDigits(map, '555'), 'partial');
  t.is(matchDigits(map, '5551234'), 'complete');
  t.is(matchDigits(map, '55512345'), 'no-match');
  t.is(matchDigits(map, '1'), 'partial');
  t.is(matchDigits(map, '12125551234'), 'complete');
  t.is(matchDigits(map, '011'), 'partial');
  t.is(matchDigits(map, '01144207'), 'partial'); // open-ended: waits for # or the time-out
  t.is(matchDigits(map, '*69'), 'complete');
  t.is(matchDigits(map, '#'), 'no-match');
  t.is(matchDigits(compileDigitMap('[135]x'), '31'), 'complete');
  t.is(matchDigits(compileDigitMap('[135]x'), '21'), 'no-match');
});

test('bad digit maps are refused with a reason', (t) => {
  t.throws(() => compileDigitMap(''), { instanceOf: DialPlanError, message: 'dial plan is empty' });
  t.throws(() => compileDigitMap('.x'), { instanceOf: DialPlanError, message: /'\.' must follow/ });
  t.throws(() => compileDigitMap('[2-9xx'), { instanceOf: DialPlanError, message: /without '\]'/ });
  t.throws(() => compileDigitMap('12q'), { instanceOf: DialPlanError, message: /unexpected 'q'/ });
  t.throws(() => compileDigitMap('1||2'), { instanceOf: DialPlanError, message: /empty alternative/ });
});

test('defaults validate, and validation fills defaults', (t) => {
  const v = validateSettings({});
  t.true(v.ok);
  if (v.ok) t.deepEqual(v.value, defaultSettings());
  const d = validateSettings(defaultSettings());
  t.true(d.ok);
});

test('settings errors name the setting and the problem', (t) => {
  const v = validateSettings({
    accounts: [{ user: 'al ice', domain: 'pbx.example.com', transport: 'carrier-pigeon', registrar: 'http://x', rewriteContact: 'no' }, { domain: 'x' }],
    codecs: ['PCMU', 'G729'],
    volumes: { ring: 11 },
    dialPlan: { map: '[2-' },
    network: { rtpPortMin: 2000, rtpPortMax: 1500 },
    colour: 'red',
  });
  t.false(v.ok);
  if (v.ok) return;
  t.deepEqual(v.errors.sort(), [
    "settings.accounts[0].registrar: 'http://x' must be a sip: or sips: URI",
    'settings.accounts[0].rewriteContact: must be true or false',
    'settings.accounts[0].transport: must be one of udp, tcp, tls',
    "settings.accounts[0].user: 'al ice' is not a valid SIP user name",
    'settings.accounts[1].user: is required',
    'settings.codecs: must be a non-empty list of PCMU and PCMA',
    'settings.colour: is not a known setting',
    "settings.dialPlan.map: dial plan '[2-': '[' without ']'",
    'settings.network.rtpPortMax: must be above rtpPortMin',
    'settings.volumes.ring: must be a whole number from 0 to 10',
  ]);
  t.false(validateSettings(null).ok);
  t.false(validateSettings('x').ok);
});

test('settings store: saves only valid settings and reports invalid saved data without overwriting it', (t) => {
  const storage = new MemoryStorage();
  const store = new SettingsStore(storage);
  t.deepEqual(store.load(), { settings: defaultSettings() });
  const bad = store.save({ volumes: { ring: -1 } });
  t.false(bad.ok);
  t.is(storage.writes, 0);
  const good = store.save({ dnd: true, accounts: [{ user: 'alice', domain: '127.0.0.1', password: 'pw' }] });
  t.true(good.ok);
  const loaded = store.load();
  t.true(loaded.settings.dnd);
  t.is(loaded.settings.accounts[0]!.user, 'alice');
  t.is(loaded.problem, undefined);
  storage.records.set('settings', '{"dnd":');
  t.is(store.load().problem, 'Saved settings are unreadable; using defaults');
  t.is(storage.records.get('settings'), '{"dnd":');
  storage.records.set('settings', '{"dnd":"yes"}');
  t.is(store.load().problem, 'Saved settings are invalid: settings.dnd: must be true or false');
});

test('call history is newest first, bounded, persisted and reloaded', (t) => {
  const storage = new MemoryStorage();
  const h = new CallHistory(storage, 3);
  for (let i = 0; i < 5; i++) h.add({ kind: i % 2 ? 'missed' : 'dialled', remote: `u${i}`, uri: `sip:u${i}@x`, at: i, duration: i, line: 0 });
  t.deepEqual(h.entries.map((e) => e.remote), ['u4', 'u3', 'u2']);
  t.is(h.lastDialled()!.remote, 'u4');
  t.is(h.missedCount(), 1);
  const again = new CallHistory(storage, 3);
  t.deepEqual(again.entries, h.entries);
  storage.records.set('history', 'garbage');
  t.deepEqual(new CallHistory(storage, 3).entries, []);
  h.clear();
  t.deepEqual(new CallHistory(storage, 3).entries, []);
});
