/** CSeq (RFC 3261 §20.16): 1*DIGIT LWS Method; the number is below 2**31 (§8.1.1.5). */
import type { CSeq } from '../message.js';
import { SipError } from '../errors.js';
import { C_DIGIT, C_TOKEN, describeAt, scanClass, skipWs, trimEnd } from './scan.js';

const MAX_SEQ = 2 ** 31 - 1;

const RE_CSEQ = /^[ \t\r\n]*([0-9]{1,10})[ \t\r\n]+([A-Za-z0-9\-.!%*_+`'~]+)[ \t\r\n]*$/;

export function parseCSeq(text: string): CSeq {
  const m = RE_CSEQ.exec(text);
  if (m !== null) {
    const seq = +m[1]!;
    if (seq <= MAX_SEQ) return { seq, method: m[2]! };
  }
  return parseCSeqExact(text);
}

/** The character-by-character parser: exact error messages. */
export function parseCSeqExact(text: string): CSeq {
  const n = trimEnd(text, 0, text.length);
  const s = skipWs(text, 0);
  const de = scanClass(text, s, C_DIGIT);
  if (de === s) throw new SipError(`bad CSeq: expected sequence number, found ${describeAt(text, s)}`, 400, 'CSeq');
  let z = s;
  while (z < de - 1 && text.charCodeAt(z) === 48) z++;
  if (de - z > 10 || +text.slice(z, de) > MAX_SEQ) throw new SipError('bad CSeq: sequence number too large', 400, 'CSeq');
  const seq = +text.slice(z, de);
  const ms = skipWs(text, de);
  if (ms === de) throw new SipError(ms >= n ? 'bad CSeq: missing method' : `bad CSeq: unexpected ${describeAt(text, ms)}`, 400, 'CSeq');
  if (ms >= n) throw new SipError('bad CSeq: missing method', 400, 'CSeq');
  const me = scanClass(text, ms, C_TOKEN);
  if (me !== n) throw new SipError(`bad CSeq: unexpected ${describeAt(text, me)} in method`, 400, 'CSeq');
  return { seq, method: text.slice(ms, me) };
}

export function formatCSeq(c: CSeq): string {
  return c.seq + ' ' + c.method;
}
