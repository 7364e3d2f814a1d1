/** The SIP message parser: datagram and stream framing, lazily indexed messages. */
export { parseMessage, isKeepAlive } from './datagram.js';
export { StreamParser } from './stream.js';
export type { KeepAlive } from './stream.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export type { ParserLimits } from './limits.js';
export { ParsedRequest, ParsedResponse } from './parsed.js';
export type { ParsedMessage } from './parsed.js';
