/** Event and Subscription-State (RFC 6665 §8.2). */
import type { Params } from '../message.js';
import { SipError } from '../errors.js';
import { formatParams, parseParams } from './params.js';
import { C_DIGIT, C_TOKEN, describeAt, scanClass, skipWs } from './scan.js';

export interface EventValue {
  type: string; // event-type as received: package and templates ("presence", "dialog", "refer"...)
  id?: string;
  params: Params;
}

export interface SubscriptionState {
  state: string; // lower-case: active, pending, terminated, or an extension
  expires?: number;
  reason?: string; // lower-case: deactivated, probation, rejected, timeout, giveup, noresource, invariant...
  retryAfter?: number;
  params: Params;
}

function deltaSeconds(v: string | null | undefined, what: string, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (v === null || v.length === 0 || scanClass(v, 0, C_DIGIT) !== v.length) {
    throw new SipError(`bad ${what}: ${name} is not a number`, 400, what);
  }
  let z = 0;
  while (z < v.length - 1 && v.charCodeAt(z) === 48) z++;
  if (v.length - z > 10 || +v > 0xffffffff) throw new SipError(`bad ${what}: ${name} out of range`, 400, what);
  return +v;
}

export function parseEvent(text: string, what = 'Event'): EventValue {
  const s = skipWs(text, 0);
  const e = scanClass(text, s, C_TOKEN);
  if (e === s) throw new SipError(`bad ${what}: missing event type at ${describeAt(text, s)}`, 400, what);
  const r = parseParams(text, e, what);
  if (r.end < text.length) throw new SipError(`bad ${what}: unexpected ${describeAt(text, r.end)}`, 400, what);
  const out: EventValue = { type: text.slice(s, e), params: r.params };
  const id = r.params['id'];
  if (id !== undefined) {
    if (id === null) throw new SipError(`bad ${what}: id without value`, 400, what);
    out.id = id;
  }
  return out;
}

export function formatEvent(e: EventValue): string {
  let params = e.params;
  if (e.id !== undefined && params['id'] !== e.id) params = { ...params, id: e.id };
  return e.type + formatParams(params);
}

/** True when two Event values name the same subscription (type compared case-insensitively, ids equal). */
export function eventMatches(a: EventValue, b: EventValue): boolean {
  return a.type.toLowerCase() === b.type.toLowerCase() && a.id === b.id;
}

export function parseSubscriptionState(text: string, what = 'Subscription-State'): SubscriptionState {
  const s = skipWs(text, 0);
  const e = scanClass(text, s, C_TOKEN);
  if (e === s) throw new SipError(`bad ${what}: missing state at ${describeAt(text, s)}`, 400, what);
  const r = parseParams(text, e, what);
  if (r.end < text.length) throw new SipError(`bad ${what}: unexpected ${describeAt(text, r.end)}`, 400, what);
  const out: SubscriptionState = { state: text.slice(s, e).toLowerCase(), params: r.params };
  const expires = deltaSeconds(r.params['expires'], what, 'expires');
  if (expires !== undefined) out.expires = expires;
  const retry = deltaSeconds(r.params['retry-after'], what, 'retry-after');
  if (retry !== undefined) out.retryAfter = retry;
  const reason = r.params['reason'];
  if (reason !== undefined) {
    if (reason === null) throw new SipError(`bad ${what}: reason without value`, 400, what);
    out.reason = reason.toLowerCase();
  }
  return out;
}

export function formatSubscriptionState(s: SubscriptionState): string {
  const params: Params = { ...s.params };
  if (s.reason !== undefined) params['reason'] = s.reason;
  if (s.expires !== undefined) params['expires'] = String(s.expires);
  if (s.retryAfter !== undefined) params['retry-after'] = String(s.retryAfter);
  return s.state + formatParams(params);
}
