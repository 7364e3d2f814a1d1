/** How the transport turns bytes into messages and back; the SIP parser and serializer plug in here. */
import type { SipMessage } from '../message.js';

/** Keep-alives seen between messages on a stream (RFC 5626 §3.5.1): CRLFCRLF is a ping, a lone CRLF a pong. */
export type KeepAliveKind = 'ping' | 'pong';

export interface StreamDecoder {
  /** Feeds received bytes; calls back for each complete message. Throws (SipError) when the stream is broken. */
  push(chunk: Uint8Array): void;
}

export interface SipCodec {
  /** One UDP datagram holds one message (a missing Content-Length means the rest of the datagram). Throws SipError. */
  parseDatagram(bytes: Uint8Array): SipMessage;
  /** A framing decoder for one TCP/TLS connection. */
  streamDecoder(onMessage: (message: SipMessage) => void, onKeepAlive: (kind: KeepAliveKind) => void): StreamDecoder;
  serialize(message: SipMessage): Uint8Array;
}

/** True when a datagram is only CR/LF: a keep-alive, not a message. */
export function isKeepAliveDatagram(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 13 && bytes[i] !== 10) return false;
  return true;
}

export const CRLF: Uint8Array = new Uint8Array([13, 10]);
export const CRLFCRLF: Uint8Array = new Uint8Array([13, 10, 13, 10]);
