/**
 * What a call sends without needing the Call itself: ACKs routed like the INVITE, in-dialog requests, BYE, CANCEL,
 * and the user an ended call leaves on its INVITE. That INVITE's transaction waits up to 32 s for more 2xx (forks,
 * retransmissions); answering them from here lets the ended Call and its media be collected at once.
 */
import { formatVia } from '../headers/via.js';
import type { SipResponse } from '../message.js';
import type { BuiltRequest } from '../build.js';
import type { Outbound, Target } from '../transport/types.js';
import { newBranch, ourVia } from '../transport/via.js';
import { Dialog } from '../ua/dialog.js';
import { nextHopUri, resolveTargets } from '../ua/next-hop.js';
import type { OutgoingRequest, OutgoingUser } from '../ua/user-agent.js';
import type { CallContext } from './call.js';
import { buildCancel } from './rules.js';

/** Finds where an ACK goes (route set, outbound proxy or remote target) and gives it a Via. */
export function routeAck(ctx: CallContext, request: BuiltRequest, send: (target: Target) => void): void {
  const go = (targets: Target[]): void => {
    const target = targets[0];
    if (!target) return;
    const ua = ctx.ua;
    request.removeHeader('Via');
    request.addHeader('Via', formatVia(ourVia(target.protocol, ua.host, ua.localPort(target.protocol), newBranch(ua.random))), true);
    send(target);
  };
  try {
    const t = resolveTargets(nextHopUri(request, ctx.outboundProxy), ctx.ua.locator);
    if (Array.isArray(t)) go(t);
    else t.then(go, (e: unknown) => ctx.log.warn(`cannot route ACK: ${(e as Error).message}`));
  } catch (e) {
    ctx.log.warn(`cannot route ACK: ${(e as Error).message}`);
  }
}

/** Sends an in-dialog request (not ACK) and keeps the dialog's CSeq past authentication retries. */
export function sendInDialog(ctx: CallContext, dialog: Dialog, request: BuiltRequest,
  onResponse: (r: SipResponse, out: OutgoingRequest) => void, onFailure: (status: number) => void): void {
  ctx.ua.send(request, {
    onResponse: (r, out) => {
      if (out.request.cseq.seq > dialog.localSeq) dialog.localSeq = out.request.cseq.seq;
      onResponse(r, out);
    },
    onFailure: (f) => onFailure(f.status),
  }, {
    ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
    ...(ctx.outboundProxy ? { outboundProxy: ctx.outboundProxy } : {}),
  });
}

export function sendBye(ctx: CallContext, dialog: Dialog): void {
  sendInDialog(ctx, dialog, dialog.createRequest('BYE'), () => {}, () => {});
}

/** An ACK once routed and sent: what a retransmitted 2xx gets again (§13.2.2.4). */
export interface SentAck {
  sent?: Outbound;
}

/** Acknowledges a 2xx in `dialog` (§13.2.2.4); the entry gets the ACK as sent once its next hop is known. */
export function sendAck(ctx: CallContext, dialog: Dialog, cseq: number): SentAck {
  const ack = dialog.createRequest('ACK', { cseq });
  const entry: SentAck = {};
  routeAck(ctx, ack, (target) => {
    entry.sent = ctx.ua.transactions.sendAck(ack, target);
  });
  return entry;
}

/** A 2xx nobody wants (a replaced INVITE, another fork, a call already ended): acknowledge it and end its dialog. */
export function ackAndBye(ctx: CallContext, r: SipResponse, out: OutgoingRequest): SentAck {
  const dialog = Dialog.asUac(out.request, r);
  const entry = sendAck(ctx, dialog, out.request.cseq.seq);
  sendBye(ctx, dialog);
  return entry;
}

/** §9.1: CANCEL only for an INVITE still without a final response; true when one was sent. */
export function sendCancel(ctx: CallContext, out: OutgoingRequest): boolean {
  const tx = out.transaction;
  if (!out.target || !tx) return false;
  if (tx.state !== 'proceeding' && tx.state !== 'calling') return false;
  const cancel = buildCancel(out.request, ctx.ua.product);
  try {
    ctx.ua.transactions.request(cancel, out.target, { onResponse: () => {}, onFailure: () => {} });
    if ('cancelled' in tx) tx.cancelled();
    return true;
  } catch (e) {
    ctx.log.warn(`CANCEL not sent: ${(e as Error).message}`);
    return false;
  }
}

/**
 * The user an ended call leaves on its INVITE: a 1xx still gets the CANCEL the call wanted (when it was abandoned
 * before any provisional response); a retransmitted 2xx of a dialog already acknowledged (`acks`, by remote tag)
 * gets the same ACK again; any other 2xx gets ACK and BYE, once.
 */
export function lateInviteUser(ctx: CallContext, cancelPending: boolean, acks: Map<string, SentAck>): OutgoingUser {
  let pending = cancelPending;
  return {
    onResponse: (r, out) => {
      if (r.status < 200) {
        if (pending && sendCancel(ctx, out)) pending = false;
        return;
      }
      if (r.status >= 300) return;
      const tag = r.toTag ?? '';
      const acked = acks.get(tag);
      if (acked === undefined) acks.set(tag, ackAndBye(ctx, r, out));
      else if (acked.sent) ctx.ua.transactions.resendAck(acked.sent);
    },
    onFailure: () => {},
  };
}
