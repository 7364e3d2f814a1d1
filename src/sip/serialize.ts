/**
 * Messages to bytes. A received message that nobody changed is sent back exactly as received; otherwise
 * the start line, the header fields in order and a Content-Length that matches the body are written.
 */
import type { SipMessage } from './message.js';
import { H, idOf } from './header-names.js';
import { startLine } from './build.js';
import { ParsedRequest, ParsedResponse } from './parser/parsed.js';
import { utf8Encoder } from '../utf8.js';

export function serialize(m: SipMessage): Uint8Array {
  if (m instanceof ParsedRequest || m instanceof ParsedResponse) return m.raw;
  return encodeMessage(m);
}

/** Writes m field by field (used for built messages, and for received ones when re-encoding is wanted). */
export function encodeMessage(m: SipMessage): Uint8Array {
  let head = startLine(m) + '\r\n';
  for (const [name, value] of m.headerLines()) {
    if (idOf(name) === H.ContentLength) continue;
    head += name + ': ' + value + '\r\n';
  }
  const body = m.body;
  head += 'Content-Length: ' + body.length + '\r\n\r\n';
  const h = utf8Encoder().encode(head);
  if (body.length === 0) return h;
  const out = new Uint8Array(h.length + body.length);
  out.set(h, 0);
  out.set(body, h.length);
  return out;
}

/** The message as text (header section and, when it decodes as UTF-8, the body), for logs and tests. */
export function messageText(m: SipMessage): string {
  return new TextDecoder().decode(serialize(m));
}
