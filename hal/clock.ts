/** Monotonic time and timers. Every timer in the core goes through this, so tests run on a virtual clock. */
export type TimerHandle = { readonly __timer: unique symbol } | number | object;

export interface Clock {
  /** Milliseconds on a monotonic clock (never goes back; origin arbitrary). */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (Date headers, call history). */
  wallTime(): number;
  /** Calls fn once after ms milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Cancels a timer; clearing a fired or cleared timer does nothing. */
  clearTimer(handle: TimerHandle): void;
}
