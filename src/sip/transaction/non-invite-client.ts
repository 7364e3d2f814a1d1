/** Non-INVITE client transaction: RFC 3261 §17.1.2, figure 6. */
import type { SipRequest, SipResponse } from '../message.js';
import type { Outbound, Target } from '../transport/types.js';
import type { ClientTransactionUser } from './client.js';
import { TIMEOUT, TimerSlots, transportFailure, type TransactionContext, type TransactionFailure } from './context.js';
import { timerE, timerF, timerK } from './timers.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteClientTransaction {
  #state: NonInviteClientState = 'trying';
  #ctx: TransactionContext;
  #user: ClientTransactionUser;
  #ended: () => void;
  #timers: TimerSlots;
  #out: Outbound | undefined;
  #interval = 0;
  #unwatch: (() => void) | undefined;

  constructor(
    ctx: TransactionContext,
    readonly request: SipRequest,
    readonly target: Target,
    user: ClientTransactionUser,
    ended: () => void = () => {},
  ) {
    this.#ctx = ctx;
    this.#user = user;
    this.#ended = ended;
    this.#timers = new TimerSlots(ctx.clock);
  }

  get state(): NonInviteClientState {
    return this.#state;
  }

  get reliable(): boolean {
    return this.#out?.reliable ?? false;
  }

  /** Sends the request and starts timers E (unreliable only) and F. */
  start(): void {
    const out = this.#ctx.transport.prepareRequest(this.request, this.target);
    this.#out = out;
    if (!out.reliable) {
      this.#interval = timerE(this.#ctx.timers);
      this.#timers.set('E', this.#interval, () => this.timerE());
    }
    this.#timers.set('F', timerF(this.#ctx.timers), () => this.finish(TIMEOUT));
    this.send();
    this.watch(out);
  }

  private watch(out: Outbound): void {
    if (!out.reliable || this.#state !== 'trying') return;
    this.#unwatch = this.#ctx.transport.watchClose?.(out, (error) => {
      if (this.#state === 'trying') this.finish(transportFailure(error));
    });
  }

  private stopWatching(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  receiveResponse(response: SipResponse): void {
    if (this.#state !== 'trying' && this.#state !== 'proceeding') return; // Completed absorbs retransmissions
    this.stopWatching();
    if (response.status < 200) {
      this.#state = 'proceeding';
      this.#user.onResponse(response);
      return;
    }
    this.#state = 'completed';
    this.#timers.clearAll();
    this.#timers.set('K', timerK(this.#ctx.timers, this.reliable), () => this.finish());
    this.#user.onResponse(response);
  }

  terminate(): void {
    this.finish();
  }

  private timerE(): void {
    const t2 = this.#ctx.timers.t2;
    // Trying doubles up to T2; Proceeding retransmits every T2.
    if (this.#state === 'trying') this.#interval = Math.min(2 * this.#interval, t2);
    else if (this.#state === 'proceeding') this.#interval = t2;
    else return;
    this.#timers.set('E', this.#interval, () => this.timerE());
    this.send();
  }

  private send(): void {
    this.#ctx.transport.transmit(this.#out!, (error) => {
      if (this.#state === 'trying' || this.#state === 'proceeding') this.finish(transportFailure(error));
    });
  }

  private finish(failure?: TransactionFailure): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.clearAll();
    this.stopWatching();
    this.#ended();
    if (failure) this.#user.onFailure(failure);
    this.#user.onTerminated?.();
  }
}
