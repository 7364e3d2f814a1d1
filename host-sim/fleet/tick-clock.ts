/**
 * A HAL clock whose timers fire on a shared tick (default 5 ms): with hundreds of call legs each pacing its 20 ms
 * frames by its own timer, Node would wake up thousands of times a second, once per leg and frame; here every timer
 * due within the same tick runs in one wake-up. now() stays exact (performance.now()); a timer may run up to one
 * tick late, which the frame driver absorbs (it paces against its start time, not against the timer).
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../hal/clock.js';

interface Entry {
  fn: (() => void) | null;
}

export class TickClock implements Clock {
  readonly tickMs: number;
  /** Timers by the tick they are due in. */
  readonly #buckets = new Map<number, Entry[]>();
  #pending = 0;
  /** Last tick whose timers ran. */
  #done: number;
  #interval: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs = 5) {
    this.tickMs = tickMs;
    this.#done = Math.floor(performance.now() / tickMs);
  }

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    if (this.#pending === 0) {
      // Idle until now: only cancelled entries remain, and no tick needs catching up.
      this.#buckets.clear();
      this.#done = Math.floor(performance.now() / this.tickMs);
    }
    const due = Math.ceil((performance.now() + Math.max(0, ms)) / this.tickMs);
    const tick = due <= this.#done ? this.#done + 1 : due;
    const entry: Entry = { fn };
    const bucket = this.#buckets.get(tick);
    if (bucket) bucket.push(entry);
    else this.#buckets.set(tick, [entry]);
    this.#pending++;
    if (this.#interval === undefined) this.#interval = setInterval(() => this.#run(), this.tickMs);
    return entry;
  }

  clearTimer(handle: TimerHandle): void {
    const entry = handle as Entry;
    if (entry.fn === null) return;
    entry.fn = null;
    this.#pending--;
  }

  /** Runs every timer due up to now, oldest tick first; stops the interval when nothing is pending. */
  #run(): void {
    const current = Math.floor(performance.now() / this.tickMs);
    while (this.#done < current) {
      const tick = ++this.#done;
      const bucket = this.#buckets.get(tick);
      if (!bucket) continue;
      this.#buckets.delete(tick);
      for (const entry of bucket) {
        const fn = entry.fn;
        if (fn === null) continue;
        entry.fn = null;
        this.#pending--;
        try {
          fn();
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }
    if (this.#pending === 0 && this.#interval !== undefined) {
      clearInterval(this.#interval);
      this.#interval = undefined;
    }
  }

  /** Drops every timer (the fleet is closing). */
  close(): void {
    for (const bucket of this.#buckets.values()) for (const e of bucket) e.fn = null;
    this.#buckets.clear();
    this.#pending = 0;
    if (this.#interval !== undefined) clearInterval(this.#interval);
    this.#interval = undefined;
  }
}
