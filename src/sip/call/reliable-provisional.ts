/**
 * RFC 3262 §3, UAS side: one reliable provisional response (Require: 100rel, RSeq), retransmitted at T1 doubling
 * until the PRACK for it arrives, given up after 64*T1.
 */
import type { Clock } from '../../../hal/clock.js';
import type { RAck } from '../headers/dialog-headers.js';
import type { SipResponse } from '../message.js';
import { TimerSlots } from '../transaction/context.js';

export class ReliableProvisional {
  readonly #timers: TimerSlots;
  #interval: number;
  #acknowledged = false;

  /** `send` puts the response on the wire (through the INVITE server transaction); `onGiveUp` runs after 64*T1. */
  constructor(
    clock: Clock,
    readonly response: SipResponse,
    readonly rseq: number,
    readonly inviteSeq: number,
    private readonly send: (r: SipResponse) => void,
    t1: number,
    onGiveUp: () => void,
  ) {
    this.#timers = new TimerSlots(clock);
    this.#interval = t1;
    send(response);
    this.#timers.set('retransmit', t1, () => this.again());
    this.#timers.set('give-up', 64 * t1, () => {
      this.#timers.clearAll();
      onGiveUp();
    });
  }

  get acknowledged(): boolean {
    return this.#acknowledged;
  }

  /** Whether a PRACK's RAck names this response; if so the retransmissions stop. */
  prack(rack: RAck | undefined): boolean {
    if (!rack || rack.rseq !== this.rseq || rack.cseq !== this.inviteSeq || rack.method.toUpperCase() !== 'INVITE') return false;
    this.#acknowledged = true;
    this.stop();
    return true;
  }

  stop(): void {
    this.#timers.clearAll();
  }

  private again(): void {
    this.send(this.response);
    this.#interval *= 2;
    this.#timers.set('retransmit', this.#interval, () => this.again());
  }
}
