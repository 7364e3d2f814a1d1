import type { CryptoLine } from '../media/srtp/sdes.js';

/** SDP (RFC 8866) as a plain data model: what parse() returns and serialize() writes. */

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type AddressType = 'IP4' | 'IP6';

/** c= (and the address part of o=, a=rtcp): network type is always IN. */
export interface Connection {
  addressType: AddressType;
  /** Unicast address or host name, without any /ttl or /count suffix. */
  address: string;
  /** Multicast "/ttl[/count]" suffix as written, without the leading slash. */
  multicast?: string;
}

export interface Origin {
  username: string;
  /** Digits; kept as text because peers use values beyond 2^53. */
  sessionId: string;
  sessionVersion: string;
  addressType: AddressType;
  address: string;
}

export interface Bandwidth {
  type: string;
  kbps: number;
}

export interface Timing {
  start: string;
  stop: string;
  /** r= lines that follow this t=, verbatim. */
  repeats: string[];
}

export interface RtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels?: number;
}

export interface Fmtp {
  /** The format the parameters are for (a payload type number for RTP). */
  format: string;
  params: string;
}

/** a=rtcp (RFC 3605). */
export interface RtcpAttribute {
  port: number;
  connection?: Connection;
}

/** An attribute we do not interpret, kept verbatim: value undefined for a property attribute (a=name). */
export interface Attribute {
  name: string;
  value?: string;
}

export interface MediaDescription {
  type: string;
  port: number;
  /** The "/n" of "port/n", when present. */
  portCount?: number;
  protocol: string;
  formats: string[];
  info?: string;
  connection?: Connection;
  bandwidths: Bandwidth[];
  key?: string;
  rtpmaps: RtpMap[];
  fmtps: Fmtp[];
  ptime?: number;
  maxptime?: number;
  direction?: Direction;
  rtcp?: RtcpAttribute;
  rtcpMux: boolean;
  crypto: CryptoLine[];
  attributes: Attribute[];
}

export interface SessionDescription {
  origin: Origin;
  sessionName: string;
  info?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: Connection;
  bandwidths: Bandwidth[];
  timing: Timing[];
  zone?: string;
  key?: string;
  direction?: Direction;
  attributes: Attribute[];
  media: MediaDescription[];
}

/** A malformed or unacceptable session description; `line` is the 1-based line number at fault. */
export class SdpError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `SDP line ${line}: ${message}`);
  }
  override get name(): string {
    return 'SdpError';
  }
}

export function emptyMedia(type: string, port: number, protocol: string, formats: string[]): MediaDescription {
  return { type, port, protocol, formats, bandwidths: [], rtpmaps: [], fmtps: [], rtcpMux: false, crypto: [], attributes: [] };
}

/** The direction that applies to a media section: its own, else the session's, else sendrecv (RFC 3264 §5.1). */
export function mediaDirection(session: SessionDescription, media: MediaDescription): Direction {
  return media.direction ?? session.direction ?? 'sendrecv';
}

/** The connection that applies to a media section: its own, else the session's. */
export function mediaConnection(session: SessionDescription, media: MediaDescription): Connection | undefined {
  return media.connection ?? session.connection;
}
