import { parseCryptoLine, SdesError } from '../media/srtp/sdes.js';
import {
  SdpError,
  emptyMedia,
  type AddressType,
  type Attribute,
  type Bandwidth,
  type Connection,
  type Direction,
  type MediaDescription,
  type Origin,
  type RtpMap,
  type SessionDescription,
} from './sdp.js';

const SESSION_TYPES = 'vosiuepcbtrzka';
const MEDIA_TYPES = 'icbka';

/**
 * Parses an SDP body. Strict about structure (v= first, o= next, s= and t= before m=, field syntax)
 * so garbage is refused with an SdpError naming the line; tolerant of LF-only line ends, trailing
 * whitespace and blank lines, and of attributes and line types it does not know (kept or skipped).
 */
export function parseSdp(text: string): SessionDescription {
  const lines = text.split('\n');
  let session: SessionDescription | undefined;
  let media: MediaDescription | undefined;
  let sawV = false;
  let sawS = false;
  let number = 0;
  for (const raw of lines) {
    number++;
    const line = trimEnd(raw);
    if (line === '') continue;
    if (line.length < 2 || line[1] !== '=' || line.charCodeAt(0) < 97 || line.charCodeAt(0) > 122) {
      throw new SdpError(`not a "<type>=<value>" line: "${clip(line)}"`, number);
    }
    const type = line[0];
    const value = line.slice(2);
    if (!sawV) {
      if (type !== 'v') throw new SdpError('the first line must be v=', number);
      if (value !== '0') throw new SdpError(`unsupported SDP version "${value}"`, number);
      sawV = true;
      continue;
    }
    if (!session) {
      if (type !== 'o') throw new SdpError('o= must follow v=', number);
      session = {
        origin: parseOrigin(value, number),
        sessionName: '',
        emails: [],
        phones: [],
        bandwidths: [],
        timing: [],
        attributes: [],
        media: [],
      };
      continue;
    }
    if (type === 'm') {
      if (!sawS) throw new SdpError('s= missing before m=', number);
      if (session.timing.length === 0) throw new SdpError('t= missing before m=', number);
      media = parseMediaLine(value, number);
      session.media.push(media);
      continue;
    }
    if (!media) {
      // Line order beyond v/o/s/t-before-m is not enforced: real peers get it wrong and it carries no meaning.
      if (!SESSION_TYPES.includes(type)) continue; // Unknown line types are ignored (RFC 8866 §5).
      if (type === 's') {
        if (sawS) throw new SdpError('more than one s=', number);
        sawS = true;
      }
      sessionLine(session, type, value, number);
    } else {
      if (!MEDIA_TYPES.includes(type)) {
        if (SESSION_TYPES.includes(type)) throw new SdpError(`${type}= not allowed in a media section`, number);
        continue;
      }
      mediaLine(media, type, value, number);
    }
  }
  if (!sawV) throw new SdpError('empty session description');
  if (!session) throw new SdpError('o= missing');
  if (!sawS) throw new SdpError('s= missing');
  if (session.timing.length === 0) throw new SdpError('t= missing');
  for (const m of session.media) canonicalFmtpOrder(m);
  return session;
}

/** Orders fmtps as serializeSdp writes them (after the first rtpmap of their payload type), so parse∘serialize is stable. */
function canonicalFmtpOrder(m: MediaDescription): void {
  if (m.fmtps.length < 2) return;
  const rank = (format: string) => {
    const i = m.rtpmaps.findIndex((r) => String(r.payloadType) === format);
    return i < 0 ? m.rtpmaps.length : i;
  };
  m.fmtps.sort((a, b) => rank(a.format) - rank(b.format));
}

