/** Codec and message fixtures for transport tests. */
import { parseMessage, type ParsedMessage, type ParsedRequest, type ParsedResponse } from '../../../../src/sip/parser/index.js';
import type { SipCodec } from '../../../../src/sip/transport/codec.js';
import { sipCodec } from '../../../../src/sip/transport/sip-codec.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The production codec (parser + serializer); the tests exercise the real framing. */
export const testCodec: SipCodec = sipCodec();

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

export { SeededRandom } from '../../../../hal/virtual/random.js';
