/**
 * INFO (RFC 6086) carrying DTMF for calls whose peer does not do RFC 4733. The body codecs live in
 * media/dtmf-relay.ts; this adds the SIP side: what to send in a dialog and how to read a received INFO.
 */
import { DTMF_RELAY_TYPE, DTMF_TYPE, formatDtmfRelay, parseDtmfBody } from '../../media/dtmf-relay.js';
import type { SipMessage } from '../message.js';
import { bodyText } from './account.js';
import type { DialogChannel } from './subscription.js';

export { DTMF_RELAY_TYPE };

/** Sends one digit as INFO application/dtmf-relay in the dialog; done hears the final status. False when not sent. */
export function sendDtmfInfo(d: DialogChannel, digit: string, durationMs = 160, done?: (status: number) => void): boolean {
  return d.request('INFO', { body: formatDtmfRelay(digit, durationMs), contentType: DTMF_RELAY_TYPE }, (r) => done?.(r.status), done);
}

/** The digit in a received INFO (application/dtmf-relay or application/dtmf), or null. */
export function dtmfOfInfo(m: SipMessage): { digit: string; durationMs: number } | null {
  const ct = m.contentType;
  if (!ct) return null;
  return parseDtmfBody(`${ct.type}/${ct.subtype}`, bodyText(m));
}

/** Content types to list in Accept / Recv-Info for INFO DTMF. */
export const DTMF_INFO_TYPES: readonly string[] = [DTMF_RELAY_TYPE, DTMF_TYPE];
