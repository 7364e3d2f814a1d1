import test from 'ava';
import { VirtualClock } from '../../../hal/virtual/clock.js';
import { TrialHealth, phoneHealth, type TrialVerdict } from '../../../src/update/health.js';
import { MemoryOta } from './fakes.js';

function onTrial(): MemoryOta {
  const ota = new MemoryOta('1.0.0');
  ota.trial = { version: '2.0.0', image: new Uint8Array(1) };
  ota.onTrial = true;
  return ota;
}

test('a trial image that reaches idle and registers in time is marked good', (t) => {
  const clock = new VirtualClock();
  const ota = onTrial();
  const verdicts: TrialVerdict[] = [];
  const h = new TrialHealth({ ota, clock, timeoutMs: 60000, onVerdict: (v) => verdicts.push(v) });
  h.report({ idle: true, registered: false });
  clock.advance(30000);
  t.is(h.verdict, undefined);
  h.report({ idle: true, registered: true });
  t.is(h.verdict, 'confirmed');
  t.deepEqual(ota.running(), { version: '2.0.0', confirmed: true });
  clock.advance(60000);
  t.is(ota.restarts, 0);
  t.deepEqual(verdicts, ['confirmed']);
});

test('a trial image that never becomes healthy restarts and rolls back', (t) => {
  const clock = new VirtualClock();
  const ota = onTrial();
  const verdicts: TrialVerdict[] = [];
  const h = new TrialHealth({ ota, clock, timeoutMs: 60000, onVerdict: (v) => verdicts.push(v) });
  h.report({ idle: false, registered: true });
  clock.advance(59999);
  t.is(ota.restarts, 0);
  clock.advance(1);
  t.is(ota.restarts, 1);
  t.deepEqual(verdicts, ['rolled-back']);
  t.deepEqual(ota.running(), { version: '1.0.0', confirmed: true });
  t.is(ota.markedGood, 0);
  h.report({ idle: true, registered: true });
  t.is(ota.markedGood, 0);
});

test('a confirmed image has no trial', (t) => {
  const clock = new VirtualClock();
  const ota = new MemoryOta('1.0.0');
  const h = new TrialHealth({ ota, clock, timeoutMs: 1000 });
  t.is(h.verdict, 'not-on-trial');
  clock.advance(5000);
  t.is(ota.restarts, 0);
});

test('phone health: idle means no calls and not dialling; registered means some line registered or none registers', (t) => {
  t.deepEqual(phoneHealth({ calls: [], dialing: undefined, lines: [{ registration: 'registered' }, { registration: 'failed' }] }), { idle: true, registered: true });
  t.deepEqual(phoneHealth({ calls: [{}], dialing: undefined, lines: [{ registration: 'registering' }] }), { idle: false, registered: false });
  t.deepEqual(phoneHealth({ calls: [], dialing: { digits: '' }, lines: [] }), { idle: false, registered: true });
  t.deepEqual(phoneHealth({ calls: [], dialing: undefined, lines: [{ registration: 'none' }] }), { idle: true, registered: true });
  t.deepEqual(phoneHealth({ calls: [], dialing: undefined, lines: [{ registration: 'none' }, { registration: 'failed' }] }), { idle: true, registered: false });
});
