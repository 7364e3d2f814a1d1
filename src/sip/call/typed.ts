/** Received and built messages both read their extension headers (RSeq, RAck, Session-Expires...) through TypedHeaders. */
import type { SipMessage } from '../message.js';
import type { TypedHeaders } from '../parser/typed.js';

export type Typed<T extends SipMessage> = T & TypedHeaders;

/** The message with its typed getters (every SipMessage in xsphone is parsed or built, both TypedHeaders). */
export function typed<T extends SipMessage>(m: T): Typed<T> {
  return m as Typed<T>;
}

/** Whether a token list header (Require, Supported) names an option tag. */
export function hasTag(list: readonly string[], tag: string): boolean {
  return list.some((t) => t.toLowerCase() === tag);
}