function sessionLine(s: SessionDescription, type: string, value: string, n: number): void {
  switch (type) {
    case 's':
      // "s= " (a space) is common; trimmed, it is empty, which we accept.
      s.sessionName = value;
      return;
    case 'i':
      if (s.info !== undefined) throw new SdpError('more than one i=', n);
      s.info = value;
      return;
    case 'u':
      s.uri = value;
      return;
    case 'e':
      s.emails.push(value);
      return;
    case 'p':
      s.phones.push(value);
      return;
    case 'c':
      if (s.connection) throw new SdpError('more than one session-level c=', n);
      s.connection = parseConnection(value, n);
      return;
    case 'b':
      s.bandwidths.push(parseBandwidth(value, n));
      return;
    case 't': {
      const f = value.split(' ');
      if (f.length !== 2 || !isDigits(f[0]) || !isDigits(f[1])) throw new SdpError(`bad t= "${value}"`, n);
      s.timing.push({ start: f[0], stop: f[1], repeats: [] });
      return;
    }
    case 'r':
      if (s.timing.length === 0) throw new SdpError('r= before t=', n);
      s.timing[s.timing.length - 1].repeats.push(value);
      return;
    case 'z':
      s.zone = value;
      return;
    case 'k':
      s.key = value;
      return;
    case 'a': {
      const a = splitAttribute(value, n);
      const dir = asDirection(a);
      if (dir) s.direction = dir;
      else s.attributes.push(a);
      return;
    }
    default:
      throw new SdpError(`unexpected ${type}= at session level`, n);
  }
}

function mediaLine(m: MediaDescription, type: string, value: string, n: number): void {
  switch (type) {
    case 'i':
      m.info = value;
      return;
    case 'c':
      if (m.connection) throw new SdpError('more than one c= in a media section', n);
      m.connection = parseConnection(value, n);
      return;
    case 'b':
      m.bandwidths.push(parseBandwidth(value, n));
      return;
    case 'k':
      m.key = value;
      return;
    case 'a':
      mediaAttribute(m, splitAttribute(value, n), n);
      return;
    default:
      throw new SdpError(`unexpected ${type}= in media section`, n);
  }
}

function mediaAttribute(m: MediaDescription, a: Attribute, n: number): void {
  const dir = asDirection(a);
  if (dir) {
    m.direction = dir;
    return;
  }
  const v = a.value;
  switch (a.name) {
    case 'rtpmap':
      if (v === undefined) break;
      m.rtpmaps.push(parseRtpmap(v, n));
      return;
    case 'fmtp': {
      if (v === undefined) break;
      const sp = v.indexOf(' ');
      if (sp <= 0) throw new SdpError(`bad fmtp "${v}"`, n);
      m.fmtps.push({ format: v.slice(0, sp), params: v.slice(sp + 1).trim() });
      return;
    }
    case 'ptime':
    case 'maxptime': {
      const ms = Number(v);
      if (v === undefined || v === '' || !Number.isFinite(ms) || ms <= 0) throw new SdpError(`bad ${a.name} "${v}"`, n);
      if (a.name === 'ptime') m.ptime = ms;
      else m.maxptime = ms;
      return;
    }
    case 'rtcp': {
      if (v === undefined) break;
      const f = v.split(' ');
      const port = parsePort(f[0], n);
      if (f.length === 1) m.rtcp = { port };
      else if (f.length === 4) m.rtcp = { port, connection: parseConnection(f.slice(1).join(' '), n) };
      else throw new SdpError(`bad rtcp attribute "${v}"`, n);
      return;
    }
    case 'rtcp-mux':
      m.rtcpMux = true;
      return;
    case 'crypto':
      if (v === undefined) break;
      try {
        m.crypto.push(parseCryptoLine(v));
        return;
      } catch (e) {
        // A crypto line we cannot even split is kept verbatim and simply never chosen.
        if (!(e instanceof SdesError)) throw e;
        break;
      }
  }
  m.attributes.push(a);
}

function parseOrigin(value: string, n: number): Origin {
  const f = value.split(' ');
  if (f.length !== 6) throw new SdpError(`o= needs 6 fields: "${clip(value)}"`, n);
  if (!isDigits(f[1]) || !isDigits(f[2])) throw new SdpError('o= session id and version must be numbers', n);
  if (f[3] !== 'IN') throw new SdpError(`unsupported network type "${f[3]}"`, n);
  return { username: f[0], sessionId: f[1], sessionVersion: f[2], addressType: addressType(f[4], n), address: checkAddress(f[5], n) };
}

