/**
 * Request-Line and Status-Line (RFC 3261 §7.1, §7.2), strictly: single SP separators, no whitespace in
 * the Request-URI, no trailing whitespace, a 3-digit status. Each defect gets its own reason phrase.
 */
import { SipError } from '../errors.js';
import { C_TOKEN, CHAR_CLASS } from '../headers/scan.js';

// XS boxes a primitive string into a new String object (two heap slots) on every property access, so the
// hot paths call String.prototype methods with the string as `this`; module-local consts let V8 inline them.
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const lastIndexOf = String.prototype.lastIndexOf;
const slice = String.prototype.slice;
const startsWith = String.prototype.startsWith;
// Built at load time: in XS a string literal passed as an argument is copied on each call.
const SP = String.fromCharCode(32);
const SIP_SLASH = 'SIP/'.slice(0);

export const SIP_2_0 = 'SIP/2.0';

/** Methods whose names are shared (start line, CSeq) instead of copied from each message. */
export const METHODS: readonly string[] = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'UPDATE',
  'INFO', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH'];
export const METHOD_LENGTHS: readonly number[] = METHODS.map((m) => m.length);

/** What a Request-Line holds; offsets index the header text. */
export interface RequestLine {
  method: string;
  /** Request-URI start and end. */
  us: number;
  ue: number;
  version: string;
}

/** What a Status-Line holds; offsets index the header text. */
export interface StatusLine {
  status: number;
  /** Reason-Phrase start and end. */
  rs: number;
  re: number;
  version: string;
}

/** What the start line holds; offsets index the header text. */
export class StartLine implements RequestLine, StatusLine {
  /** Value of the single Content-Length header, -1 when absent (filled by buildHead). */
  contentLength = -1;
  kind: 'request' | 'response' = 'request';
  method = '';
  us = 0;
  ue = 0;
  status = 0;
  rs = 0;
  re = 0;
  version = SIP_2_0;
}

function bad(defect: string, status = 400): never {
  throw new SipError(defect, status);
}

/** Checks text[s, e) is SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; returns it (505 unless 2.0). */
function readVersion(text: string, s: number, e: number, line: string): string {
  if (e - s === 7 && startsWith.call(text, SIP_2_0, s)) return SIP_2_0;
  const v = slice.call(text, s, e);
  const upper = v.toUpperCase();
  if (upper === SIP_2_0) return SIP_2_0;
  if (!upper.startsWith('SIP/')) bad(`bad SIP-Version in ${line}: ${JSON.stringify(v)}`);
  const dot = upper.indexOf('.', 4);
  if (dot < 5 || dot === upper.length - 1) bad(`bad SIP-Version in ${line}: ${JSON.stringify(v)}`);
  for (let i = 4; i < upper.length; i++) {
    const c = upper.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) bad(`bad SIP-Version in ${line}: ${JSON.stringify(v)}`);
  }
  bad(`SIP version not supported: ${v}`, 505);
}

/** Parses text[0, e) (e excludes CR LF) into out. */
export function parseStartLine(text: string, e: number, out: StartLine): void {
  if (isStatusLine(text, e)) {
    out.kind = 'response';
    parseStatusLine(text, e, out);
  } else {
    out.kind = 'request';
    parseRequestLine(text, e, out);
  }
}

/** Whether the start line text[0, e) is a Status-Line (begins with "SIP/", any case); throws when empty. */
export function isStatusLine(text: string, e: number): boolean {
  if (e === 0) bad('empty start line');
  if (charCodeAt.call(text, 0) === 83 /* S */ && startsWith.call(text, SIP_SLASH, 0)) return true;
  const c0 = charCodeAt.call(text, 0) | 0x20;
  return c0 === 0x73 && slice.call(text, 0, 4).toUpperCase() === 'SIP/';
}

export function parseRequestLine(text: string, e: number, out: RequestLine): void {
  const sp1 = indexOf.call(text, SP, 0);
  if (sp1 < 0 || sp1 >= e) bad('bad Request-Line: missing Request-URI');
  if (sp1 === 0) bad('bad Request-Line: leading whitespace');
  for (let i = 0; i < sp1; i++) {
    const c = charCodeAt.call(text, i);
    if (c >= 128 || (CHAR_CLASS[c]! & C_TOKEN) === 0) bad('bad Request-Line: method is not a token');
  }
  const us = sp1 + 1;
  let sp2 = indexOf.call(text, SP, us);
  if (sp2 < 0 || sp2 >= e) bad('bad Request-Line: missing SIP-Version');
  if (sp2 === us) bad('bad Request-Line: extra whitespace between elements');
  const last = lastIndexOf.call(text, SP, e - 1);
  if (last !== sp2) {
    if (last === e - 1) bad('bad Request-Line: trailing whitespace after SIP-Version');
    if (charCodeAt.call(text, last - 1) === 32) bad('bad Request-Line: extra whitespace between elements');
    bad('bad Request-URI: contains whitespace');
  }
  sp2 = last;
  // Other characters are checked when the URI is first read (ParsedRequest.uri).
  if (charCodeAt.call(text, us) === 60 /* < */) bad('bad Request-URI: enclosed in <>');
  let method: string | undefined;
  for (let k = 0; k < METHODS.length && method === undefined; k++) {
    if (METHOD_LENGTHS[k] === sp1 && startsWith.call(text, METHODS[k]!, 0)) method = METHODS[k]!;
  }
  out.method = method ?? slice.call(text, 0, sp1);
  out.us = us;
  out.ue = sp2;
  out.version = readVersion(text, sp2 + 1, e, 'Request-Line');
}

export function parseStatusLine(text: string, e: number, out: StatusLine): void {
  const sp1 = indexOf.call(text, SP, 0);
  if (sp1 < 0 || sp1 >= e) bad('bad Status-Line: missing status code');
  out.version = readVersion(text, 0, sp1, 'Status-Line');
  let code = 0;
  let i = sp1 + 1;
  for (; i < sp1 + 4 && i < e; i++) {
    const c = charCodeAt.call(text, i);
    if (c < 48 || c > 57) bad('bad Status-Line: status code is not 3 digits');
    code = code * 10 + c - 48;
  }
  if (i !== sp1 + 4) bad('bad Status-Line: status code is not 3 digits');
  if (i < e && charCodeAt.call(text, i) !== 32) bad('bad Status-Line: status code is not 3 digits');
  if (code < 100 || code > 699) bad(`bad Status-Line: status code ${code} out of range`);
  out.status = code;
  out.rs = i < e ? i + 1 : e;
  out.re = e;
}
