/**
 * Instant messages (RFC 3428): MESSAGE with a text/plain body, sent out of dialog with the account's credentials,
 * and received ones answered 200 (or 415 with Accept for a body we cannot show).
 */
import { formatNameAddr } from '../headers/name-addr.js';
import type { NameAddr, SipRequest } from '../message.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { UserAgent } from '../ua/user-agent.js';
import { formatUri, type Uri } from '../uri.js';
import { bodyText, outOfDialogRequest, resolveTarget, sendOptions, type ServiceAccount } from './account.js';

export type MessageOutcome =
  | { delivered: true; status: number }
  | { delivered: false; status: number; reason: string };

export interface IncomingMessage {
  from: NameAddr;
  /** The sender as the phone shows it: display name or URI. */
  fromText: string;
  text: string;
  request: SipRequest;
}

export interface MessagingOptions {
  onMessage?: (m: IncomingMessage) => void;
  /** Accepted body types besides text/plain (e.g. none on a phone without a browser). */
  accept?: readonly string[];
}

export const TEXT_PLAIN = 'text/plain;charset=UTF-8';

/**
 * Sends and receives MESSAGE for one account. With onMessage it claims the UA's out-of-dialog MESSAGE requests
 * (one receiver per UA); without, it only sends.
 */
export class Messaging {
  readonly #ua: UserAgent;
  readonly #account: ServiceAccount;
  readonly #options: MessagingOptions;
  readonly #accept: readonly string[];

  constructor(ua: UserAgent, account: ServiceAccount, options: MessagingOptions = {}) {
    this.#ua = ua;
    this.#account = account;
    this.#options = options;
    this.#accept = ['text/plain', ...(options.accept ?? [])];
    if (options.onMessage) ua.handle('MESSAGE', (req, tx) => this.#receive(req, tx));
  }

  /** Sends text to a URI, user@host or a user at our domain; done hears delivered (any 2xx) or the failure (status and reason, 408 on time-out). */
  send(to: Uri | string, text: string, done?: (outcome: MessageOutcome) => void): void {
    let target: Uri;
    try {
      target = resolveTarget(this.#account, to);
    } catch {
      return done?.({ delivered: false, status: 400, reason: 'Bad Address' });
    }
    const req = outOfDialogRequest(this.#ua, this.#account, { method: 'MESSAGE', target, body: text, contentType: TEXT_PLAIN });
    this.#ua.send(req, {
      onResponse: (r) => {
        if (r.status < 200) return;
        done?.(r.status < 300 ? { delivered: true, status: r.status } : { delivered: false, status: r.status, reason: r.reason });
      },
      onFailure: (f) => done?.({ delivered: false, status: f.status, reason: f.reason === 'timeout' ? 'Request Timeout' : 'Service Unavailable' }),
    }, sendOptions(this.#ua, this.#account));
  }

  #receive(req: SipRequest, tx: ServerTransaction): void {
    const ct = req.contentType;
    const type = ct ? `${ct.type}/${ct.subtype}` : req.body.length ? 'application/octet-stream' : 'text/plain';
    if (!this.#accept.includes(type)) {
      return void this.#ua.respond(tx, req, 415, undefined, { headers: { Accept: this.#accept.join(', ') } });
    }
    this.#ua.respond(tx, req, 200);
    const from = req.from;
    const fromText = from.displayName || formatUri(from.uri);
    this.#options.onMessage?.({ from, fromText, text: bodyText(req), request: req });
  }
}

/** The sender's address as a display string (for logs and the phone's message list). */
export function senderOf(m: IncomingMessage): string {
  return formatNameAddr({ ...m.from, params: {} });
}
