/** Addresses and wire units shared by the SIP transport and the transaction layer. */
import type { Endpoint } from '../../../hal/net.js';

export type Protocol = 'UDP' | 'TCP' | 'TLS';

/** §17.1.1.2: retransmission timers run only over unreliable transports. */
export function isReliable(protocol: Protocol): boolean {
  return protocol !== 'UDP';
}

/** Where a request goes: a resolved (numeric) address, port and transport, e.g. from RFC 3263 resolution. */
export interface Target {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  /** §18.1.1: true when the target also accepts TCP, so a large request may move from UDP to TCP. */
  readonly tcpAllowed?: boolean;
  /** TLS server name for the certificate check (TLS targets only). */
  readonly serverName?: string;
}

/** Where a message came from; kept by server transactions to route their responses (§18.2.2). */
export interface Source {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  /** Our local end of the socket or connection that received it. */
  readonly local: Endpoint;
  /** Id of the connection it arrived on (reliable transports only). */
  readonly connection?: number;
}

/** A message serialized once and ready to be (re)transmitted: retransmissions reuse the bytes. */
export interface Outbound {
  readonly bytes: Uint8Array;
  readonly protocol: Protocol;
  readonly reliable: boolean;
  readonly address: string;
  readonly port: number;
  /** Send on this connection when it is still open (responses on reliable transports). */
  readonly connection?: number;
  readonly serverName?: string;
  readonly kind: 'request' | 'response';
  /**
   * §18.1.1: a request moved from UDP to TCP for its size is retried over UDP when the TCP connection fails.
   * (The transaction still runs its reliable-transport timers, so that UDP copy is not retransmitted.)
   */
  readonly fallback?: Outbound;
}
