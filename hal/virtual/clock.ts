import type { Clock, TimerHandle } from '../clock.js';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that moves only when told to: tests drive timers exactly, with no sleeps. */
export class VirtualClock implements Clock {
  #now: number;
  #epoch: number;
  #next = 1;
  #timers: Pending[] = [];

  constructor(start = 0, epoch = 1_700_000_000_000) {
    this.#now = start;
    this.#epoch = epoch;
  }

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.#epoch + this.#now;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.#next++;
    const at = this.#now + Math.max(0, ms);
    // Keep the list sorted by due time, FIFO among equals.
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.at > at) i--;
    this.#timers.splice(i, 0, { id, at, fn });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    const i = this.#timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Due time of the next timer, or undefined. */
  get nextDue(): number | undefined {
    return this.#timers[0]?.at;
  }

  /** Moves time forward by ms, firing every timer that falls due, in order, at its own time. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const t = this.#timers[0];
      if (!t || t.at > end) break;
      this.#timers.shift();
      this.#now = t.at;
      t.fn();
    }
    this.#now = end;
  }

  /** Fires timers until none is left or limitMs has passed; returns the time advanced. */
  runAll(limitMs = 3_600_000): number {
    const start = this.#now;
    while (this.#timers.length && this.#timers[0]!.at - start <= limitMs) this.advance(this.#timers[0]!.at - this.#now);
    return this.#now - start;
  }
}
