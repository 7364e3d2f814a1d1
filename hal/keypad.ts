/** Key events from the phone's keys and hook switch. Key names match the phone app's (src/phone/keys.ts). */
export const KEYPAD_KEYS = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#',
  'soft1', 'soft2', 'soft3', 'soft4',
  'up', 'down', 'left', 'right', 'ok', 'back',
  'speaker', 'volume-up', 'volume-down',
  'hold', 'transfer', 'conference', 'redial', 'mute', 'voicemail', 'dnd',
  'line1', 'line2', 'line3', 'line4',
] as const;
export type KeypadKey = (typeof KEYPAD_KEYS)[number];

/**
 * A key goes down, then up (the app times long presses itself on the HAL clock). The hook switch is
 * not a key: it reports its position, off-hook meaning the handset is lifted.
 */
export type KeyEvent =
  | { readonly type: 'down'; readonly key: KeypadKey }
  | { readonly type: 'up'; readonly key: KeypadKey }
  | { readonly type: 'hook'; readonly offHook: boolean };

export interface Keypad {
  /** Delivers debounced events in order, one call per event, on the main thread. */
  start(onEvent: (event: KeyEvent) => void): void;
  stop(): void;
  /** Hook position now (true when the handset is lifted); lets the app start in the right state. */
  offHook(): boolean;
}

export function isKeypadKey(name: string): name is KeypadKey {
  return (KEYPAD_KEYS as readonly string[]).includes(name);
}
