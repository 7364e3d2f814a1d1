/**
 * The SIP services a desk phone shows: instant messages in and out, and the voicemail light (message-summary,
 * subscribed at the voicemail server when the line names one as a SIP URI, and unsolicited NOTIFYs as PBXs send them).
 */
import { Messaging, type MessageOutcome } from '../sip/services/message.js';
import { Voicemail } from '../sip/services/message-summary.js';
import { accountOf, type ServiceAccount } from '../sip/services/account.js';
import { formatUri, isSipUri, parseUri, type SipUri } from '../sip/uri.js';
import type { PhoneApp } from './app.js';
import { startPresence, type PhonePresence } from './presence.js';

export interface PhoneServices {
  /** Sends an instant message from a line; the phone shows a failure. */
  sendMessage(line: number, to: string, text: string, done?: (outcome: MessageOutcome) => void): void;
  /** BLF keys, our published presence and the dialog notifier. */
  presence: PhonePresence;
  stop(): void;
}

export function startServices(app: PhoneApp): PhoneServices {
  const accounts: ServiceAccount[] = app.settings.accounts.map((a, line) => {
    const reg = app.registrations[line];
    if (reg) return accountOf(reg);
    const aor: SipUri = { scheme: 'sip', user: a.user, host: a.domain, params: {}, headers: {} };
    return a.displayName ? { aor, displayName: a.displayName } : { aor };
  });
  const first = accounts[0];
  // One UA takes MESSAGE for every line: the Request-URI user tells which, the phone shows them all alike.
  const messaging = first
    ? new Messaging(app.ua, first, {
      onMessage: (m) => {
        const uri = m.from.uri;
        const from = m.from.displayName || (isSipUri(uri) ? uri.user ?? uri.host : formatUri(uri));
        app.phone.handle({ type: 'message', line: 0, from, text: m.text });
      },
    })
    : undefined;
  const voicemail = accounts.map((account, line) => {
    const box = app.settings.accounts[line]?.voicemail;
    const target = box && /^sips?:/.test(box) ? parseUri(box) : undefined;
    return new Voicemail(app.ua, account, {
      ...(target ? { subscribeTo: target } : {}),
      onMwi: (mwi) => app.phone.handle({ type: 'mwi', line, waiting: mwi.waiting, newMessages: mwi.newMessages, oldMessages: mwi.oldMessages }),
    });
  });
  const presence = startPresence(app, accounts);
  return {
    presence,
    sendMessage(line, to, text, done): void {
      const account = accounts[line];
      if (!account || !messaging) return done?.({ delivered: false, status: 404, reason: 'no such line' });
      const m = line === 0 ? messaging : new Messaging(app.ua, account);
      m.send(to, text, (outcome) => {
        if (!outcome.delivered) {
          // A transaction failure carries its kind, not a reason phrase: say it the way a response would.
          const reason = outcome.reason === 'timeout' ? 'Request Timeout' : outcome.reason === 'transport' ? 'Service Unavailable' : outcome.reason;
          app.phone.handle({ type: 'message-failed', to, status: outcome.status, reason });
        }
        done?.(outcome);
      });
    },
    stop(): void {
      for (const v of voicemail) v.stop();
      presence.stop();
    },
  };
}
