/**
 * RTP fixed header (RFC 3550 §5.1), read into and written from caller-owned buffers.
 * Parsing reports a status instead of throwing: it runs for every packet.
 */

export const RTP_HEADER_SIZE = 12;
export const RTP_VERSION = 2;

/** Outcome of parseRtp. */
export const RtpParse = {
  ok: 0,
  tooShort: 1,
  badVersion: 2,
  badPadding: 3,
  badExtension: 4,
  /** Payload type 72–76: an RTCP packet multiplexed on the RTP port (RFC 5761 §4). */
  rtcp: 5,
} as const;
export type RtpParseStatus = (typeof RtpParse)[keyof typeof RtpParse];

/** A parsed header; one instance is reused for every packet. */
export class RtpHeader {
  padding = false;
  extension = false;
  marker = false;
  payloadType = 0;
  sequence = 0;
  /** Unsigned 32-bit. */
  timestamp = 0;
  /** Unsigned 32-bit. */
  ssrc = 0;
  csrcCount = 0;
  #csrc: Uint32Array | null = null;
  /** Where the payload starts in the parsed buffer, after CSRCs, extension. */
  payloadOffset = 0;
  /** Payload bytes, padding excluded. */
  payloadLength = 0;

  /** The CSRCs (the first csrcCount), in an array made when first needed: few streams carry any. */
  get csrc(): Uint32Array {
    return (this.#csrc ??= new Uint32Array(15));
  }
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}

/** True when the first bytes look like RTCP (RFC 5761 §4: second byte 192–223) rather than RTP. */
export function looksLikeRtcp(data: Uint8Array, offset: number, length: number): boolean {
  if (length < 2) return false;
  const pt = data[offset + 1]!;
  return pt >= 192 && pt <= 223;
}

/** Parses the header of the length bytes at data[offset] into out. */
export function parseRtp(data: Uint8Array, offset: number, length: number, out: RtpHeader): RtpParseStatus {
  if (length < RTP_HEADER_SIZE) return RtpParse.tooShort;
  const b0 = data[offset]!;
  if (b0 >> 6 !== RTP_VERSION) return RtpParse.badVersion;
  if (looksLikeRtcp(data, offset, length)) return RtpParse.rtcp;
  const cc = b0 & 0x0f;
  let pos = offset + RTP_HEADER_SIZE + cc * 4;
  const end = offset + length;
  if (pos > end) return RtpParse.tooShort;
  const b1 = data[offset + 1]!;
  out.padding = (b0 & 0x20) !== 0;
  out.extension = (b0 & 0x10) !== 0;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequence = (data[offset + 2]! << 8) | data[offset + 3]!;
  out.timestamp = u32(data, offset + 4);
  out.ssrc = u32(data, offset + 8);
  out.csrcCount = cc;
  for (let i = 0; i < cc; i++) out.csrc[i] = u32(data, offset + RTP_HEADER_SIZE + i * 4);
  if (out.extension) {
    // Header extension (§5.3.1): 16-bit profile, 16-bit length in words; skipped.
    if (pos + 4 > end) return RtpParse.badExtension;
    pos += 4 + ((data[pos + 2]! << 8) | data[pos + 3]!) * 4;
    if (pos > end) return RtpParse.badExtension;
  }
  let payloadEnd = end;
  if (out.padding) {
    const pad = data[end - 1]!;
    if (pad === 0 || end - pad < pos) return RtpParse.badPadding;
    payloadEnd -= pad;
  }
  out.payloadOffset = pos;
  out.payloadLength = payloadEnd - pos;
  return RtpParse.ok;
}

/**
 * Writes a 12-byte header without CSRCs, padding or extension at data[offset];
 * returns the header size, so the payload goes at offset + result.
 */
export function writeRtpHeader(
  data: Uint8Array, offset: number, marker: boolean, payloadType: number, sequence: number, timestamp: number, ssrc: number,
): number {
  data[offset] = RTP_VERSION << 6;
  data[offset + 1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  data[offset + 2] = (sequence >> 8) & 0xff;
  data[offset + 3] = sequence & 0xff;
  put32(data, offset + 4, timestamp);
  put32(data, offset + 8, ssrc);
  return RTP_HEADER_SIZE;
}

/** Adds contributing sources to a header written by writeRtpHeader; returns the new header size. */
export function writeRtpCsrcs(data: Uint8Array, offset: number, csrcs: Uint32Array, count: number): number {
  data[offset] = (data[offset]! & 0xf0) | (count & 0x0f);
  for (let i = 0; i < count; i++) put32(data, offset + RTP_HEADER_SIZE + i * 4, csrcs[i]!);
  return RTP_HEADER_SIZE + count * 4;
}

/** Sequence-number arithmetic mod 2^16: a - b as a signed distance in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}
