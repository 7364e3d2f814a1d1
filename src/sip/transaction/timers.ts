/** RFC 3261 §17 timer values (Table 4 / appendix A) and RFC 6026 timers L and M, from configurable T1, T2, T4. */

export interface TimerBase {
  /** RTT estimate, default 500 ms. */
  readonly t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  readonly t4: number;
}

export const DEFAULT_TIMERS: TimerBase = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/** §17.2.1: a 100 Trying goes out when the TU has not answered within 200 ms. */
export const TRYING_DELAY = 200;

export function timerA(b: TimerBase): number {
  return b.t1;
}
export function timerB(b: TimerBase): number {
  return 64 * b.t1;
}
/** Wait for response retransmissions: at least 32 s unreliable, 0 reliable. */
export function timerD(b: TimerBase, reliable: boolean): number {
  return reliable ? 0 : Math.max(32_000, 64 * b.t1);
}
export function timerE(b: TimerBase): number {
  return b.t1;
}
export function timerF(b: TimerBase): number {
  return 64 * b.t1;
}
export function timerG(b: TimerBase): number {
  return b.t1;
}
export function timerH(b: TimerBase): number {
  return 64 * b.t1;
}
export function timerI(b: TimerBase, reliable: boolean): number {
  return reliable ? 0 : b.t4;
}
export function timerJ(b: TimerBase, reliable: boolean): number {
  return reliable ? 0 : 64 * b.t1;
}
export function timerK(b: TimerBase, reliable: boolean): number {
  return reliable ? 0 : b.t4;
}
/** RFC 6026: INVITE server transaction stays Accepted this long after a 2xx. */
export function timerL(b: TimerBase): number {
  return 64 * b.t1;
}
/** RFC 6026: INVITE client transaction stays Accepted this long after a 2xx. */
export function timerM(b: TimerBase): number {
  return 64 * b.t1;
}
