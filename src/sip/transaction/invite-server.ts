/** INVITE server transaction: RFC 3261 §17.2.1, figure 7, with the Accepted state of RFC 6026 §7.1. */
import type { SipRequest, SipResponse } from '../message.js';
import type { Outbound, Source } from '../transport/types.js';
import { isReliable } from '../transport/types.js';
import { TimerSlots, type TransactionContext } from './context.js';
import type { ServerTransactionUser } from './server.js';
import { TRYING_DELAY, timerG, timerH, timerI, timerL } from './timers.js';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export class InviteServerTransaction {
  #state: InviteServerState = 'proceeding';
  #ctx: TransactionContext;
  #ended: () => void;
  #timers: TimerSlots;
  #last: Outbound | undefined;
  #interval = 0;
  #toTag: string | undefined;
  /** Set by the TU to hear about failures, the ACK in Accepted and the end. */
  user: ServerTransactionUser = {};
  readonly reliable: boolean;

  constructor(
    ctx: TransactionContext,
    readonly request: SipRequest,
    readonly source: Source,
    ended: () => void = () => {},
  ) {
    this.#ctx = ctx;
    this.#ended = ended;
    this.#timers = new TimerSlots(ctx.clock);
    this.reliable = isReliable(source.protocol);
    this.#timers.set('100', TRYING_DELAY, () => {
      if (this.#state !== 'proceeding' || this.#last) return;
      this.#last = this.prepare(ctx.factory.response(request, 100));
      this.send(this.#last);
    });
  }

  get state(): InviteServerState {
    return this.#state;
  }

  /** The TU's response: 1xx stays Proceeding, 2xx goes Accepted, 300-699 goes Completed. */
  respond(response: SipResponse): void {
    const s = response.status;
    switch (this.#state) {
      case 'proceeding': {
        this.#timers.clear('100');
        if (s > 100) this.#toTag = response.to.params['tag'] ?? this.#toTag;
        const out = this.prepare(response);
        if (s < 200) {
          this.#last = out;
        } else if (s < 300) {
          this.#state = 'accepted';
          this.#last = undefined;
          this.#timers.set('L', timerL(this.#ctx.timers), () => this.finish());
        } else {
          this.#state = 'completed';
          this.#last = out;
          const t = this.#ctx.timers;
          if (!this.reliable) {
            this.#interval = timerG(t);
            this.#timers.set('G', this.#interval, () => this.timerG());
          }
          this.#timers.set('H', timerH(t), () => this.timerH());
        }
        this.send(out);
        return;
      }
      case 'accepted':
        // The TU retransmits its 2xx through here until the ACK comes (§13.3.1.4).
        if (s >= 200 && s < 300) this.send(this.prepare(response));
        return;
      default:
        return;
    }
  }

  /**
   * A retransmission of the INVITE, or an ACK, matched this transaction. Returns false when the request
   * belongs to the TU instead: an ACK while Accepted (RFC 6026 §7.1).
   */
  receiveRequest(request: SipRequest): boolean {
    if (request.method === 'ACK') {
      if (this.#state === 'completed') {
        this.#state = 'confirmed';
        this.#timers.clear('G');
        this.#timers.clear('H');
        this.#timers.set('I', timerI(this.#ctx.timers, this.reliable), () => this.finish());
      }
      return this.#state !== 'accepted';
    }
    // Retransmitted INVITE: repeat the last provisional (Proceeding) or the final (Completed); absorb otherwise.
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#last) this.send(this.#last);
    return true;
  }

  /** To tag of the last response with one we sent (RFC 2543 ACK matching §17.2.3, the 200 to a CANCEL §9.2). */
  get responseToTag(): string | undefined {
    return this.#toTag;
  }

  terminate(): void {
    this.finish();
  }

  private prepare(response: SipResponse): Outbound {
    return this.#ctx.transport.prepareResponse(response, this.source);
  }

  private timerG(): void {
    if (this.#state !== 'completed') return;
    this.#interval = Math.min(2 * this.#interval, this.#ctx.timers.t2);
    this.#timers.set('G', this.#interval, () => this.timerG());
    this.send(this.#last!);
  }

  private timerH(): void {
    if (this.#state !== 'completed') return;
    this.finish(() => this.user.onAckTimeout?.());
  }

  private send(out: Outbound): void {
    this.#ctx.transport.transmit(out, (error) => {
      if (this.#state === 'proceeding' || this.#state === 'completed') {
        this.finish(() => this.user.onTransportError?.(error));
      }
    });
  }

  /** Ends the transaction; `report` tells the TU why, before onTerminated. */
  private finish(report?: () => void): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.#ended();
    report?.();
    this.user.onTerminated?.();
  }
}
