/** SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966). Parsing, formatting and §19.1.4 equality. */
import type { Params } from './message.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string; // unescaped
  password?: string; // unescaped
  host: string; // lower-case for names; IPv6 without brackets
  port?: number;
  params: Params; // names lower-case, values unescaped
  headers: Record<string, string>; // ?name=value, unescaped
}

export interface TelUri {
  scheme: 'tel';
  number: string; // global (+...) or local, visual separators kept as received
  params: Params;
}

/** Any other absolute URI (e.g. http:, urn:, mailto:), kept as text. */
export interface OtherUri {
  scheme: string;
  text: string;
}

export type Uri = SipUri | TelUri | OtherUri;
