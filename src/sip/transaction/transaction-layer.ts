/**
 * The transaction layer: creates client transactions, matches responses to them (§17.1.3), matches requests
 * to server transactions (§17.2.3, with the RFC 2543 fallback), finds the INVITE a CANCEL targets (§9.2),
 * answers merged requests with 482 (§8.2.2.2) and hands everything else to the transaction user.
 */
import { SipError } from '../errors.js';
import type { SipMessage, SipRequest, SipResponse, Via } from '../message.js';
import type { Outbound, Source, Target } from '../transport/types.js';
import { formatUri } from '../uri.js';
import { MAGIC_COOKIE } from '../transport/via.js';
import type { ClientTransactionUser } from './client.js';
import type { TransactionContext } from './context.js';
import { InviteClientTransaction } from './invite-client.js';
import { InviteServerTransaction } from './invite-server.js';
import { NonInviteClientTransaction } from './non-invite-client.js';
import { NonInviteServerTransaction } from './non-invite-server.js';
import { Uas2xxRetransmitter } from './ua-2xx-retransmitter.js';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionUser {
  /**
   * A request that starts a new server transaction (tx set), or an ACK that matched none (tx undefined: the
   * ACK for a 2xx, which belongs to the dialog). For a CANCEL, `layer.findCancelled(cancel)` finds its INVITE.
   */
  onRequest(request: SipRequest, tx: ServerTransaction | undefined, source: Source): void;
  /** A response that matches no client transaction (e.g. a 2xx from another fork after Timer M). */
  onStrayResponse?(response: SipResponse, source: Source): void;
}

export interface TransactionLayerOptions {
  /** §8.2.2.2 merged-request detection (a UAS feature; a proxy would turn it off). Default true. */
  detectMergedRequests?: boolean;
}

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

function tag(params: Record<string, string | null>): string {
  return params['tag'] ?? '';
}

/** §17.1.3: the branch of the top Via and the CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`;
}

/**
 * §17.2.3 key of the server transaction a request belongs to. ACK maps to its INVITE; toTag lets an RFC 2543
 * ACK be keyed as the INVITE that carried no To tag.
 */
export function serverKey(request: SipRequest, method = request.method, toTag = tag(request.to.params)): string {
  const via = request.topVia;
  const m = method === 'ACK' ? 'INVITE' : method;
  if (via?.branch?.startsWith(MAGIC_COOKIE)) return `${via.branch}\n${sentBy(via)}\n${m}`;
  // RFC 2543 peers: Request-URI, tags, Call-ID, CSeq and the whole top Via identify the transaction.
  return [
    '2543',
    formatUri(request.uri),
    toTag,
    tag(request.from.params),
    request.callId,
    request.cseq.seq,
    m,
    request.headers('via')[0] ?? '',
  ].join('\n');
}

export class TransactionLayer {
  #ctx: TransactionContext;
  #user: TransactionUser;
  #clients = new Map<string, ClientTransaction>();
  #servers = new Map<string, ServerTransaction>();
  /** From tag, Call-ID and CSeq of ongoing requests without a To tag → their transaction key (§8.2.2.2). */
  #merged = new Map<string, string>();
  #detectMerged: boolean;
  /** The UAS core's 2xx retransmissions (§13.3.1.4). */
  readonly retransmitter: Uas2xxRetransmitter;