function parseConnection(value: string, n: number): Connection {
  const f = value.split(' ');
  if (f.length !== 3) throw new SdpError(`c= needs 3 fields: "${clip(value)}"`, n);
  if (f[0] !== 'IN') throw new SdpError(`unsupported network type "${f[0]}"`, n);
  const type = addressType(f[1], n);
  let address = f[2];
  let multicast: string | undefined;
  const slash = address.indexOf('/');
  // IPv6 addresses never contain '/', so the suffix split is the same for both families.
  if (slash >= 0) {
    multicast = address.slice(slash + 1);
    address = address.slice(0, slash);
    if (!/^[0-9]+(\/[0-9]+)?$/.test(multicast)) throw new SdpError(`bad multicast suffix "${multicast}"`, n);
  }
  checkAddress(address, n);
  if (type === 'IP4' && address.includes(':')) throw new SdpError(`"${address}" is not an IPv4 address`, n);
  if (type === 'IP6' && !address.includes(':') && /^[0-9.]+$/.test(address)) throw new SdpError(`"${address}" is not an IPv6 address`, n);
  return multicast === undefined ? { addressType: type, address } : { addressType: type, address, multicast };
}

function parseBandwidth(value: string, n: number): Bandwidth {
  const colon = value.indexOf(':');
  const kbps = Number(value.slice(colon + 1));
  if (colon <= 0 || !isDigits(value.slice(colon + 1))) throw new SdpError(`bad b= "${value}"`, n);
  return { type: value.slice(0, colon), kbps };
}

function parseMediaLine(value: string, n: number): MediaDescription {
  const f = value.split(' ').filter((x) => x !== '');
  if (f.length < 4) throw new SdpError(`m= needs media, port, protocol and at least one format: "${clip(value)}"`, n);
  let portText = f[1];
  let portCount: number | undefined;
  const slash = portText.indexOf('/');
  if (slash >= 0) {
    const count = portText.slice(slash + 1);
    if (!isDigits(count)) throw new SdpError(`bad port count "${f[1]}"`, n);
    portCount = Number(count);
    portText = portText.slice(0, slash);
  }
  if (!/^[a-z0-9_.-]+$/i.test(f[0])) throw new SdpError(`bad media type "${f[0]}"`, n);
  if (!/^[A-Za-z0-9_./-]+$/.test(f[2])) throw new SdpError(`bad protocol "${f[2]}"`, n);
  const m = emptyMedia(f[0], parsePort(portText, n), f[2], f.slice(3));
  if (portCount !== undefined) m.portCount = portCount;
  if (/RTP\//.test(m.protocol)) {
    for (const fmt of m.formats) {
      if (!isDigits(fmt) || Number(fmt) > 127) throw new SdpError(`RTP payload type "${fmt}" is not 0-127`, n);
    }
  }
  return m;
}

function parseRtpmap(v: string, n: number): RtpMap {
  const sp = v.indexOf(' ');
  const pt = v.slice(0, sp);
  const parts = v.slice(sp + 1).trim().split('/');
  if (sp <= 0 || !isDigits(pt) || Number(pt) > 127 || parts.length < 2 || parts.length > 3 || parts[0] === '' || !isDigits(parts[1])) {
    throw new SdpError(`bad rtpmap "${v}"`, n);
  }
  const map: RtpMap = { payloadType: Number(pt), encoding: parts[0], clockRate: Number(parts[1]) };
  if (parts.length === 3) {
    if (!isDigits(parts[2])) throw new SdpError(`bad rtpmap channels "${v}"`, n);
    map.channels = Number(parts[2]);
  }
  return map;
}

function splitAttribute(value: string, n: number): Attribute {
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!/^[A-Za-z0-9!#$%&'*+.^_`{|}~-]+$/.test(name)) throw new SdpError(`bad attribute name "${clip(name)}"`, n);
  return colon < 0 ? { name } : { name, value: value.slice(colon + 1) };
}

function asDirection(a: Attribute): Direction | undefined {
  if (a.value !== undefined) return undefined;
  switch (a.name) {
    case 'sendrecv':
    case 'sendonly':
    case 'recvonly':
    case 'inactive':
      return a.name;
  }
  return undefined;
}

function addressType(text: string, n: number): AddressType {
  if (text === 'IP4' || text === 'IP6') return text;
  throw new SdpError(`unsupported address type "${text}"`, n);
}

function checkAddress(address: string, n: number): string {
  if (!/^[A-Za-z0-9.:%_-]+$/.test(address)) throw new SdpError(`bad address "${clip(address)}"`, n);
  return address;
}

function parsePort(text: string, n: number): number {
  if (!isDigits(text) || Number(text) > 65535) throw new SdpError(`bad port "${text}"`, n);
  return Number(text);
}

function isDigits(s: string): boolean {
  return s.length > 0 && s.length <= 20 && /^[0-9]+$/.test(s);
}

function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 13 && c !== 32 && c !== 9) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
