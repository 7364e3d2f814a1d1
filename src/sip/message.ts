/**
 * The contract every part of xsphone uses to read and write SIP messages.
 * Implemented by the parser (src/sip/parser/) for received messages and by the builder
 * (src/sip/build.ts) for messages we create. Typed header values are parsed lazily, on first read,
 * and cached; a malformed header throws SipError only when it is read.
 */
import type { Uri } from './uri.js';

export type Params = Record<string, string | null>; // name (lower-case) -> value, null for a flag

export interface NameAddr {
  displayName?: string; // unquoted and unescaped
  uri: Uri;
  params: Params; // header parameters (tag, expires, q, ...), names lower-case
}

export interface Via {
  protocol: string; // "SIP/2.0"
  transport: string; // upper-case: UDP, TCP, TLS, SCTP, WS...
  host: string; // IPv6 without brackets
  port?: number;
  params: Params; // branch, received, rport (null when empty), maddr, ttl...
  branch?: string;
  received?: string;
  rport?: number | null; // null: present without value
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface MediaType {
  type: string; // lower-case
  subtype: string; // lower-case
  params: Params;
}

/** WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization. */
export interface AuthValue {
  scheme: string; // e.g. "Digest"
  params: Record<string, string>; // names lower-case; quoted values unquoted
  token68?: string; // RFC 7235 token68 credentials (e.g. "Bearer <token>", RFC 8898) instead of params
}

export interface Contact extends NameAddr {}
/** Contact: * */
export type ContactList = Contact[] | '*';

export interface SipMessageBase {
  /** Raw header access: first value of a header (compact or full name, case-insensitive), or undefined. */
  header(name: string): string | undefined;
  /** Every value of a header, comma-separated lists split where the grammar allows. */
  headers(name: string): string[];
  /** Names and values in wire order (names as on the wire). */
  headerLines(): Array<[string, string]>;
  readonly body: Uint8Array; // empty when none
  readonly callId: string;
  readonly cseq: CSeq;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly via: Via[]; // all Via values, top first
  readonly topVia: Via | undefined; // via[0], parsing only the first value
  readonly branch: string | undefined; // the top Via's branch
  readonly fromTag: string | undefined;
  readonly toTag: string | undefined;
  readonly maxForwards: number | undefined;
  readonly contact: ContactList; // empty array when absent
  readonly route: NameAddr[];
  readonly recordRoute: NameAddr[];
  readonly contentType: MediaType | undefined;
  readonly contentLength: number | undefined;
  readonly expires: number | undefined;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: Uri;
  readonly version: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly version: string;
}

export type SipMessage = SipRequest | SipResponse;
