/** The production codec: the SIP parser (datagram and stream framing) and serializer. */
import { parseMessage, StreamParser, type ParserLimits } from '../parser/index.js';
import { serialize } from '../serialize.js';
import type { SipCodec } from './codec.js';

export function sipCodec(limits?: Partial<ParserLimits>): SipCodec {
  return {
    parseDatagram: (bytes) => parseMessage(bytes, limits),
    streamDecoder(onMessage, onKeepAlive) {
      const parser = new StreamParser(onMessage, limits, onKeepAlive);
      return { push: (chunk) => parser.feed(chunk) };
    },
    serialize,
  };
}
