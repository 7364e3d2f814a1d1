/**
 * The UAS core's 2xx retransmission until the ACK (RFC 3261 §13.3.1.4): T1 doubling up to T2, over every
 * transport (the ACK for a 2xx is end to end), giving up after 64*T1. Also matches incoming ACKs to it.
 */
import type { SipRequest, SipResponse } from '../message.js';
import type { Outbound, Source } from '../transport/types.js';
import { TimerSlots, type TransactionContext } from './context.js';

export interface Pending2xx {
  /** Stops retransmitting (the dialog ended, or the TU sends a new 2xx). */
  stop(): void;
}

/** Key an ACK for a 2xx shares with the 2xx it acknowledges: Call-ID, CSeq number and the To tag. */
function ackKey(callId: string, seq: number, toTag: string | null | undefined): string {
  return `${callId}\n${seq}\n${toTag ?? ''}`;
}

export class Uas2xxRetransmitter {
  #ctx: TransactionContext;
  #pending = new Map<string, { timers: TimerSlots; onAck?: ((ack: SipRequest) => void) | undefined }>();

  constructor(ctx: TransactionContext) {
    this.#ctx = ctx;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Starts retransmitting a 2xx that was already sent once (through the INVITE server transaction).
   * onNoAck runs when 64*T1 passes without an ACK: the TU should then send BYE (§13.3.1.4).
   */
  start(response: SipResponse, source: Source, onNoAck: () => void, onAck?: (ack: SipRequest) => void): Pending2xx {
    const key = ackKey(response.callId, response.cseq.seq, response.to.params['tag']);
    this.#pending.get(key)?.timers.clearAll();
    const timers = new TimerSlots(this.#ctx.clock);
    const entry = { timers, onAck };
    this.#pending.set(key, entry);
    const out: Outbound = this.#ctx.transport.prepareResponse(response, source);
    const { t1, t2 } = this.#ctx.timers;
    let interval = t1;
    const again = (): void => {
      this.#ctx.transport.transmit(out, () => {});
      interval = Math.min(2 * interval, t2);
      timers.set('retransmit', interval, again);
    };
    timers.set('retransmit', interval, again);
    timers.set('give-up', 64 * t1, () => {
      this.drop(key, entry);
      onNoAck();
    });
    return { stop: () => this.drop(key, entry) };
  }

  /** Returns true when the ACK acknowledges a 2xx being retransmitted, which then stops. */
  matchAck(ack: SipRequest): boolean {
    const key = ackKey(ack.callId, ack.cseq.seq, ack.to.params['tag']);
    const entry = this.#pending.get(key);
    if (!entry) return false;
    this.drop(key, entry);
    entry.onAck?.(ack);
    return true;
  }

  stopAll(): void {
    for (const e of this.#pending.values()) e.timers.clearAll();
    this.#pending.clear();
  }

  private drop(key: string, entry: { timers: TimerSlots }): void {
    entry.timers.clearAll();
    if (this.#pending.get(key) === entry) this.#pending.delete(key);
  }
}
