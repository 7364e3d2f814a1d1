/** Codec and message fixtures for transport tests (parser from src/sip/parser; raw bytes until serialize.ts). */
import { parseMessage, StreamParser, type ParsedMessage, type ParsedRequest, type ParsedResponse } from '../../../../src/sip/parser/index.js';
import type { SipMessage } from '../../../../src/sip/message.js';
import type { SipCodec } from '../../../../src/sip/transport/codec.js';
import { formatUri } from '../../../../src/sip/uri.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Any contract message to bytes from its header lines (the production serializer is src/sip/serialize.ts). */
export function plainSerialize(m: SipMessage): Uint8Array {
  let out = m.kind === 'request' ? `${m.method} ${formatUri(m.uri)} SIP/2.0\r\n` : `SIP/2.0 ${m.status} ${m.reason}\r\n`;
  for (const [k, v] of m.headerLines()) if (k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'l') out += `${k}: ${v}\r\n`;
  const head = enc.encode(out + `Content-Length: ${m.body.length}\r\n\r\n`);
  const all = new Uint8Array(head.length + m.body.length);
  all.set(head);
  all.set(m.body, head.length);
  return all;
}

/** Parser-backed codec with a plain serializer. */
export const testCodec: SipCodec = {
  parseDatagram: (bytes) => parseMessage(bytes),
  streamDecoder(onMessage, onKeepAlive) {
    const p = new StreamParser(onMessage, undefined, onKeepAlive);
    return { push: (chunk) => p.feed(chunk) };
  },
  serialize: plainSerialize,
};

export function msg(lines: string[], body = ''): ParsedMessage {
  const text = lines.join('\r\n') + `\r\nContent-Length: ${enc.encode(body).length}\r\n\r\n` + body;
  return parseMessage(enc.encode(text));
}

export interface ReqSpec {
  method?: string;
  via?: string;
  toTag?: string;
  body?: string;
  extra?: string[];
}

export function req(spec: ReqSpec = {}): ParsedRequest {
  const method = spec.method ?? 'OPTIONS';
  return msg(
    [
      `${method} sip:bob@192.0.2.2 SIP/2.0`,
      `Via: ${spec.via ?? 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1;rport'}`,
      'Max-Forwards: 70',
      'From: <sip:alice@example.com>;tag=f1',
      `To: <sip:bob@example.com>${spec.toTag ? ';tag=' + spec.toTag : ''}`,
      'Call-ID: c1@example.com',
      `CSeq: 1 ${method}`,
      ...(spec.extra ?? []),
    ],
    spec.body ?? '',
  ) as ParsedRequest;
}

export function res(status: number, via = 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKt1;rport', extra: string[] = []): ParsedResponse {
  return msg([
    `SIP/2.0 ${status} OK`,
    `Via: ${via}`,
    ...extra,
    'From: <sip:alice@example.com>;tag=f1',
    'To: <sip:bob@example.com>;tag=t9',
    'Call-ID: c1@example.com',
    'CSeq: 1 OPTIONS',
  ]) as ParsedResponse;
}

export const text = (b: Uint8Array): string => dec.decode(b);
export const bytes = (s: string): Uint8Array => enc.encode(s);

/** Deterministic Random for tests: a xorshift stream from a seed. */
export class SeededRandom {
  #s: number;
  constructor(seed = 1) {
    this.#s = seed >>> 0 || 1;
  }
  fill(dst: Uint8Array): Uint8Array {
    for (let i = 0; i < dst.length; i++) {
      let x = this.#s;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#s = x >>> 0;
      dst[i] = this.#s & 0xff;
    }
    return dst;
  }
}
