/** What every transaction needs from its surroundings: the clock, timer values, a transport and a message factory. */
import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { SipRequest, SipResponse } from '../message.js';
import type { Outbound, Source, Target } from '../transport/types.js';
import type { TimerBase } from './timers.js';

/** The transport as transactions see it: serialize once, transmit as often as needed. */
export interface TransactionTransport {
  /** Serializes a request for a target; the transport may switch UDP to TCP (§18.1.1). */
  prepareRequest(request: SipRequest, target: Target): Outbound;
  /** Serializes a response and routes it back towards the request's source (§18.2.2). */
  prepareResponse(response: SipResponse, source: Source): Outbound;
  /** Sends; a failure (ICMP, refused or reset connection) is reported through onError, possibly later. */
  transmit(out: Outbound, onError: (error: Error) => void): void;
  /**
   * Reliable transports: calls onClose if the connection that carried `out` closes. Returns an unsubscribe
   * function. Client transactions use it before any response arrives (the request may never have arrived).
   */
  watchClose?(out: Outbound, onClose: (error: Error) => void): () => void;
}

/** Messages a transaction must create itself. */
export interface MessageFactory {
  /** §17.1.1.3: the ACK for a non-2xx final response to an INVITE. */
  ackForNon2xx(invite: SipRequest, response: SipResponse): SipRequest;
  /**
   * A response to a request per §8.2.6 (100 Trying, 482 Loop Detected, 481...). Responses above 100 get
   * `toTag`, or a fresh one, when the request's To has no tag.
   */
  response(request: SipRequest, status: number, reason?: string, toTag?: string): SipResponse;
}

export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TimerBase;
  readonly transport: TransactionTransport;
  readonly factory: MessageFactory;
}

/** Why a transaction ended without a final response (§17.1.4, §17.2.4). */
export type TransactionFailure =
  | { readonly reason: 'timeout'; readonly status: 408 }
  | { readonly reason: 'transport'; readonly status: 503; readonly error: Error };

export const TIMEOUT: TransactionFailure = Object.freeze({ reason: 'timeout', status: 408 });

export function transportFailure(error: Error): TransactionFailure {
  return { reason: 'transport', status: 503, error };
}

/**
 * Named timers of one transaction; all cleared when it terminates. A fired timer's handle stays in its slot until
 * the slot is set or cleared again: clearing a fired timer does nothing (the Clock contract), and not wrapping fn to
 * empty the slot saves a closure per running timer.
 */
export class TimerSlots {
  #clock: Clock;
  #slots = new Map<string, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.#slots.set(name, this.#clock.setTimer(ms, fn));
  }

  clear(name: string): void {
    const h = this.#slots.get(name);
    if (h !== undefined) {
      this.#clock.clearTimer(h);
      this.#slots.delete(name);
    }
  }

  clearAll(): void {
    for (const h of this.#slots.values()) this.#clock.clearTimer(h);
    this.#slots.clear();
  }
}
