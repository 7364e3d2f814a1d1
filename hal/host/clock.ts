import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../clock.js';

export interface HostClockOptions {
  /** Unref timers so a pending timer never keeps the process alive (default false). */
  unref?: boolean;
}

/** The HAL clock on Node: monotonic now() from performance.now(), wall time from Date.now(), timers from setTimeout. */
export class HostClock implements Clock {
  readonly #unref: boolean;

  constructor(options: HostClockOptions = {}) {
    this.#unref = options.unref ?? false;
  }

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    if (this.#unref) t.unref();
    return t;
  }

  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
