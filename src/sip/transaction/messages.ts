/** The messages transactions create themselves, built with src/sip/build.ts. */
import type { Random } from '../../../hal/random.js';
import { buildRequest, buildResponse } from '../build.js';
import type { SipRequest, SipResponse } from '../message.js';
import { randomToken } from '../transport/via.js';
import type { MessageFactory } from './context.js';

/**
 * §17.1.1.3: the ACK for a non-2xx final response has the INVITE's Request-URI, Call-ID, From, CSeq number
 * and Route set, exactly its top Via, and the To of the response (with the UAS's tag).
 */
export function ackForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const topVia = invite.headers('Via')[0];
  return buildRequest({
    method: 'ACK',
    uri: invite.uri,
    ...(topVia !== undefined ? { via: topVia } : {}),
    from: invite.header('From') ?? '',
    to: response.header('To') ?? invite.header('To') ?? '',
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'ACK' },
    route: invite.headers('Route'),
  });
}

/** Builds ACKs and transaction-made responses; final responses get a fresh To tag (§8.2.6.2). */
export function createMessageFactory(random: Random): MessageFactory {
  return {
    ackForNon2xx,
    response(request, status, reason, toTag) {
      return buildResponse(request, status, reason, status > 100 ? { toTag: toTag ?? randomToken(random, 10) } : {});
    },
  };
}
