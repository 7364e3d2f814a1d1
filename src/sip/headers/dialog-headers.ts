/**
 * Headers of dialogs and their extensions: Refer-To / Referred-By (RFC 3515, 3892), Replaces (RFC 3891),
 * RAck (RFC 3262), Session-Expires / Min-SE (RFC 4028), Warning, Retry-After, Date (RFC 3261 §20),
 * Reason (RFC 3326), Call-ID.
 */
import type { Params } from '../message.js';
import { SipError } from '../errors.js';
import { type LazyNameAddr, parseNameAddr } from './name-addr.js';
import { formatParams, parseParams } from './params.js';
import { C_DIGIT, C_TOKEN, C_WORD, describeAt, quote, readQuoted, readUInt, scanClass, skipWs, trimEnd } from './scan.js';

function err(what: string, defect: string): never {
  throw new SipError(`bad ${what}: ${defect}`, 400, what);
}

function expectEnd(text: string, i: number, what: string): void {
  if (i < text.length) err(what, `unexpected ${describeAt(text, i)}`);
}

/** Refer-To: a name-addr or addr-spec; the URI may carry headers such as ?Replaces=... (inside <>). */
export function parseReferTo(text: string): LazyNameAddr {
  return parseNameAddr(text, 'Refer-To');
}

/** Referred-By: name-addr / addr-spec with params (cid...). */
export function parseReferredBy(text: string): LazyNameAddr {
  return parseNameAddr(text, 'Referred-By');
}

// Call-ID -----------------------------------------------------------------------------------------------

/** Index after a callid (word ["@" word]) starting at i, or throws. */
function scanCallId(text: string, i: number, what: string): number {
  const e = scanClass(text, i, C_WORD);
  if (e === i) err(what, `missing Call-ID at ${describeAt(text, i)}`);
  if (text.charCodeAt(e) !== 64 /* @ */) return e;
  const e2 = scanClass(text, e + 1, C_WORD);
  if (e2 === e + 1) err(what, "empty word after '@' in Call-ID");
  return e2;
}

/** Validates a Call-ID value (word ["@" word]) and returns it without surrounding LWS. */
export function parseCallId(text: string, what = 'Call-ID'): string {
  const s = skipWs(text, 0);
  const n = trimEnd(text, s, text.length);
  if (s >= n) err(what, 'empty value');
  const e = scanCallId(text, s, what);
  if (e !== n) err(what, `unexpected ${describeAt(text, e)}`);
  return s === 0 && n === text.length ? text : text.slice(s, n);
}

/** In-Reply-To (§20.21): comma-separated Call-IDs. */
export function parseCallIdList(text: string, what = 'In-Reply-To'): string[] {
  const out: string[] = [];
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  for (;;) {
    const e = scanCallId(text, i, what);
    out.push(text.slice(i, e));
    i = skipWs(text, e);
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 44) err(what, `unexpected ${describeAt(text, i)}`);
    i = skipWs(text, i + 1);
  }
}

// Replaces ----------------------------------------------------------------------------------------------

export interface Replaces {
  callId: string;
  toTag: string;
  fromTag: string;
  earlyOnly: boolean;
  params: Params;
}

export function parseReplaces(text: string, what = 'Replaces'): Replaces {
  const s = skipWs(text, 0);
  const e = scanCallId(text, s, what);
  const r = parseParams(text, e, what);
  expectEnd(text, r.end, what);
  const toTag = r.params['to-tag'];
  const fromTag = r.params['from-tag'];
  if (toTag === undefined || toTag === null) err(what, 'missing to-tag');
  if (fromTag === undefined || fromTag === null) err(what, 'missing from-tag');
  return { callId: text.slice(s, e), toTag, fromTag, earlyOnly: r.params['early-only'] !== undefined, params: r.params };
}

export function formatReplaces(r: Replaces): string {
  const params: Params = { ...r.params, 'to-tag': r.toTag, 'from-tag': r.fromTag };
  if (r.earlyOnly) params['early-only'] = null;
  else delete params['early-only'];
  return r.callId + formatParams(params);
}

// RAck --------------------------------------------------------------------------------------------------

export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

