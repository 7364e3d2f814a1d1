/** What a server transaction tells its transaction user (UAS core, dialog). Set by the TU after creation. */
export interface ServerTransactionUser {
  /** A response could not be sent (§17.2.4); the transaction is terminated. */
  onTransportError?(error: Error): void;
  /** INVITE only: Timer H fired, the ACK for our non-2xx final response never came. */
  onAckTimeout?(): void;
  onTerminated?(): void;
}
