/**
 * The message-summary event package (RFC 3842): the voicemail light and counts, from a subscription to the
 * voicemail server or from the unsolicited NOTIFYs many PBXes (Asterisk) send to a registered phone.
 */
import type { UserAgent } from '../ua/user-agent.js';
import type { SipRequest } from '../message.js';
import { isSipUri, type Uri } from '../uri.js';
import type { ServiceAccount } from './account.js';
import { NotifyRouter, Subscription, type Notification } from './subscription.js';

export const MESSAGE_SUMMARY_TYPE = 'application/simple-message-summary';

export interface MessageCounts {
  new: number;
  old: number;
  newUrgent: number;
  oldUrgent: number;
}

export interface MessageSummary {
  waiting: boolean;
  account?: string;
  /** Counts per message-context-class, lower-case (voice-message, fax-message, ...). */
  classes: Record<string, MessageCounts>;
}

const COUNTS = /^\s*(\d+)\s*\/\s*(\d+)\s*(?:\(\s*(\d+)\s*\/\s*(\d+)\s*\))?/;

/** Parses a body; lines it does not understand are skipped (servers add their own). */
export function parseMessageSummary(body: string): MessageSummary {
  const out: MessageSummary = { waiting: false, classes: {} };
  let sawWaiting = false;
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (!line) {
      if (sawWaiting) break; // optional message headers follow the blank line
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'messages-waiting') {
      out.waiting = value.toLowerCase() === 'yes';
      sawWaiting = true;
    } else if (name === 'message-account') {
      out.account = value;
    } else if (name.endsWith('-message') || name === 'none') {
      const m = COUNTS.exec(value);
      if (!m) continue;
      out.classes[name] = { new: +m[1]!, old: +m[2]!, newUrgent: m[3] !== undefined ? +m[3] : 0, oldUrgent: m[4] !== undefined ? +m[4] : 0 };
    }
  }
  if (!sawWaiting) out.waiting = Object.values(out.classes).some((c) => c.new > 0);
  return out;
}

export function formatMessageSummary(s: MessageSummary): string {
  let text = `Messages-Waiting: ${s.waiting ? 'yes' : 'no'}\r\n`;
  if (s.account !== undefined) text += `Message-Account: ${s.account}\r\n`;
  for (const [cls, c] of Object.entries(s.classes)) {
    const name = cls.replace(/(^|-)([a-z])/g, (_, d: string, l: string) => d + l.toUpperCase());
    text += `${name}: ${c.new}/${c.old}${c.newUrgent || c.oldUrgent ? ` (${c.newUrgent}/${c.oldUrgent})` : ''}\r\n`;
  }
  return text;
}

/** What the phone shows: the light and the voice counts. */
export interface Mwi {
  waiting: boolean;
  newMessages: number;
  oldMessages: number;
  urgentNew: number;
}

export function mwiOf(s: MessageSummary): Mwi {
  const v = s.classes['voice-message'];
  return { waiting: s.waiting, newMessages: v?.new ?? 0, oldMessages: v?.old ?? 0, urgentNew: v?.newUrgent ?? 0 };
}

function userOf(uri: Uri): string | undefined {
  return isSipUri(uri) ? uri.user : undefined;
}

export interface VoicemailOptions {
  onMwi: (mwi: Mwi, summary: MessageSummary) => void;
  /** Subscribe to this URI (voicemail server or our own AOR); unsolicited NOTIFYs are accepted either way. */
  subscribeTo?: Uri | string;
  expires?: number;
}

/** The voicemail light of one account. */
export class Voicemail {
  readonly subscription: Subscription | undefined;
  readonly #off: () => void;
  #opts: VoicemailOptions;

  constructor(ua: UserAgent, account: ServiceAccount, options: VoicemailOptions) {
    this.#opts = options;
    const user = account.aor.user;
    const mine = (req: SipRequest): boolean => userOf(req.uri) === user || userOf(req.to.uri) === user;
    this.#off = NotifyRouter.of(ua).on('message-summary', (n) => this.#notified(n), mine);
    this.subscription = options.subscribeTo === undefined ? undefined : new Subscription(ua, account, {
      event: 'message-summary', accept: [MESSAGE_SUMMARY_TYPE], target: options.subscribeTo, expires: options.expires ?? 3600,
      onNotify: (n) => this.#notified(n),
    });
    this.subscription?.subscribe();
  }

  #notified(n: Notification): void {
    if (!n.body) return; // the first NOTIFY of a pending subscription may be empty
    const s = parseMessageSummary(n.body);
    this.#opts.onMwi(mwiOf(s), s);
  }

  stop(): void {
    this.#off();
    this.subscription?.unsubscribe();
  }
}
