/**
 * The keypad matrix: rows are open-drain outputs (one bank), columns pull-up inputs (one bank); each scan
 * pulls one row low at a time and reads which columns follow it. Scanned on a Timer every `scanMs`,
 * debounced by hal/esp32/debounce.ts. The hook switch is a position in the matrix named "hook"
 * (closed = handset lifted). Pins and the key map come from the manifest's config.keypad.
 */
import DigitalBank from 'embedded:io/digitalbank';
import config from 'mc/config';
import Timer from 'timer';
import type { Clock } from '../clock.js';
import { isKeypadKey, type KeyEvent, type Keypad, type KeypadKey } from '../keypad.js';
import { Debouncer, pinMask, pressedColumns } from './debounce.js';

export interface MatrixConfig {
  /** Row GPIOs, all in one bank (0-31 or 32-39). */
  rows: number[];
  /** Column GPIOs, all in one bank. */
  columns: number[];
  /** Key name per [row][column]: a KEYPAD_KEYS name, "hook", or "" for no key. */
  map: string[][];
  scanMs?: number;
  debounceMs?: number;
}

function bankOf(pins: readonly number[], what: string): number {
  const bank = pins[0] >> 5;
  if (pins.some((p) => p >> 5 !== bank)) throw new Error(`keypad: all ${what} must be in one GPIO bank (0-31 or 32-39)`);
  return bank;
}

export class MatrixKeypad implements Keypad {
  readonly #cfg: MatrixConfig;
  readonly #clock: Clock;
  readonly #debouncer: Debouncer;
  readonly #keys: (KeypadKey | 'hook' | undefined)[];
  readonly #hookIndex: number;
  readonly #pressed: Uint8Array;
  #rows: DigitalBank | undefined;
  #cols: DigitalBank | undefined;
  #timer: Timer | undefined;

  constructor(clock: Clock, cfg: MatrixConfig = (config as unknown as { keypad: MatrixConfig }).keypad) {
    this.#cfg = cfg;
    this.#clock = clock;
    const n = cfg.rows.length * cfg.columns.length;
    this.#debouncer = new Debouncer(n, cfg.debounceMs ?? 20);
    this.#pressed = new Uint8Array(cfg.columns.length);
    this.#keys = [];
    for (let r = 0; r < cfg.rows.length; r++)
      for (let c = 0; c < cfg.columns.length; c++) {
        const name = cfg.map[r]?.[c] ?? '';
        this.#keys.push(name === 'hook' ? 'hook' : isKeypadKey(name) ? name : undefined);
      }
    this.#hookIndex = this.#keys.indexOf('hook');
  }

  start(onEvent: (event: KeyEvent) => void): void {
    this.stop();
    const cfg = this.#cfg;
    const rowMask = pinMask(cfg.rows);
    this.#rows = new DigitalBank({ pins: rowMask, mode: DigitalBank.OutputOpenDrain, bank: bankOf(cfg.rows, 'rows') });
    this.#cols = new DigitalBank({ pins: pinMask(cfg.columns), mode: DigitalBank.InputPullUp, bank: bankOf(cfg.columns, 'columns') });
    this.#rows.write(rowMask);
    this.#timer = Timer.repeat(() => this.#scan(rowMask, onEvent), cfg.scanMs ?? 5);
  }

  stop(): void {
    if (this.#timer) Timer.clear(this.#timer);
    this.#timer = undefined;
    this.#rows?.close();
    this.#cols?.close();
    this.#rows = this.#cols = undefined;
  }

  offHook(): boolean {
    return this.#hookIndex >= 0 && this.#debouncer.pressed(this.#hookIndex);
  }

  #scan(rowMask: number, onEvent: (event: KeyEvent) => void): void {
    const rows = this.#rows;
    const cols = this.#cols;
    if (!rows || !cols) return;
    const now = this.#clock.now();
    const cfg = this.#cfg;
    const width = cfg.columns.length;
    for (let r = 0; r < cfg.rows.length; r++) {
      rows.write(rowMask & ~(1 << (cfg.rows[r] & 31)));
      pressedColumns(cols.read(), cfg.columns, this.#pressed);
      for (let c = 0; c < width; c++) {
        const i = r * width + c;
        const edge = this.#debouncer.sample(i, this.#pressed[c] === 1, now);
        if (!edge) continue;
        const key = this.#keys[i];
        if (key === 'hook') onEvent({ type: 'hook', offHook: edge === 'down' });
        else if (key) onEvent({ type: edge, key });
      }
    }
    rows.write(rowMask);
  }
}
