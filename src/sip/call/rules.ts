/** Small pure rules of RFC 3261 the call follows: the CANCEL of §9.1 and the glare back-off of §14.1. */
import type { Random } from '../../../hal/random.js';
import { buildRequest, type BuiltRequest } from '../build.js';
import type { SipRequest } from '../message.js';

/**
 * §9.1: a CANCEL copies the INVITE's Request-URI, Call-ID, From, To, CSeq number, Route and its single (top) Via,
 * so that every hop matches it to the INVITE transaction.
 */
export function buildCancel(invite: SipRequest, product: string): BuiltRequest {
  return buildRequest({
    method: 'CANCEL',
    uri: invite.uri,
    via: invite.header('Via')!,
    from: invite.header('From')!,
    to: invite.header('To')!,
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'CANCEL' },
    route: invite.headers('Route'),
    headers: { 'User-Agent': product },
  });
}

/** Random milliseconds in [min, max] (multiples of 10 apart from min). */
export function randomMs(random: Random, min: number, max: number): number {
  const b = random.fill(new Uint8Array(2));
  const steps = Math.floor((max - min) / 10);
  return min + (((b[0]! << 8) | b[1]!) % (steps + 1)) * 10;
}

/** §14.1: after a 491, wait 2.1–4 s if we chose the Call-ID (we placed the call), else 0–2 s, in 10 ms units. */
export function glareBackoffMs(random: Random, ownsCallId: boolean): number {
  return ownsCallId ? randomMs(random, 2100, 4000) : randomMs(random, 0, 2000);
}
