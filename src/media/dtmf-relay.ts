/**
 * DTMF over SIP INFO, the fallback when the peer does not do RFC 4733: bodies of type
 * application/dtmf-relay ("Signal=5\r\nDuration=160\r\n", duration in ms) and application/dtmf
 * (the digit alone).
 */
import { dtmfEvent } from './dtmf.js';

export const DTMF_RELAY_TYPE = 'application/dtmf-relay';
export const DTMF_TYPE = 'application/dtmf';

/** The application/dtmf-relay body for a digit. */
export function formatDtmfRelay(digit: string, durationMs = 160): string {
  if (dtmfEvent(digit) < 0) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return `Signal=${digit.toUpperCase()}\r\nDuration=${Math.max(1, Math.round(durationMs))}\r\n`;
}

/**
 * The digit and duration of an INFO body of either type (by contentType, parameters ignored); null
 * when it carries no valid digit. Signal=16 (flash) is not a digit.
 */
export function parseDtmfBody(contentType: string, body: string): { digit: string; durationMs: number } | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === DTMF_TYPE) {
    const d = body.trim();
    return dtmfEvent(d) >= 0 ? { digit: d.toUpperCase(), durationMs: 160 } : null;
  }
  if (type !== DTMF_RELAY_TYPE) return null;
  let digit = '';
  let duration = 160;
  for (const line of body.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'signal') {
      // some senders give the event number (10 = *, 11 = #)
      digit = value === '10' ? '*' : value === '11' ? '#' : value.toUpperCase();
    } else if (key === 'duration') {
      const n = Number(value);
      if (Number.isFinite(n) && n > 0) duration = n;
    }
  }
  return dtmfEvent(digit) >= 0 ? { digit, durationMs: duration } : null;
}
