/** INVITE client transaction: RFC 3261 §17.1.1, figure 5, with the Accepted state of RFC 6026 §7.2. */
import type { SipRequest, SipResponse } from '../message.js';
import type { Outbound, Target } from '../transport/types.js';
import type { ClientTransactionUser } from './client.js';
import { TIMEOUT, TimerSlots, transportFailure, type TransactionContext, type TransactionFailure } from './context.js';
import { timerA, timerB, timerD, timerM } from './timers.js';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export class InviteClientTransaction {
  #state: InviteClientState = 'calling';
  #ctx: TransactionContext;
  /** The INVITE, until a 2xx is accepted (RFC 6026: from then on only the TU acts, on 2xx responses). */
  #request: SipRequest | undefined;
  #user: ClientTransactionUser;
  #ended: () => void;
  #timers: TimerSlots;
  /** The INVITE as sent, for retransmission and for the ACK of a non-2xx; dropped once a 2xx is accepted. */
  #out: Outbound | undefined;
  #reliable = false;
  #ack: Outbound | undefined;
  #interval = 0;
  #unwatch: (() => void) | undefined;

  constructor(
    ctx: TransactionContext,
    request: SipRequest,
    readonly target: Target,
    user: ClientTransactionUser,
    ended: () => void = () => {},
  ) {
    this.#ctx = ctx;
    this.#request = request;
    this.#user = user;
    this.#ended = ended;
    this.#timers = new TimerSlots(ctx.clock);
  }

  /** The INVITE; undefined once a 2xx has been accepted. */
  get request(): SipRequest | undefined {
    return this.#request;
  }

  get state(): InviteClientState {
    return this.#state;
  }

  /** True when the request went out over a reliable transport (no Timer A). */
  get reliable(): boolean {
    return this.#reliable;
  }

  /** Sends the INVITE and starts timers A (unreliable only) and B. */
  start(): void {
    const out = this.#ctx.transport.prepareRequest(this.#request!, this.target);
    this.#out = out;
    this.#reliable = out.reliable;
    const t = this.#ctx.timers;
    if (!out.reliable) {
      this.#interval = timerA(t);
      this.#timers.set('A', this.#interval, () => this.timerA());
    }
    this.#timers.set('B', timerB(t), () => this.timerB());
    this.send(out);
    this.watch(out);
  }

  private watch(out: Outbound): void {
    if (!out.reliable || this.#state !== 'calling') return;
    this.#unwatch = this.#ctx.transport.watchClose?.(out, (error) => {
      if (this.#state === 'calling') this.finish(transportFailure(error));
    });
  }

  private stopWatching(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  receiveResponse(response: SipResponse): void {
    const s = response.status;
    this.stopWatching();
    switch (this.#state) {
      case 'calling':
      case 'proceeding':
        if (s < 200) {
          if (this.#state === 'calling') {
            this.#state = 'proceeding';
            // Once a provisional arrives the request got through: stop retransmitting; the TU owns the wait now.
            this.#timers.clear('A');
            this.#timers.clear('B');
          }
          this.#user.onResponse(response);
        } else if (s < 300) {
          this.#state = 'accepted';
          // never sent again: the TU acknowledges 2xx responses itself
          this.#out = undefined;
          this.#request = undefined;
          this.#timers.clearAll();
          this.#timers.set('M', timerM(this.#ctx.timers), () => this.finish());
          this.#user.onResponse(response);
        } else {
          this.#state = 'completed';
          this.#timers.clearAll();
          this.#ack = this.#ctx.transport.prepareRequest(this.#ctx.factory.ackForNon2xx(this.#request!, response), this.sentTarget());
          this.#timers.set('D', timerD(this.#ctx.timers, this.reliable), () => this.finish());
          this.send(this.#ack);
          this.#user.onResponse(response);
        }
        return;
      case 'completed':
        // A retransmitted final response: our ACK was lost.
        if (s >= 300 && this.#ack) this.send(this.#ack);
        return;
      case 'accepted':
        if (s >= 200 && s < 300) this.#user.onResponse(response);
        return;
      case 'terminated':
        return;
    }
  }

  /**
   * §9.1: the TU has sent a CANCEL. If no final response arrives within 64*T1 the INVITE transaction is
   * given up and the TU hears a timeout (408), so a lost 487 cannot leave the call hanging.
   */
  cancelled(): void {
    if (this.#state !== 'calling' && this.#state !== 'proceeding') return;
    this.#timers.set('cancel', 64 * this.#ctx.timers.t1, () => {
      if (this.#state === 'calling' || this.#state === 'proceeding') this.finish(TIMEOUT);
    });
  }

  /** Ends the transaction at once (shutdown); the TU hears nothing more. */
  terminate(): void {
    this.finish();
  }

  /** The ACK goes where the INVITE went, over the transport actually used. */
  private sentTarget(): Target {
    const out = this.#out!;
    return { protocol: out.protocol, address: out.address, port: out.port, serverName: this.target.serverName };
  }

  private timerA(): void {
    if (this.#state !== 'calling') return;
    this.#interval *= 2;
    this.#timers.set('A', this.#interval, () => this.timerA());
    this.send(this.#out!);
  }

  private timerB(): void {
    if (this.#state === 'calling') this.finish(TIMEOUT);
  }

  private send(out: Outbound): void {
    this.#ctx.transport.transmit(out, (error) => {
      // In Completed the TU already has its final response, so the failure is not reported again.
      if (this.#state === 'calling') this.finish(transportFailure(error));
      else if (this.#state === 'completed') this.finish();
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
