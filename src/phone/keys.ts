/** The keys of the desk phone, as the phone app sees them (the keypad HAL maps hardware to these). */
export const DIGIT_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type DigitKey = (typeof DIGIT_KEYS)[number];

export const FUNCTION_KEYS = [
  'soft1', 'soft2', 'soft3', 'soft4',
  'up', 'down', 'left', 'right', 'ok',
  'hook', 'speaker', 'volume-up', 'volume-down',
  'hold', 'transfer', 'conference', 'redial', 'mute', 'voicemail', 'dnd', 'line1', 'line2', 'back',
] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

/** Busy-lamp-field keys, one per configured colleague (settings.blf, in order). */
export const BLF_KEYS = ['blf1', 'blf2', 'blf3', 'blf4', 'blf5', 'blf6', 'blf7', 'blf8'] as const;
export type BlfKey = (typeof BLF_KEYS)[number];

export type Key = DigitKey | FunctionKey | BlfKey;

export function isDigitKey(key: string): key is DigitKey {
  return key.length === 1 && '0123456789*#'.includes(key);
}

export function isKey(key: string): key is Key {
  return isDigitKey(key) || (FUNCTION_KEYS as readonly string[]).includes(key) || blfIndex(key) !== undefined;
}

/** 0 for blf1 ... 7 for blf8; undefined for any other key. */
export function blfIndex(key: string): number | undefined {
  const i = (BLF_KEYS as readonly string[]).indexOf(key);
  return i < 0 ? undefined : i;
}
