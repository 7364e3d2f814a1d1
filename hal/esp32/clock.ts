/** The HAL Clock on Moddable: Timer for timers; Time.ticks through Time.delta, because ticks wrap on MCUs. */
import Time from 'time';
import Timer from 'timer';
import type { Clock, TimerHandle } from '../clock.js';

export class Esp32Clock implements Clock {
  #last = Time.ticks;
  #elapsed = 0;
  /** Timers set and not yet fired or cleared: Timer.clear throws for the others (their host data is gone). */
  readonly #live = new Set<Timer>();

  /** Monotonic ms: sums the wrap-safe deltas between readings (call at least once per wrap period, ~24 days). */
  now(): number {
    const t = Time.ticks;
    this.#elapsed += Time.delta(this.#last, t);
    this.#last = t;
    return this.#elapsed;
  }

  /** Milliseconds since the epoch once SNTP has set the time (Date.now() on Moddable reads the RTC). */
  wallTime(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = Timer.set(() => {
      this.#live.delete(timer);
      fn();
    }, ms < 0 ? 0 : ms);
    this.#live.add(timer);
    return timer;
  }

  /** As the Clock contract says: clearing a timer that fired or was cleared does nothing. */
  clearTimer(handle: TimerHandle): void {
    if (this.#live.delete(handle as Timer)) Timer.clear(handle as Timer);
  }
}
