import { formatCryptoLine } from '../media/srtp/sdes.js';
import type { Attribute, Bandwidth, Connection, MediaDescription, SessionDescription } from './sdp.js';

/** Writes an SDP body with CRLF line ends, fields in RFC 8866 order. */
export function serializeSdp(s: SessionDescription): string {
  const out: string[] = ['v=0'];
  const o = s.origin;
  out.push(`o=${o.username} ${o.sessionId} ${o.sessionVersion} IN ${o.addressType} ${o.address}`);
  out.push(`s=${s.sessionName}`);
  if (s.info !== undefined) out.push(`i=${s.info}`);
  if (s.uri !== undefined) out.push(`u=${s.uri}`);
  for (const e of s.emails) out.push(`e=${e}`);
  for (const p of s.phones) out.push(`p=${p}`);
  if (s.connection) out.push(connection(s.connection));
  bandwidths(out, s.bandwidths);
  for (const t of s.timing) {
    out.push(`t=${t.start} ${t.stop}`);
    for (const r of t.repeats) out.push(`r=${r}`);
  }
  if (s.zone !== undefined) out.push(`z=${s.zone}`);
  if (s.key !== undefined) out.push(`k=${s.key}`);
  if (s.direction) out.push(`a=${s.direction}`);
  attributes(out, s.attributes);
  for (const m of s.media) media(out, m);
  return out.join('\r\n') + '\r\n';
}

function media(out: string[], m: MediaDescription): void {
  const port = m.portCount === undefined ? String(m.port) : `${m.port}/${m.portCount}`;
  out.push(`m=${m.type} ${port} ${m.protocol} ${m.formats.join(' ')}`);
  if (m.info !== undefined) out.push(`i=${m.info}`);
  if (m.connection) out.push(connection(m.connection));
  bandwidths(out, m.bandwidths);
  if (m.key !== undefined) out.push(`k=${m.key}`);
  // Each rtpmap is followed by the fmtp lines for its payload type; fmtps without an rtpmap come after.
  const written = new Set<string>();
  for (const r of m.rtpmaps) {
    out.push(`a=rtpmap:${r.payloadType} ${r.encoding}/${r.clockRate}${r.channels === undefined ? '' : '/' + r.channels}`);
    const pt = String(r.payloadType);
    if (written.has(pt)) continue;
    written.add(pt);
    for (const f of m.fmtps) if (f.format === pt) out.push(`a=fmtp:${f.format} ${f.params}`);
  }
  for (const f of m.fmtps) if (!written.has(f.format)) out.push(`a=fmtp:${f.format} ${f.params}`);
  if (m.rtcp) out.push(`a=rtcp:${m.rtcp.port}${m.rtcp.connection ? ' ' + connection(m.rtcp.connection).slice(2) : ''}`);
  if (m.rtcpMux) out.push('a=rtcp-mux');
  for (const c of m.crypto) out.push(`a=crypto:${formatCryptoLine(c)}`);
  if (m.ptime !== undefined) out.push(`a=ptime:${m.ptime}`);
  if (m.maxptime !== undefined) out.push(`a=maxptime:${m.maxptime}`);
  if (m.direction) out.push(`a=${m.direction}`);
  attributes(out, m.attributes);
}

function connection(c: Connection): string {
  return `c=IN ${c.addressType} ${c.address}${c.multicast === undefined ? '' : '/' + c.multicast}`;
}

function bandwidths(out: string[], list: Bandwidth[]): void {
  for (const b of list) out.push(`b=${b.type}:${b.kbps}`);
}

function attributes(out: string[], list: Attribute[]): void {
  for (const a of list) out.push(a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`);
}
