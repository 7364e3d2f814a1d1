import { closeSync, openSync, writeSync } from 'node:fs';
import type { Clock } from '../hal/clock.js';
import type {
  ConnectOptions, Endpoint, ListenOptions, Listener, Network, StreamHandlers, StreamSocket, UdpOptions, UdpSocket,
} from '../hal/net.js';

/** An IP address (IPv4 dotted or IPv6 text) and a port. Same shape as the HAL's Endpoint. */
export interface PcapEndpoint {
  readonly address: string;
  readonly port: number;
}

/** 'raw': LINKTYPE_RAW (101), packets start at the IP header. 'ethernet': LINKTYPE_ETHERNET (1) with made-up MACs. */
export type PcapLinkType = 'raw' | 'ethernet';

export interface PcapOptions {
  linkType?: PcapLinkType;
}

const LINKTYPE: Record<PcapLinkType, number> = { raw: 101, ethernet: 1 };
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
/** Larger TCP payloads are cut into segments of this size (the IP length field has 16 bits). */
const MAX_TCP_SEGMENT = 32_768;

/** Parses IPv4 dotted quads and IPv6 text (with "::" and a trailing dotted quad) to bytes. */
export function parseIp(text: string): Uint8Array {
  const bad = (): never => {
    throw new Error(`pcap: "${text}" is not a numeric IP address`);
  };
  const v4 = (s: string): number[] => {
    const parts = s.split('.');
    if (parts.length !== 4) bad();
    return parts.map((p) => {
      const n = Number(p);
      if (!/^\d{1,3}$/.test(p) || n > 255) bad();
      return n;
    });
  };
  if (!text.includes(':')) return Uint8Array.from(v4(text));
  const addr = text.replace(/%.*$/, ''); // drop a zone index
  const halves = addr.split('::');
  if (halves.length > 2) bad();
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    parts.forEach((p, i) => {
      if (i === parts.length - 1 && p.includes('.')) {
        const q = v4(p);
        out.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) bad();
        out.push(parseInt(p, 16));
      }
    });
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) bad();
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Internet checksum (RFC 1071) over the given byte ranges taken as one stream. */
function checksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1; // pending high byte when a part ends on an odd length
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface TcpDirection {
  seq: number;
}

/** Sequence state of one TCP connection, keyed by "client|server" as first seen. */
interface TcpFlow {
  readonly dirs: Map<string, TcpDirection>;
}

function key(e: PcapEndpoint): string {
  return `${e.address}/${e.port}`;
}

/**
 * Writes a classic libpcap file (microsecond timestamps) of synthesised IP packets: UDP datagrams and
 * TCP segments, with IPv4/IPv6, UDP and TCP headers and their checksums, as Wireshark expects them.
 */
export class PcapWriter {
  readonly #write: (bytes: Uint8Array) => void;
  readonly #close: (() => void) | undefined;
  readonly #link: PcapLinkType;
  readonly #flows = new Map<string, TcpFlow>();
  #ipId = 1;
  #isn = 0x1000;
  #closed = false;

