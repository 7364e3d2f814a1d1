/**
 * Keep-alives that hold NAT bindings and detect dead flows (RFC 5626 §3.5.1, §4.4.1): each one at a random
 * point between 80% and 100% of the interval; over a stream a CRLFCRLF ping expects a CRLF pong in time.
 */
import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { Random } from '../../../hal/random.js';

export interface KeepAliveOptions {
  /** Default 30 s over UDP, 120 s over TCP/TLS (RFC 5626 §4.4.1 suggests 95-120 s for streams). */
  intervalMs?: number;
  /** Stream flows: fail when no pong comes within this time (RFC 5626: 10 s). 0 = the server sends no pongs. */
  pongTimeoutMs?: number;
  /** Replaces the CRLF ping, e.g. the registration layer's OPTIONS over UDP. */
  ping?: () => void;
  /** The flow is dead: no pong, connection closed, or the ping could not be sent. */
  onFailure?(error: Error): void;
}

export interface KeepAliveHandle {
  stop(): void;
  /** Whether keep-alives are still running. */
  readonly active: boolean;
}

/** What a keep-alive needs from the transport for one flow. */
export interface KeepAliveFlow {
  /** Sends one ping; reports failure via onError. */
  sendPing(onError: (e: Error) => void): void;
  /**
   * Subscribes to keep-alives received (onPong returns true when a pong was awaited) and to the flow
   * closing; returns an unsubscribe function.
   */
  watch?(onPong: () => boolean, onClose: (error?: Error) => void): () => void;
}

export class KeepAlive implements KeepAliveHandle {
  #clock: Clock;
  #random: Random;
  #flow: KeepAliveFlow;
  #interval: number;
  #pongTimeout: number;
  #options: KeepAliveOptions;
  #timer: TimerHandle | undefined;
  #pongTimer: TimerHandle | undefined;
  #unwatch: (() => void) | undefined;
  #active = true;

  constructor(clock: Clock, random: Random, flow: KeepAliveFlow, defaultIntervalMs: number, options: KeepAliveOptions) {
    this.#clock = clock;
    this.#random = random;
    this.#flow = flow;
    this.#options = options;
    this.#interval = options.intervalMs ?? defaultIntervalMs;
    this.#pongTimeout = flow.watch ? options.pongTimeoutMs ?? 10_000 : 0;
    if (flow.watch) {
      this.#unwatch = flow.watch(
        () => {
          if (this.#pongTimer === undefined) return false;
          this.#clock.clearTimer(this.#pongTimer);
          this.#pongTimer = undefined;
          return true;
        },
        (error) => this.#fail(error ?? new Error('flow closed')),
      );
    }
    this.#schedule();
  }

  get active(): boolean {
    return this.#active;
  }

  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    if (this.#pongTimer !== undefined) this.#clock.clearTimer(this.#pongTimer);
    this.#timer = this.#pongTimer = undefined;
    this.#unwatch?.();
  }

  /** The next delay: uniformly between 80% and 100% of the interval. */
  #delay(): number {
    const b = this.#random.fill(new Uint8Array(2));
    const r = (b[0]! * 256 + b[1]!) / 65535;
    return Math.round(this.#interval * (0.8 + 0.2 * r));
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(this.#delay(), () => {
      this.#timer = undefined;
      if (!this.#active) return;
      this.#fire();
      if (this.#active) this.#schedule();
    });
  }

  #fire(): void {
    if (this.#options.ping) {
      this.#options.ping();
      return;
    }
    if (this.#pongTimeout > 0 && this.#pongTimer === undefined) {
      this.#pongTimer = this.#clock.setTimer(this.#pongTimeout, () => {
        this.#pongTimer = undefined;
        this.#fail(new Error(`no keep-alive pong within ${this.#pongTimeout} ms`));
      });
    }
    this.#flow.sendPing((e) => this.#fail(e));
  }

  #fail(error: Error): void {
    if (!this.#active) return;
    this.stop();
    this.#options.onFailure?.(error);
  }
}
