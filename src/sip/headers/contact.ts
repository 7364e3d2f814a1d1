/** Contact (RFC 3261 §20.10): "*" or a list of name-addr / addr-spec with expires and q parameters. */
import type { Contact, ContactList } from '../message.js';
import { SipError } from '../errors.js';
import { formatNameAddrList, parseNameAddrList } from './name-addr.js';
import { C_DIGIT, scanClass, skipWs, trimEnd } from './scan.js';

const WHAT = 'Contact';

function checkQ(q: string | null): void {
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  if (q === null || q.length === 0 || q.length > 5) throw new SipError('bad Contact: bad q value', 400, WHAT);
  const c0 = q.charCodeAt(0);
  if (c0 !== 48 && c0 !== 49) throw new SipError('bad Contact: bad q value', 400, WHAT);
  if (q.length === 1) return;
  if (q.charCodeAt(1) !== 46) throw new SipError('bad Contact: bad q value', 400, WHAT);
  for (let i = 2; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if (c0 === 49 ? c !== 48 : c < 48 || c > 57) throw new SipError('bad Contact: bad q value', 400, WHAT);
  }
}

/**
 * Parses a Contact header value. Validates q (qvalue) and that expires is decimal; an expires too large
 * for 32 bits is kept as text (RFC 4475 scalar02: treat as the default) — read it with contactExpires().
 */
export function parseContactList(text: string): ContactList {
  const s = skipWs(text, 0);
  const e = trimEnd(text, s, text.length);
  if (text.charCodeAt(s) === 42 /* * */) {
    if (e - s === 1) return '*';
    const k = skipWs(text, s + 1);
    if (k < e && text.charCodeAt(k) === 44) throw new SipError("bad Contact: '*' must be the only value", 400, WHAT);
  }
  const list = parseNameAddrList(text, WHAT) as Contact[];
  for (const c of list) {
    const q = c.params['q'];
    if (q !== undefined) checkQ(q);
    const ex = c.params['expires'];
    if (ex !== undefined && (ex === null || scanClass(ex, 0, C_DIGIT) !== ex.length || ex.length === 0)) {
      throw new SipError('bad Contact: expires is not a number', 400, WHAT);
    }
  }
  return list;
}

/** The expires parameter of a contact as seconds, or undefined when absent or out of 32-bit range. */
export function contactExpires(c: Contact): number | undefined {
  const ex = c.params['expires'];
  if (ex === undefined || ex === null || ex.length === 0 || scanClass(ex, 0, C_DIGIT) !== ex.length) return undefined;
  let z = 0;
  while (z < ex.length - 1 && ex.charCodeAt(z) === 48) z++;
  if (ex.length - z > 10) return undefined;
  const v = +ex.slice(z);
  return v <= 0xffffffff ? v : undefined;
}

/** The q parameter of a contact as a number (1 when absent). */
export function contactQ(c: Contact): number {
  const q = c.params['q'];
  return q === undefined || q === null ? 1 : +q;
}

/** Serialises a Contact value: "*" or the comma-separated contacts. */
export function formatContactList(list: ContactList): string {
  return list === '*' ? '*' : formatNameAddrList(list);
}
