/**
 * Key debouncing for a scanned matrix, platform-free (no Moddable import) so it is tested in the core lane.
 * A key changes state only after its raw reading has disagreed with the reported state for `stableMs`
 * without interruption; contact bounce shorter than that produces no event.
 */
export type Edge = 'down' | 'up';

export class Debouncer {
  /** Reported state per key (1 = pressed). */
  readonly #state: Uint8Array;
  /** Time the raw reading started to disagree with the state, or -1 while it agrees. */
  readonly #since: Float64Array;

  constructor(
    readonly keys: number,
    readonly stableMs: number,
  ) {
    this.#state = new Uint8Array(keys);
    this.#since = new Float64Array(keys).fill(-1);
  }

  /** Feeds one raw reading of key `index` taken at `now` ms; returns the edge when the key changed state. */
  sample(index: number, pressed: boolean, now: number): Edge | undefined {
    const raw = pressed ? 1 : 0;
    if (raw === this.#state[index]) {
      this.#since[index] = -1;
      return undefined;
    }
    const since = this.#since[index];
    if (since < 0) {
      this.#since[index] = now;
      if (this.stableMs > 0) return undefined;
    } else if (now - since < this.stableMs) return undefined;
    this.#state[index] = raw;
    this.#since[index] = -1;
    return raw ? 'down' : 'up';
  }

  pressed(index: number): boolean {
    return this.#state[index] === 1;
  }
}

/**
 * Column bits of a row read back from a pull-up input bank: a pressed key pulls its column low.
 * `bits` is the bank value, `columns` the GPIO number of each column (in order); returns pressed flags.
 */
export function pressedColumns(bits: number, columns: readonly number[], out: Uint8Array): Uint8Array {
  for (let c = 0; c < columns.length; c++) out[c] = (bits >>> columns[c]) & 1 ? 0 : 1;
  return out;
}

/** A bank mask with the bits of the given GPIOs set (all GPIOs of one bank: 0-31 or 32-39 minus 32). */
export function pinMask(pins: readonly number[]): number {
  let mask = 0;
  for (const p of pins) mask |= 1 << (p & 31);
  return mask >>> 0;
}
