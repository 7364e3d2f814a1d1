/** Non-INVITE server transaction: RFC 3261 §17.2.2, figure 8. */
import type { SipRequest, SipResponse } from '../message.js';
import type { Outbound, Source } from '../transport/types.js';
import { isReliable } from '../transport/types.js';
import { TimerSlots, type TransactionContext } from './context.js';
import type { ServerTransactionUser } from './server.js';
import { timerJ } from './timers.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteServerTransaction {
  #state: NonInviteServerState = 'trying';
  #ctx: TransactionContext;
  #ended: () => void;
  #timers: TimerSlots;
  #last: Outbound | undefined;
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
  }

  get state(): NonInviteServerState {
    return this.#state;
  }

  respond(response: SipResponse): void {
    if (this.#state !== 'trying' && this.#state !== 'proceeding') return; // Completed discards further responses
    const out = this.#ctx.transport.prepareResponse(response, this.source);
    this.#last = out;
    if (response.status < 200) {
      this.#state = 'proceeding';
    } else {
      this.#state = 'completed';
      this.#timers.set('J', timerJ(this.#ctx.timers, this.reliable), () => this.finish());
    }
    this.send(out);
  }

  /** A retransmission of the request: Trying discards it, later states repeat the last response. */
  receiveRequest(_request: SipRequest): void {
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#last) this.send(this.#last);
  }

  terminate(): void {
    this.finish();
  }

  private send(out: Outbound): void {
    this.#ctx.transport.transmit(out, (error) => {
      if (this.#state === 'terminated') return;
      this.finish(() => this.user.onTransportError?.(error));
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
