import { isKeypadKey } from '../keypad.js';
import type { KeyEvent, Keypad, KeypadKey } from '../keypad.js';

/** A keypad driven by software: the simulator's web page or a test presses its keys and lifts its handset. */
export class VirtualKeypad implements Keypad {
  #listener: ((event: KeyEvent) => void) | undefined;
  #offHook = false;
  readonly #down = new Set<KeypadKey>();

  start(onEvent: (event: KeyEvent) => void): void {
    this.#listener = onEvent;
  }

  stop(): void {
    this.#listener = undefined;
  }

  offHook(): boolean {
    return this.#offHook;
  }

  /** Key down then up. Throws on a name that is not a key (the control API reports it). */
  press(key: string): void {
    this.down(key);
    this.up(key);
  }

  down(key: string): void {
    const k = this.#check(key);
    if (this.#down.has(k)) return; // a held key does not repeat
    this.#down.add(k);
    this.#listener?.({ type: 'down', key: k });
  }

  up(key: string): void {
    const k = this.#check(key);
    if (!this.#down.delete(k)) return;
    this.#listener?.({ type: 'up', key: k });
  }

  /** Moves the hook switch; reports only changes. */
  setHook(offHook: boolean): void {
    if (offHook === this.#offHook) return;
    this.#offHook = offHook;
    this.#listener?.({ type: 'hook', offHook });
  }

  #check(key: string): KeypadKey {
    if (!isKeypadKey(key)) throw new Error(`keypad: no key named ${JSON.stringify(key)}`);
    return key;
  }
}