  constructor(write: (bytes: Uint8Array) => void, options: PcapOptions = {}, close?: () => void) {
    this.#write = write;
    this.#close = close;
    this.#link = options.linkType ?? 'raw';
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, 0xa1b2c3d4, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setInt32(8, 0, true); // thiszone: timestamps are UTC
    h.setUint32(12, 0, true);
    h.setUint32(16, 262_144, true); // snaplen
    h.setUint32(20, LINKTYPE[this.#link], true);
    write(new Uint8Array(h.buffer));
  }

  /** A writer into a file, written synchronously packet by packet (a crash loses at most the packet being written). */
  static toFile(file: string, options: PcapOptions = {}): PcapWriter {
    const fd = openSync(file, 'w');
    return new PcapWriter((b) => writeSync(fd, b), options, () => closeSync(fd));
  }

  /** Records one UDP datagram sent from src to dst at wall time timeMs (Unix epoch milliseconds). */
  udp(src: PcapEndpoint, dst: PcapEndpoint, payload: Uint8Array, timeMs: number): void {
    const limit = src.address.includes(':') ? 65_527 : 65_507;
    if (payload.length > limit) throw new Error(`pcap: UDP payload of ${payload.length} bytes does not fit in one datagram`);
    const udp = new Uint8Array(8 + payload.length);
    const dv = new DataView(udp.buffer);
    dv.setUint16(0, src.port);
    dv.setUint16(2, dst.port);
    dv.setUint16(4, udp.length);
    udp.set(payload, 8);
    this.#packet(src, dst, PROTO_UDP, udp, 6, timeMs);
  }

  /** Records a TCP three-way handshake from client to server (optional: segments without it are fine too). */
  tcpOpen(client: PcapEndpoint, server: PcapEndpoint, timeMs: number): void {
    const flow = this.#flow(client, server, true);
    const c = flow.dirs.get(key(client))!;
    const s = flow.dirs.get(key(server))!;
    this.#segment(client, server, TCP_SYN, c.seq, 0, new Uint8Array(0), timeMs);
    c.seq++;
    this.#segment(server, client, TCP_SYN | TCP_ACK, s.seq, c.seq, new Uint8Array(0), timeMs);
    s.seq++;
    this.#segment(client, server, TCP_ACK, c.seq, s.seq, new Uint8Array(0), timeMs);
  }

  /** Records payload sent on the TCP connection from src to dst, continuing that direction's sequence numbers. */
  tcp(src: PcapEndpoint, dst: PcapEndpoint, payload: Uint8Array, timeMs: number): void {
    const flow = this.#flow(src, dst, false);
    const me = flow.dirs.get(key(src))!;
    const peer = flow.dirs.get(key(dst))!;
    if (payload.length === 0) {
      this.#segment(src, dst, TCP_ACK, me.seq, peer.seq, payload, timeMs);
      return;
    }
    for (let off = 0; off < payload.length; off += MAX_TCP_SEGMENT) {
      const chunk = payload.subarray(off, off + MAX_TCP_SEGMENT);
      this.#segment(src, dst, TCP_ACK | TCP_PSH, me.seq, peer.seq, chunk, timeMs);
      me.seq = (me.seq + chunk.length) >>> 0;
    }
  }

  /** Records an orderly close started by `from`: FIN, FIN, ACK. Later segments on the pair start a new connection. */
  tcpClose(from: PcapEndpoint, to: PcapEndpoint, timeMs: number): void {
    const flow = this.#flow(from, to, false);
    const a = flow.dirs.get(key(from))!;
    const b = flow.dirs.get(key(to))!;
    this.#segment(from, to, TCP_FIN | TCP_ACK, a.seq, b.seq, new Uint8Array(0), timeMs);
    a.seq++;
    this.#segment(to, from, TCP_FIN | TCP_ACK, b.seq, a.seq, new Uint8Array(0), timeMs);
    b.seq++;
    this.#segment(from, to, TCP_ACK, a.seq, b.seq, new Uint8Array(0), timeMs);
    this.#flows.delete(this.#flowKey(from, to));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#close?.();
  }

  #flowKey(x: PcapEndpoint, y: PcapEndpoint): string {
    const kx = key(x);
    const ky = key(y);
    return kx < ky ? `${kx}|${ky}` : `${ky}|${kx}`;
  }

  #flow(src: PcapEndpoint, dst: PcapEndpoint, fresh: boolean): TcpFlow {
    const k = this.#flowKey(src, dst);
    let flow = this.#flows.get(k);
    if (!flow || fresh) {
      flow = { dirs: new Map() };
      // Distinct, reproducible initial sequence numbers per connection and direction.
      flow.dirs.set(key(src), { seq: (this.#isn += 0x100000) >>> 0 });
      flow.dirs.set(key(dst), { seq: (this.#isn += 0x100000) >>> 0 });
      this.#flows.set(k, flow);
    }
    return flow;
  }

  #segment(src: PcapEndpoint, dst: PcapEndpoint, flags: number, seq: number, ack: number, payload: Uint8Array, timeMs: number): void {
    const tcp = new Uint8Array(20 + payload.length);
    const dv = new DataView(tcp.buffer);
    dv.setUint16(0, src.port);
    dv.setUint16(2, dst.port);
    dv.setUint32(4, seq >>> 0);
    dv.setUint32(8, flags & TCP_ACK ? ack >>> 0 : 0);
    tcp[12] = 5 << 4; // header length: 5 words, no options
    tcp[13] = flags;
    dv.setUint16(14, 65_535); // window
    tcp.set(payload, 20);
    this.#packet(src, dst, PROTO_TCP, tcp, 16, timeMs);
  }

  /** Wraps a transport segment in an IP header (and Ethernet), fills the transport checksum, writes the record. */
  #packet(src: PcapEndpoint, dst: PcapEndpoint, proto: number, segment: Uint8Array, checksumAt: number, timeMs: number): void {
    if (this.#closed) throw new Error('pcap: writer is closed');
    const s = parseIp(src.address);
    const d = parseIp(dst.address);
    if (s.length !== d.length) throw new Error(`pcap: ${src.address} and ${dst.address} are not the same IP version`);
    const v6 = s.length === 16;
    const pseudo = new Uint8Array(v6 ? 40 : 12);
    const pv = new DataView(pseudo.buffer);
    pseudo.set(s, 0);
    pseudo.set(d, s.length);
    if (v6) {
      pv.setUint32(32, segment.length);
      pseudo[39] = proto;
    } else {
      pseudo[9] = proto;
      pv.setUint16(10, segment.length);
    }
    let sum = checksum(pseudo, segment);
    if (proto === PROTO_UDP && sum === 0) sum = 0xffff; // 0 means "no checksum" in UDP
    new DataView(segment.buffer, segment.byteOffset).setUint16(checksumAt, sum);

    const ipLen = v6 ? 40 : 20;
    const ethLen = this.#link === 'ethernet' ? 14 : 0;
    const frame = new Uint8Array(ethLen + ipLen + segment.length);
    const fv = new DataView(frame.buffer);
    if (ethLen) {
      frame.set(mac(d), 0);
      frame.set(mac(s), 6);
      fv.setUint16(12, v6 ? 0x86dd : 0x0800);
    }
    const ip = frame.subarray(ethLen, ethLen + ipLen);
    const iv = new DataView(ip.buffer, ip.byteOffset, ipLen);
    if (v6) {
      iv.setUint32(0, 0x60000000);
      iv.setUint16(4, segment.length);
      ip[6] = proto;
      ip[7] = 64; // hop limit
      ip.set(s, 8);
      ip.set(d, 24);
    } else {
      ip[0] = 0x45;
      iv.setUint16(2, ipLen + segment.length);
      iv.setUint16(4, this.#ipId++ & 0xffff);
      iv.setUint16(6, 0x4000); // don't fragment
      ip[8] = 64; // TTL
      ip[9] = proto;
      ip.set(s, 12);
      ip.set(d, 16);
      iv.setUint16(10, checksum(ip));
    }
    frame.set(segment, ethLen + ipLen);

    const rec = new DataView(new ArrayBuffer(16));
    const us = Math.round(timeMs * 1000);
    rec.setUint32(0, Math.floor(us / 1_000_000), true);
    rec.setUint32(4, us % 1_000_000, true);
    rec.setUint32(8, frame.length, true);
    rec.setUint32(12, frame.length, true);
    this.#write(new Uint8Array(rec.buffer));
    this.#write(frame);
  }
}

/** A locally administered MAC derived from an IP address, so each host keeps one MAC in the capture. */
function mac(ip: Uint8Array): Uint8Array {
  const m = Uint8Array.of(0x02, 0, 0, 0, 0, 0);
  for (let i = 0; i < ip.length; i++) m[2 + (i % 4)] = m[2 + (i % 4)]! ^ ip[i]!;
  return m;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/**
 * A HAL Network that records everything sent and received through it into a pcap (the simulator's
 * `--pcap FILE`). Traffic between two sockets of the same PcapNetwork is recorded once, by the sender
 * (UDP) or the connecting side (TCP). TLS connections are recorded as the plaintext the core sees.
 */
export class PcapNetwork implements Network {
  readonly #inner: Network;
  readonly #pcap: PcapWriter;
  readonly #clock: Clock;
  /** Local endpoints of our sockets, counted: "address/port", and "any/port" for wildcard binds. */
  readonly #mine = new Map<string, number>();

  constructor(inner: Network, pcap: PcapWriter, clock: Clock) {
    this.#inner = inner;
    this.#pcap = pcap;
    this.#clock = clock;
  }

  localAddresses(): string[] {
    return this.#inner.localAddresses();
  }

  async openUdp(options: UdpOptions): Promise<UdpSocket> {
    let sock: UdpSocket | undefined;
    sock = await this.#inner.openUdp({
      ...options,
      onMessage: (data, from) => {
        if (sock && !this.#isMine(from)) this.#pcap.udp(from, this.#concrete(sock.local, from.address), data, this.#clock.wallTime());
        options.onMessage(data, from);
      },
    });
    const inner = sock;
    const local = inner.local;
    this.#add(local);
    let open = true;
    return {
      local,
      send: (data, address, port) => {
        if (open) this.#pcap.udp(this.#concrete(local, address), { address, port }, data, this.#clock.wallTime());
        inner.send(data, address, port);
      },
      close: () => {
        if (open) this.#remove(local);
        open = false;
        inner.close();
      },
    };
  }

  connect(options: ConnectOptions): StreamSocket {
    let s: StreamSocket | undefined;
    let recording = false;
    let local: Endpoint | undefined;
    const remote = { address: options.address, port: options.port };
    s = this.#inner.connect({
      ...options,
      onConnect: () => {
        local = this.#concrete(s!.local, remote.address);
        this.#add(local);
        recording = true;
        this.#pcap.tcpOpen(local, remote, this.#clock.wallTime());
        options.onConnect?.();
      },
      onData: (data) => {
        if (recording) this.#pcap.tcp(remote, local!, data, this.#clock.wallTime());
        options.onData(data);
      },
      onClose: (error) => {
        if (recording) {
          this.#pcap.tcpClose(local!, remote, this.#clock.wallTime());
          this.#remove(local!);
          recording = false;
        }
        options.onClose(error);
      },
    });
    return this.#wrapStream(s, () => (recording ? [local!, remote] : undefined));
  }

  async listen(options: ListenOptions): Promise<Listener> {
    return this.#inner.listen({
      ...options,
      onConnection: (socket) => {
        // Decided at the first packet: by then a connecting socket of ours has registered itself.
        let state: 'undecided' | 'record' | 'skip' = 'undecided';
        const ends = (): [Endpoint, Endpoint] | undefined => {
          if (state === 'undecided') {
            state = this.#isMine(socket.remote) ? 'skip' : 'record';
            if (state === 'record') this.#pcap.tcpOpen(socket.remote, this.#concrete(socket.local, socket.remote.address), this.#clock.wallTime());
          }
          return state === 'record' ? [this.#concrete(socket.local, socket.remote.address), socket.remote] : undefined;
        };
        const wrapped = this.#wrapStream(socket, ends);
        const h: StreamHandlers = options.onConnection(wrapped);
        return {
          ...h,
          onData: (data) => {
            const e = ends();
            if (e) this.#pcap.tcp(e[1], e[0], data, this.#clock.wallTime());
            h.onData(data);
          },
          onClose: (error) => {
            const e = state === 'record' ? ends() : undefined;
            if (e) this.#pcap.tcpClose(e[1], e[0], this.#clock.wallTime());
            h.onClose(error);
          },
        };
      },
    });
  }

  #wrapStream(s: StreamSocket, ends: () => [Endpoint, Endpoint] | undefined): StreamSocket {
    const pcap = this.#pcap;
    const clock = this.#clock;
    return {
      get local() {
        return s.local;
      },
      get remote() {
        return s.remote;
      },
      write(data) {
        const e = ends();
        if (e) pcap.tcp(e[0], e[1], data, clock.wallTime());
        s.write(data);
      },
      close() {
        s.close();
      },
    };
  }

  #keys(e: Endpoint): string {
    return isWildcard(e.address) ? `any/${e.port}` : `${e.address}/${e.port}`;
  }

  #add(e: Endpoint): void {
    const k = this.#keys(e);
    this.#mine.set(k, (this.#mine.get(k) ?? 0) + 1);
  }

  #remove(e: Endpoint): void {
    const k = this.#keys(e);
    const n = (this.#mine.get(k) ?? 0) - 1;
    if (n > 0) this.#mine.set(k, n);
    else this.#mine.delete(k);
  }

  /** Whether a peer endpoint is one of our own sockets (so the packet was recorded when sent). */
  #isMine(e: Endpoint): boolean {
    if (this.#mine.has(`${e.address}/${e.port}`)) return true;
    if (!this.#mine.has(`any/${e.port}`)) return false;
    return isLoopback(e.address) || this.#inner.localAddresses().includes(e.address);
  }

  /** A wildcard-bound socket has no address of its own: use the one the OS would pick for that peer. */
  #concrete(local: Endpoint, peer: string): Endpoint {
    if (!isWildcard(local.address)) return local;
    const v6 = peer.includes(':');
    if (isLoopback(peer)) return { address: v6 ? '::1' : '127.0.0.1', port: local.port };
    const mine = this.#inner.localAddresses().find((a) => a.includes(':') === v6 && !isLoopback(a));
    return { address: mine ?? (v6 ? '::1' : '127.0.0.1'), port: local.port };
  }
}
