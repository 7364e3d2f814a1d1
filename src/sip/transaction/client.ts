/** What the transaction user (UAC core, dialog, registration) hears from a client transaction. */
import type { SipResponse } from '../message.js';
import type { TransactionFailure } from './context.js';

export interface ClientTransactionUser {
  /**
   * Provisional and final responses, once each. For INVITE, every 2xx (retransmissions and forks)
   * while the transaction is Accepted (RFC 6026), so the TU sends an ACK for each.
   */
  onResponse(response: SipResponse): void;
  /** Timer B/F fired (408) or the transport failed (503): no final response will come. */
  onFailure(failure: TransactionFailure): void;
  /** The transaction is gone; later responses with its branch are strays. */
  onTerminated?(): void;
}
