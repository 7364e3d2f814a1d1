/**
 * REFER (RFC 3515) with Referred-By (RFC 3892) and Replaces (RFC 3891) — the event plumbing of call transfer.
 * The transferor sends REFER in a dialog and hears the transferee's progress through NOTIFYs carrying
 * message/sipfrag; the transferee answers 202, reports "100 Trying" at once, then each step of its new call, and
 * ends the implicit subscription with Subscription-State: terminated on the final status. Works on any dialog that
 * can send requests and claim incoming ones by method: a Call, or DialogEndpoint around a bare Dialog.
 */
import { formatNameAddr } from '../headers/name-addr.js';
import { formatReplaces, parseReplaces, type Replaces } from '../headers/dialog-headers.js';
import type { EventValue } from '../headers/event.js';
import type { NameAddr, SipRequest } from '../message.js';
import type { ServerTransaction } from '../transaction/transaction-layer.js';
import type { Source } from '../transport/types.js';
import { Dialog } from '../ua/dialog.js';
import type { SendOptions, UserAgent } from '../ua/user-agent.js';
import { formatUri, type SipUri, type Uri } from '../uri.js';
import { bodyText, toUri, typed } from './account.js';
import { dialogChannel, Notifier, type DialogChannel } from './subscription.js';

export const SIPFRAG_TYPE = 'message/sipfrag';

export type InDialogRequestHandler = (request: SipRequest, tx: ServerTransaction) => void;

/** A dialog the services can use: send requests in it, and claim its incoming requests of a method. Call fits. */
export interface ServiceDialog extends DialogChannel {
  handleMethod(method: string, handler: InDialogRequestHandler): void;
}

/** A ServiceDialog over a bare Dialog (out-of-call uses, tests): routes its requests by method after CSeq checks. */
export class DialogEndpoint implements ServiceDialog {
  readonly #ua: UserAgent;
  readonly dialog: Dialog;
  readonly #channel: DialogChannel;
  readonly #handlers = new Map<string, InDialogRequestHandler>();

