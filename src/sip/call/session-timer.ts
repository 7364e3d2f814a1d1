/**
 * RFC 4028 session timer arithmetic: what an answer says about who refreshes, when a refresh goes out and
 * when an unrefreshed session is given up. The call keeps the timers; these functions keep the rules.
 */
import type { SipMessage, SipRequest } from '../message.js';
import { hasTag, typed } from './typed.js';

export interface SessionTimerConfig {
  /** Session-Expires we ask for, seconds (default 1800). */
  sessionExpires: number;
  /** The smallest interval we accept, seconds (default 90, the RFC 4028 floor). */
  minSE: number;
}

export const DEFAULT_SESSION_TIMER: SessionTimerConfig = Object.freeze({ sessionExpires: 1800, minSE: 90 });

/** An agreed session interval and whether we send the refreshes. */
export interface SessionInterval {
  seconds: number;
  weRefresh: boolean;
}

export function supportsTimer(m: SipMessage): boolean {
  const t = typed(m);
  return hasTag(t.supported, 'timer') || hasTag(t.require, 'timer');
}

/** §9: when the refresher sends its refresh (half the interval). */
export function refreshDelayMs(s: SessionInterval): number {
  return s.seconds * 500;
}

/** §10: the other side gives up at the interval minus a third of it, at most 32 s earlier. */
export function expiryDelayMs(s: SessionInterval): number {
  return Math.round((s.seconds - Math.min(32, s.seconds / 3)) * 1000);
}

/**
 * §9 UAS side of a session-timer request (initial INVITE, re-INVITE or UPDATE we answer with 2xx).
 * Returns 'too-small' when the interval is below our Min-SE (answer 422), undefined when the request asks for no
 * timer, else the interval agreed and the header values for the 2xx.
 */
export function answerSessionTimer(request: SipRequest, config: SessionTimerConfig):
  | 'too-small'
  | undefined
  | { interval: SessionInterval; headers: Record<string, string> } {
  const se = typed(request).sessionExpires;
  if (!se) return undefined;
  if (se.delta < config.minSE) return 'too-small';
  const theySupport = supportsTimer(request);
  // The UAC refreshes when it asked to or can; a UAC without timer support leaves it to us.
  const refresher = se.refresher ?? (theySupport ? 'uac' : 'uas');
  const headers: Record<string, string> = { 'Session-Expires': `${se.delta};refresher=${refresher}` };
  if (theySupport) headers['Require'] = 'timer';
  return { interval: { seconds: se.delta, weRefresh: refresher === 'uas' }, headers };
}

/** §7.2 UAC side: the 2xx to our request says the interval and who refreshes; none means no session timer. */
export function sessionTimerOfAnswer(response: SipMessage): SessionInterval | undefined {
  const se = typed(response).sessionExpires;
  if (!se) return undefined;
  return { seconds: se.delta, weRefresh: (se.refresher ?? 'uac') === 'uac' };
}