export function parseRAck(text: string, what = 'RAck'): RAck {
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  const a = readUInt(text, i, 0xffffffff, what);
  i = skipWs(text, a.end);
  if (i === a.end) err(what, 'missing CSeq number');
  const b = readUInt(text, i, 0xffffffff, what);
  i = skipWs(text, b.end);
  if (i === b.end || i >= n) err(what, 'missing method');
  const me = scanClass(text, i, C_TOKEN);
  if (me !== n) err(what, `unexpected ${describeAt(text, me)}`);
  return { rseq: a.value, cseq: b.value, method: text.slice(i, me) };
}

export function formatRAck(r: RAck): string {
  return r.rseq + ' ' + r.cseq + ' ' + r.method;
}

// Session-Expires / Min-SE --------------------------------------------------------------------------------

export interface SessionExpires {
  delta: number;
  refresher?: 'uac' | 'uas';
  params: Params;
}

export function parseSessionExpires(text: string, what = 'Session-Expires'): SessionExpires {
  const s = skipWs(text, 0);
  const d = readUInt(text, s, 0xffffffff, what);
  const r = parseParams(text, d.end, what);
  expectEnd(text, r.end, what);
  const out: SessionExpires = { delta: d.value, params: r.params };
  const ref = r.params['refresher'];
  if (ref !== undefined) {
    const v = ref === null ? '' : ref.toLowerCase();
    if (v !== 'uac' && v !== 'uas') err(what, 'refresher must be uac or uas');
    out.refresher = v;
  }
  return out;
}

export function formatSessionExpires(s: SessionExpires): string {
  const params: Params = { ...s.params };
  if (s.refresher !== undefined) params['refresher'] = s.refresher;
  return s.delta + formatParams(params);
}

// Warning -----------------------------------------------------------------------------------------------

export interface Warning {
  code: number; // 3 digits
  agent: string; // hostport or pseudonym
  text: string;
}

export function parseWarning(text: string, what = 'Warning'): Warning[] {
  const out: Warning[] = [];
  const n = trimEnd(text, 0, text.length);
  let i = skipWs(text, 0);
  for (;;) {
    const ce = scanClass(text, i, C_DIGIT);
    if (ce - i !== 3) err(what, ce === i ? `expected warn-code at ${describeAt(text, i)}` : 'warn-code must be 3 digits');
    const code = +text.slice(i, ce);
    i = skipWs(text, ce);
    if (i === ce) err(what, 'missing warn-agent');
    // warn-agent = hostport / pseudonym: host characters, IPv6 reference and port.
    let ae = i;
    while (ae < n) {
      const c = text.charCodeAt(ae);
      if (c === 32 || c === 9 || c === 34 || c === 44) break;
      ae++;
    }
    if (ae === i) err(what, 'missing warn-agent');
    const agent = text.slice(i, ae);
    i = skipWs(text, ae);
    if (text.charCodeAt(i) !== 34) err(what, `expected quoted warn-text, found ${describeAt(text, i)}`);
    const q = readQuoted(text, i, what);
    out.push({ code, agent, text: q.value });
    i = skipWs(text, q.end);
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 44) err(what, `unexpected ${describeAt(text, i)}`);
    i = skipWs(text, i + 1);
  }
}

export function formatWarning(w: Warning): string {
  return String(w.code).padStart(3, '0') + ' ' + w.agent + ' ' + quote(w.text);
}

// Reason (RFC 3326) -------------------------------------------------------------------------------------

export interface Reason {
  protocol: string; // "SIP", "Q.850" or an extension
  cause?: number;
  text?: string;
  params: Params;
}

export function parseReason(text: string, what = 'Reason'): Reason[] {
  const out: Reason[] = [];
  const n = text.length;
  let i = skipWs(text, 0);
  for (;;) {
    const pe = scanClass(text, i, C_TOKEN);
    if (pe === i) err(what, `expected protocol at ${describeAt(text, i)}`);
    const r = parseParams(text, pe, what);
    const v: Reason = { protocol: text.slice(i, pe), params: r.params };
    const cause = r.params['cause'];
    if (cause !== undefined) {
      if (cause === null || cause.length === 0 || cause.length > 10 || scanClass(cause, 0, C_DIGIT) !== cause.length) {
        err(what, 'cause is not a number');
      }
      v.cause = +cause;
    }
    const t = r.params['text'];
    if (t !== undefined) {
      if (t === null) err(what, 'text without value');
      v.text = t;
    }
    out.push(v);
    i = r.end;
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 44) err(what, `unexpected ${describeAt(text, i)}`);
    i = skipWs(text, i + 1);
  }
}

