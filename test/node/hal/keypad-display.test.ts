import test from 'ava';
import { TextDisplay } from '../../../hal/host/display.js';
import { VirtualKeypad } from '../../../hal/host/keypad.js';
import type { DisplayScreen } from '../../../hal/display.js';
import type { KeyEvent } from '../../../hal/keypad.js';

test('virtual keypad: presses, held keys, hook changes, stop', (t) => {
  const k = new VirtualKeypad();
  const events: KeyEvent[] = [];
  k.press('1'); // before start: nobody listens, nothing queued
  k.start((e) => events.push(e));
  k.press('5');
  k.down('soft1');
  k.down('soft1');
  k.up('soft1');
  k.up('soft1');
  k.setHook(true);
  k.setHook(true);
  t.true(k.offHook());
  k.setHook(false);
  t.deepEqual(events, [
    { type: 'down', key: '5' }, { type: 'up', key: '5' },
    { type: 'down', key: 'soft1' }, { type: 'up', key: 'soft1' },
    { type: 'hook', offHook: true }, { type: 'hook', offHook: false },
  ]);
  t.throws(() => k.press('hook'), { message: /no key named "hook"/ });
  t.throws(() => k.press('F13'), { message: /no key named/ });
  k.stop();
  k.press('#');
  t.is(events.length, 6);
});

function screen(lines: string[], softKeys = ['Redial', 'History', 'DND', 'Voicemail']): DisplayScreen {
  return { status: { line: 'alice', registration: 'Registered', time: '14:05', icons: ['MUTE'] }, lines, softKeys };
}

test('text display renders status, body and soft keys at its width, and reports only changes', (t) => {
  const changes: string[] = [];
  const d = new TextDisplay({ columns: 24, rows: 4, onChange: (_s, text) => changes.push(text) });
  t.is(d.screen, undefined);
  const s = screen(['Ready', 'a line that is much too long for the display']);
  d.render(s);
  d.render(screen(['Ready', 'a line that is much too long for the display']));
  t.is(changes.length, 1);
  const rows = d.text.split('\n');
  t.is(rows.length, 6);
  t.true(rows.every((r) => r.length === 24));
  t.is(rows[0], 'alice Registe MUTE 14:05', 'icons and time keep their place; the left part is cut');
  t.is(rows[1], 'Ready'.padEnd(24));
  t.is(rows[2], 'a line that is much too ');
  t.is(rows[5], 'Redia|Histo|DND  |Voice ');
  (s.lines as string[])[0] = 'mutated after render';
  t.is(d.screen!.lines[0], 'Ready', 'the display keeps its own copy');
  d.render(screen(['Calling bob']));
  t.is(changes.length, 2);
  t.regex(d.text, /Calling bob/);
});
