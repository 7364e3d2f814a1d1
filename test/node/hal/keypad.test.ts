import test from 'ava';
import { KEYPAD_KEYS, isKeypadKey } from '../../../hal/keypad.js';
import { DIGIT_KEYS, FUNCTION_KEYS, isKey } from '../../../src/phone/keys.js';
import type { Screen } from '../../../src/phone/screen.js';
import type { DisplayScreen } from '../../../hal/display.js';

test('every HAL key is a key the phone app understands (line3/line4 reserved for phones with more lines)', (t) => {
  const unknown = KEYPAD_KEYS.filter((k) => !isKey(k));
  t.deepEqual(unknown, ['line3', 'line4']);
});

test('every phone key except the hook switch can come from the keypad', (t) => {
  const missing = [...DIGIT_KEYS, ...FUNCTION_KEYS].filter((k) => !isKeypadKey(k));
  t.deepEqual(missing, ['hook']);
  t.false(isKeypadKey('hook'), 'the hook switch reports a position, not key presses');
  t.true(isKey('hook'));
  t.is(new Set(KEYPAD_KEYS).size, KEYPAD_KEYS.length);
});

test("the phone app's Screen can be handed to the display as it is", (t) => {
  // Compile-time check: fails to build if the screen model drifts away from the display interface.
  const fits: Screen extends DisplayScreen ? true : false = true;
  t.true(fits);
});
