/** The SIP transport layer (RFC 3261 §18, RFC 3581, RFC 5626 keep-alives). */
export { SipTransport } from './transport.js';
export type { SipTransportOptions, ListenSpec, MessageHandler, ReceiveErrorHandler } from './transport.js';
export type { Protocol, Target, Source, Outbound } from './types.js';
export { isReliable } from './types.js';
export { sipCodec } from './sip-codec.js';
export type { SipCodec, StreamDecoder, KeepAliveKind } from './codec.js';
export type { KeepAliveHandle, KeepAliveOptions } from './keepalive.js';
export { newBranch, ourVia, randomToken, receivedParams, MAGIC_COOKIE } from './via.js';
export { responseRoute } from './response-routing.js';
export { requestProtocol, DEFAULT_MTU } from './sender.js';
