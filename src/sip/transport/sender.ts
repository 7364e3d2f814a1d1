/** Transport selection for requests (RFC 3261 §18.1.1). */
import type { Protocol, Target } from './types.js';

/** Ethernet; with the 200-byte margin of §18.1.1 this is the 1300-byte rule for an unknown path MTU. */
export const DEFAULT_MTU = 1500;

/**
 * The transport a request of `size` bytes uses towards `target`: a request within 200 bytes of the path MTU
 * must use a congestion-controlled transport, so it moves from UDP to TCP when the target accepts TCP.
 */
export function requestProtocol(size: number, target: Target, mtu = DEFAULT_MTU): Protocol {
  if (target.protocol === 'UDP' && target.tcpAllowed === true && size > mtu - 200) return 'TCP';
  return target.protocol;
}