export function formatReason(r: Reason): string {
  let out = r.protocol;
  if (r.cause !== undefined) out += ';cause=' + r.cause;
  if (r.text !== undefined) out += ';text=' + quote(r.text);
  for (const name in r.params) {
    if (name === 'cause' || name === 'text') continue;
    const v = r.params[name];
    out += formatParams({ [name]: v === undefined ? null : v });
  }
  return out;
}

// Retry-After -------------------------------------------------------------------------------------------

export interface RetryAfter {
  delta: number; // seconds
  comment?: string;
  duration?: number;
  params: Params;
}

export function parseRetryAfter(text: string, what = 'Retry-After'): RetryAfter {
  const s = skipWs(text, 0);
  const d = readUInt(text, s, 0xffffffff, what);
  let i = skipWs(text, d.end);
  let comment: string | undefined;
  if (text.charCodeAt(i) === 40 /* ( */) {
    // comment = LPAREN *(ctext / quoted-pair / comment) RPAREN; nested parentheses allowed.
    let depth = 0;
    let j = i;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 92) j++;
      else if (c === 40) depth++;
      else if (c === 41 && --depth === 0) break;
    }
    if (depth !== 0) err(what, 'unterminated comment');
    comment = text.slice(i + 1, j);
    i = j + 1;
  }
  const r = parseParams(text, i, what);
  expectEnd(text, r.end, what);
  const out: RetryAfter = { delta: d.value, params: r.params };
  if (comment !== undefined) out.comment = comment;
  const dur = r.params['duration'];
  if (dur !== undefined) {
    if (dur === null || scanClass(dur, 0, C_DIGIT) !== dur.length || dur.length === 0) err(what, 'duration is not a number');
    out.duration = readUInt(dur, 0, 0xffffffff, what).value;
  }
  return out;
}

export function formatRetryAfter(r: RetryAfter): string {
  const params: Params = { ...r.params };
  if (r.duration !== undefined) params['duration'] = String(r.duration);
  return r.delta + (r.comment !== undefined ? ' (' + r.comment + ')' : '') + formatParams(params);
}

// Date (RFC 1123 date, GMT only) ------------------------------------------------------------------------

const WKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(text: string, i: number, what: string): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) err(what, `expected 2 digits at ${describeAt(text, i)}`);
  return a * 10 + b;
}

/** Parses `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 3261 §20.17) into milliseconds since the epoch. */
export function parseDate(text: string, what = 'Date'): number {
  const s = skipWs(text, 0);
  const n = trimEnd(text, s, text.length);
  const v = text.slice(s, n);
  // Fixed layout: "Www, DD Mmm YYYY HH:MM:SS GMT" (29 characters).
  const layout = v.length > 26 && v[3] === ',' && v[4] === ' ' && v[7] === ' ' && v[11] === ' ' && v[16] === ' ' &&
    v[19] === ':' && v[22] === ':' && v[25] === ' ';
  if (layout && v.slice(26) !== 'GMT') err(what, 'time zone must be GMT');
  if (!layout || v.length !== 29) err(what, 'not an RFC 1123 date');
  const wk = WKDAYS.indexOf(v.slice(0, 3));
  if (wk < 0) err(what, `bad weekday ${v.slice(0, 3)}`);
  const day = two(v, 5, what);
  const month = MONTHS.indexOf(v.slice(8, 11));
  if (month < 0) err(what, `bad month ${v.slice(8, 11)}`);
  const year = two(v, 12, what) * 100 + two(v, 14, what);
  const hh = two(v, 17, what);
  const mm = two(v, 20, what);
  const ss = two(v, 23, what);
  if (day < 1 || hh > 23 || mm > 59 || ss > 60) err(what, 'field out of range');
  const ms = Date.UTC(year, month, day, hh, mm, ss === 60 ? 59 : ss);
  const check = new Date(ms);
  if (check.getUTCDate() !== day) err(what, 'no such day');
  if (check.getUTCDay() !== wk) err(what, 'weekday does not match the date');
  return ms;
}

function pad2(x: number): string {
  return x < 10 ? '0' + x : String(x);
}

/** Formats milliseconds since the epoch as an RFC 1123 date in GMT. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return (
    WKDAYS[d.getUTCDay()] + ', ' + pad2(d.getUTCDate()) + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear() + ' ' +
    pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds()) + ' GMT'
  );
}