  constructor(ua: UserAgent, dialog: Dialog, contactUser: string, options: SendOptions = {}) {
    this.#ua = ua;
    this.dialog = dialog;
    this.#channel = dialogChannel(ua, dialog, contactUser, options);
    ua.addDialog(dialog.key, {
      onRequest: (req, tx) => {
        if (!tx) return;
        const bad = dialog.receive(req);
        if (bad !== undefined) return void ua.respond(tx, req, bad);
        const h = this.#handlers.get(req.method);
        if (h) return h(req, tx);
        if (req.method === 'BYE') {
          ua.respond(tx, req, 200);
          return this.close();
        }
        ua.respond(tx, req, 405, undefined, { headers: { Allow: ['BYE', ...this.#handlers.keys()].join(', ') } });
      },
    });
  }

  request(...args: Parameters<DialogChannel['request']>): boolean {
    return this.#channel.request(...args);
  }

  handleMethod(method: string, handler: InDialogRequestHandler): void {
    this.#handlers.set(method.toUpperCase(), handler);
  }

  close(): void {
    this.dialog.state = 'terminated';
    this.#ua.removeDialog(this.dialog.key);
  }
}

// ---- message/sipfrag ----

export interface SipfragStatus {
  status: number;
  reason: string;
}

/** The status line of a message/sipfrag body ("SIP/2.0 180 Ringing"); undefined when it has none. */
export function parseSipfrag(body: string): SipfragStatus | undefined {
  const m = /^\s*SIP\/2\.0\s+(\d{3})(?:[ \t]+([^\r\n]*))?/.exec(body);
  return m ? { status: Number(m[1]), reason: (m[2] ?? '').trim() } : undefined;
}

export function formatSipfrag(status: number, reason: string): string {
  return `SIP/2.0 ${status} ${reason}\r\n`;
}

// ---- transferor ----

export type ReferProgress =
  /** The transferee accepted the REFER (202) and will report. */
  | { type: 'accepted' }
  | { type: 'progress'; status: number; reason: string }
  /** The transfer is over: ok when the new call was answered (2xx), else why not. */
  | { type: 'done'; ok: boolean; status: number; reason: string };

export interface ReferOptions {
  /** Where the transferee should call. */
  target: Uri | string;
  /** Attended transfer: the dialog at the target the new call replaces. */
  replaces?: Replaces;
  /** Referred-By (our identity). */
  referredBy?: NameAddr | string;
  onProgress: (p: ReferProgress) => void;
}

/** Refer-To for a target, with Replaces as a URI header for attended transfer. */
export function referToValue(target: Uri | string, replaces?: Replaces): string {
  const uri = toUri(target);
  if (!replaces) return `<${formatUri(uri)}>`;
  const copy: SipUri = { ...(uri as SipUri), headers: { ...(uri as SipUri).headers, Replaces: formatReplaces(replaces) } };
  return `<${formatUri(copy)}>`;
}

/**
 * Sends REFER in the dialog and follows its implicit subscription. Returns false when the dialog could not send.
 * The NOTIFY handler it installs answers 489 for other events and 481 once the transfer is over.
 */
export function sendRefer(ua: UserAgent, d: ServiceDialog, o: ReferOptions): boolean {
  let done = false;
  let referSeq = -1;
  const finish = (p: Extract<ReferProgress, { type: 'done' }>): void => {
    if (done) return;
    done = true;
    o.onProgress(p);
  };
  d.handleMethod('NOTIFY', (req, tx) => {
    const event = typed(req).event;
    if (!event || event.type.toLowerCase() !== 'refer' || !sameRefer(event, referSeq)) {
      return void ua.respond(tx, req, 489, undefined, { headers: { 'Allow-Events': 'refer' } });
    }
    if (done) return void ua.respond(tx, req, 481);
    const state = typed(req).subscriptionState;
    ua.respond(tx, req, 200);
    const frag = parseSipfrag(bodyText(req));
    if (frag && frag.status < 200) o.onProgress({ type: 'progress', ...frag });
    else if (frag) finish({ type: 'done', ok: frag.status < 300, ...frag });
    if (state?.state === 'terminated') finish({ type: 'done', ok: false, status: 487, reason: `subscription ended (${state.reason ?? 'no reason'})` });
  });
  const headers: Array<[string, string]> = [['Refer-To', referToValue(o.target, o.replaces)]];
  if (o.referredBy !== undefined) headers.push(['Referred-By', typeof o.referredBy === 'string' ? o.referredBy : formatNameAddr(o.referredBy)]);
  const sent = d.request('REFER', { headers }, (r) => {
    referSeq = r.cseq.seq;
    if (r.status < 300) o.onProgress({ type: 'accepted' });
    else finish({ type: 'done', ok: false, status: r.status, reason: r.reason });
  }, (status) => finish({ type: 'done', ok: false, status, reason: status === 408 ? 'Request Timeout' : 'Unreachable' }));
  return sent;
}

/** RFC 3515 §2.4.6: the first REFER's NOTIFYs may carry no id; later ones carry the REFER's CSeq. */
function sameRefer(event: EventValue, referSeq: number): boolean {
  if (event.id === undefined) return true;
  return referSeq < 0 || Number(event.id) === referSeq;
}

// ---- transferee ----

export interface ReferRequest {
  referTo: NameAddr;
  /** Where to call: Refer-To's URI without its headers. */
  target: Uri;
  replaces?: Replaces;
  referredBy?: NameAddr;
  /** Reports the new call's progress: 1xx keep the subscription active, a final status ends it. */
  report(status: number, reason: string): void;
}

/**
 * Answers a REFER: 400 without a usable Refer-To, else 202 Accepted and the immediate "100 Trying" NOTIFY
 * (RFC 3515 §2.4.4). With Refer-Sub: false (RFC 4488) no subscription is created and report() does nothing.
 */
export function acceptRefer(ua: UserAgent, d: ServiceDialog, req: SipRequest, tx: ServerTransaction,
  o: { id?: boolean; expires?: number; toTag?: string; contact?: string; onFinal?: () => void } = {}): ReferRequest | undefined {
  const t = typed(req);
  let referTo: NameAddr | undefined;
  let replaces: Replaces | undefined;
  try {
    referTo = t.referTo;
    const rep = referTo?.uri.scheme === 'sip' || referTo?.uri.scheme === 'sips' ? (referTo.uri as SipUri).headers['Replaces'] : undefined;
    if (rep !== undefined) replaces = parseReplaces(rep);
  } catch {
    referTo = undefined;
  }
  if (!referTo) {
    ua.respond(tx, req, 400, 'Bad Refer-To');
    return undefined;
  }
  const noSub = (req.header('Refer-Sub') ?? '').trim().toLowerCase() === 'false';
  const headers: Record<string, string> = {};
  if (noSub) headers['Refer-Sub'] = 'false';
  if (o.contact !== undefined) headers['Contact'] = o.contact;
  ua.respond(tx, req, 202, undefined, { headers, ...(o.toTag !== undefined ? { toTag: o.toTag } : {}) });
  const event: EventValue = o.id ? { type: 'refer', id: String(req.cseq.seq), params: {} } : { type: 'refer', params: {} };
  const notifier = noSub ? undefined : new Notifier(d, event);
  const expires = o.expires ?? 60;
  const report = (status: number, reason: string): void => {
    if (notifier && !notifier.terminated) {
      const body = formatSipfrag(status, reason);
      if (status < 200) notifier.notify('active', { body, contentType: SIPFRAG_TYPE, expires });
      else notifier.notify('terminated', { body, contentType: SIPFRAG_TYPE, reason: 'noresource' });
    }
    if (status >= 200) o.onFinal?.();
  };
  report(100, 'Trying');
  const target: Uri = referTo.uri.scheme === 'sip' || referTo.uri.scheme === 'sips' ? { ...(referTo.uri as SipUri), headers: {} } : referTo.uri;
  const out: ReferRequest = { referTo, target, report };
  if (replaces) out.replaces = replaces;
  try {
    const by = t.referredBy;
    if (by) out.referredBy = by;
  } catch {
    // a malformed Referred-By is only informative
  }
  return out;
}

/** Claims REFER on a dialog: each accepted one goes to onRefer (second and later REFERs get id=CSeq). */
export function handleRefers(ua: UserAgent, d: ServiceDialog, onRefer: (r: ReferRequest) => void): void {
  let count = 0;
  d.handleMethod('REFER', (req, tx) => {
    const r = acceptRefer(ua, d, req, tx, { id: count > 0 });
    if (r) {
      count++;
      onRefer(r);
    }
  });
}

/**
 * Out-of-dialog REFER (RFC 3515 §2.4.2): it makes a dialog of its own, as click-to-dial from a PBX or CRM does.
 * accept decides first (the phone should take these only from its own PBX); refused ones get 403. The dialog ends
 * with the final report.
 */
export function handleOutOfDialogRefers(ua: UserAgent, contactUser: string,
  onRefer: (r: ReferRequest, source: Source) => void, accept: (req: SipRequest, source: Source) => boolean = () => true): void {
  ua.handle('REFER', (req, tx, source) => {
    if (!accept(req, source)) return void ua.respond(tx, req, 403);
    const tag = ua.newTag();
    const endpoint = new DialogEndpoint(ua, Dialog.asUas(req, tag, false), contactUser);
    const contact = `<${formatUri(ua.contactUri(contactUser, source.protocol))}>`;
    const r = acceptRefer(ua, endpoint, req, tx, { toTag: tag, contact, onFinal: () => endpoint.close() });
    if (!r) return endpoint.close();
    onRefer(r, source);
  });
}
