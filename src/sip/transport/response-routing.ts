/** Where a response goes: RFC 3261 §18.2.2 with the symmetric response routing of RFC 3581 §4. */
import type { Via } from '../message.js';
import type { Protocol, Source } from './types.js';
import { isReliable } from './types.js';

export interface ResponseRoute {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  /** Reliable transports: try the connection the request came on first. */
  readonly connection?: number;
}

function defaultPort(protocol: Protocol): number {
  return protocol === 'TLS' ? 5061 : 5060;
}

function asProtocol(transport: string, fallback: Protocol): Protocol {
  return transport === 'UDP' || transport === 'TCP' || transport === 'TLS' ? transport : fallback;
}

/**
 * The route for a response whose request arrived from `source` with top Via `via`. The received value is
 * the source address (§18.2.1 adds it whenever sent-by differs), so sent-by names never need resolving.
 */
export function responseRoute(via: Via, source: Source): ResponseRoute {
  const protocol = asProtocol(via.transport, source.protocol);
  const sentByPort = via.port ?? defaultPort(protocol);
  if (isReliable(source.protocol)) {
    // Same connection while it lives; otherwise a new one to received (the source) and the sent-by port.
    const route: ResponseRoute = { protocol: source.protocol, address: source.address, port: sentByPort };
    return source.connection !== undefined ? { ...route, connection: source.connection } : route;
  }
  const maddr = via.params['maddr'];
  if (maddr) return { protocol: 'UDP', address: maddr, port: sentByPort };
  // RFC 3581: rport asked for → back to the source address and port the request came from.
  if (via.rport === null || via.params['rport'] === null) return { protocol: 'UDP', address: source.address, port: source.port };
  return { protocol: 'UDP', address: source.address, port: sentByPort };
}