  constructor(ctx: TransactionContext, user: TransactionUser, options: TransactionLayerOptions = {}) {
    this.#ctx = ctx;
    this.#user = user;
    this.#detectMerged = options.detectMergedRequests ?? true;
    this.retransmitter = new Uas2xxRetransmitter(ctx);
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get serverCount(): number {
    return this.#servers.size;
  }

  /**
   * Starts a client transaction for a request whose top Via carries a fresh z9hG4bK branch. ACK is not
   * sent through a transaction: use sendAck for the ACK of a 2xx.
   */
  request(request: SipRequest, target: Target, user: ClientTransactionUser): ClientTransaction {
    const branch = request.branch;
    if (!branch?.startsWith(MAGIC_COOKIE)) throw new Error('request needs a z9hG4bK branch in its top Via');
    if (request.method === 'ACK') throw new Error('an ACK is sent with sendAck, outside any transaction');
    const key = clientKey(branch, request.method);
    if (this.#clients.has(key)) throw new Error(`branch ${branch} already used for ${request.method}`);
    const ended = (): void => {
      if (this.#clients.get(key) === tx) this.#clients.delete(key);
    };
    const tx: ClientTransaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.#ctx, request, target, user, ended)
        : new NonInviteClientTransaction(this.#ctx, request, target, user, ended);
    this.#clients.set(key, tx);
    try {
      tx.start();
    } catch (e) {
      this.#clients.delete(key);
      throw e;
    }
    return tx;
  }

  /**
   * Sends the ACK for a 2xx (§13.2.2.4) straight to the transport; the TU resends it for each 2xx (resendAck
   * with what this returns: the bytes, lighter to keep than the request).
   */
  sendAck(ack: SipRequest, target: Target, onError: (error: Error) => void = () => {}): Outbound {
    const t = this.#ctx.transport;
    const out = t.prepareRequest(ack, target);
    t.transmit(out, onError);
    return out;
  }

  /** Sends an ACK again, as sendAck prepared it. */
  resendAck(ack: Outbound, onError: (error: Error) => void = () => {}): void {
    this.#ctx.transport.transmit(ack, onError);
  }

  /**
   * Entry point for every message the transport layer receives. A message whose headers turn out malformed
   * when read (SipError) is dropped; a request other than ACK is first answered statelessly (400, 505...).
   */
  receive(message: SipMessage, source: Source): void {
    try {
      if (message.kind === 'response') this.receiveResponse(message, source);
      else this.receiveRequest(message, source);
    } catch (e) {
      if (!(e instanceof SipError)) throw e;
      if (message.kind === 'request' && message.method !== 'ACK') this.rejectStatelessly(message, e, source);
    }
  }

  private rejectStatelessly(request: SipRequest, error: SipError, source: Source): void {
    try {
      const t = this.#ctx.transport;
      t.transmit(t.prepareResponse(this.#ctx.factory.response(request, error.status, error.message), source), () => {});
    } catch {
      // Too broken to answer (no usable Via, From, Call-ID or CSeq): drop it.
    }
  }

  /** §9.2: the INVITE server transaction a CANCEL targets, if it still exists. */
  findCancelled(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.#servers.get(serverKey(cancel, 'INVITE'));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /**
   * §9.2 UAS side of a CANCEL, for the TU to call from onRequest: 481 when it matches no INVITE transaction,
   * else 200 (with the To tag the INVITE's responses carry). Returns the INVITE transaction when it is still
   * Proceeding: the TU then answers it 487 Request Terminated. Returns undefined when nothing is left to do.
   */
  answerCancel(cancel: SipRequest, cancelTx: ServerTransaction): InviteServerTransaction | undefined {
    const invite = this.findCancelled(cancel);
    const f = this.#ctx.factory;
    if (!invite) {
      cancelTx.respond(f.response(cancel, 481));
      return undefined;
    }
    cancelTx.respond(f.response(cancel, 200, undefined, invite.responseToTag));
    return invite.state === 'proceeding' ? invite : undefined;
  }

  /** Sends a 2xx to an INVITE through its transaction and retransmits it until the ACK (§13.3.1.4). */
  send2xx(tx: InviteServerTransaction, response: SipResponse, onNoAck: () => void, onAck?: (ack: SipRequest) => void) {
    tx.respond(response);
    return this.retransmitter.start(response, tx.source, onNoAck, onAck);
  }

  /** Terminates every transaction and retransmission (shutdown). */
  shutdown(): void {
    for (const tx of [...this.#clients.values()]) tx.terminate();
    for (const tx of [...this.#servers.values()]) tx.terminate();
    this.retransmitter.stopAll();
  }

  private receiveResponse(response: SipResponse, source: Source): void {
    const branch = response.branch;
    const tx = branch ? this.#clients.get(clientKey(branch, response.cseq.method)) : undefined;
    if (tx) tx.receiveResponse(response);
    else this.#user.onStrayResponse?.(response, source);
  }

  private receiveRequest(request: SipRequest, source: Source): void {
    const method = request.method;
    const key = serverKey(request);
    let tx = this.#servers.get(key);
    if (!tx && method === 'ACK' && !request.branch?.startsWith(MAGIC_COOKIE)) {
      // RFC 2543: the ACK carries the To tag of our response, the INVITE had none.
      const invite = this.#servers.get(serverKey(request, 'INVITE', ''));
      if (invite instanceof InviteServerTransaction && invite.responseToTag === tag(request.to.params)) tx = invite;
    }
    if (tx) {
      if (method === 'ACK') {
        if (tx instanceof InviteServerTransaction && !tx.receiveRequest(request)) this.deliverAck(request, source);
      } else {
        tx.receiveRequest(request);
      }
      return;
    }
    if (method === 'ACK') {
      this.deliverAck(request, source);
      return;
    }
    const mergedKey = this.#detectMerged && !request.to.params['tag'] ? `${tag(request.from.params)}\n${request.callId}\n${request.cseq.seq}\n${method}` : undefined;
    const ended = (): void => {
      if (this.#servers.get(key) === created) this.#servers.delete(key);
      if (mergedKey !== undefined && this.#merged.get(mergedKey) === key) this.#merged.delete(mergedKey);
    };
    const created: ServerTransaction =
      method === 'INVITE'
        ? new InviteServerTransaction(this.#ctx, request, source, ended)
        : new NonInviteServerTransaction(this.#ctx, request, source, ended);
    this.#servers.set(key, created);
    if (mergedKey !== undefined) {
      if (this.#merged.has(mergedKey)) {
        // The same request reached us by another path (a forking proxy upstream): §8.2.2.2.
        created.respond(this.#ctx.factory.response(request, 482, 'Loop Detected'));
        return;
      }
      this.#merged.set(mergedKey, key);
    }
    this.#user.onRequest(request, created, source);
  }

  private deliverAck(ack: SipRequest, source: Source): void {
    this.retransmitter.matchAck(ack);
    this.#user.onRequest(ack, undefined, source);
  }
}
