/**
 * The host network with a leaner UDP path for the fleet: hundreds of call legs send and receive 50 packets a second
 * each, so per-packet work counts. Sends carry no completion callback (errors arrive as socket 'error' events
 * instead), a destination is checked to be numeric once, not per packet, and the receiver gets Node's rinfo as the
 * source endpoint (no second object per datagram). Streams and listeners are the host's.
 *
 * With `connectPeers` (the media sockets), a socket is connect()ed to its peer once traffic flows both ways between
 * them, i.e. once the peer sends from where we send to (symmetric RTP, what the session latches on anyway). The
 * datagrams on the wire are the same; the kernel then skips the route lookup per send, Node skips its address lookup
 * (a process.nextTick per send), and the packet can go from one reused buffer. A connected socket receives from that
 * peer only: datagrams from others, which the latched session would drop as foreign, are dropped by the kernel.
 * Sending elsewhere (the session moved to a new remote) disconnects first.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Endpoint, UdpOptions, UdpSocket } from '../../hal/net.js';
import { HostNetwork, NetError } from '../../hal/host/net.js';

const IDLE = 0;
const CONNECTING = 1;
const CONNECTED = 2;
/** Datagrams held while a connect() completes (it does within the same turn of the event loop). */
const MAX_HELD = 16;

interface Held {
  data: Buffer;
  address: string;
  port: number;
}

class LeanUdp implements UdpSocket {
  readonly local: Endpoint;
  readonly #sock: dgram.Socket;
  readonly #connectPeers: boolean;
  #checked = '';
  /** Where the last datagram went. */
  #toAddress = '';
  #toPort = 0;
  #state = IDLE;
  #held: Held[] = [];
  /** The connected path copies into this and sends it; replaced when Node had to queue it. */
  #staging: Buffer | null = null;
  #closed = false;

  constructor(sock: dgram.Socket, connectPeers: boolean) {
    this.#sock = sock;
    this.#connectPeers = connectPeers;
    const a = sock.address();
    this.local = { address: a.address, port: a.port };
  }

  send(data: Uint8Array, address: string, port: number): void {
    if (this.#closed) return;
    if (this.#state === CONNECTED) {
      if (port === this.#toPort && address === this.#toAddress) return this.#sendConnected(data);
      this.#disconnect();
    } else if (this.#state === CONNECTING) {
      if (this.#held.length < MAX_HELD) this.#held.push({ data: Buffer.from(data), address, port });
      return;
    }
    if (address !== this.#checked) {
      if (net.isIPv4(address) === false) throw new NetError(`UDP send: "${address}" is not a numeric IPv4 address`, 'EINVAL');
      this.#checked = address;
    }
    this.#toAddress = address;
    this.#toPort = port;
    // Copy: the core reuses its packet buffer as soon as this returns, and Node sends on the next tick.
    this.#sock.send(Buffer.from(data), port, address);
  }

  #sendConnected(data: Uint8Array): void {
    // One buffer of the packet's length: RTP packets of a stream are all the same size.
    let out = this.#staging;
    if (out === null || out.length !== data.length) out = this.#staging = Buffer.allocUnsafeSlow(data.length);
    out.set(data);
    this.#sock.send(out);
    // Sent at once (the usual case) unless Node queued it (socket buffer full): then the staging buffer is taken.
    if (this.#sock.getSendQueueCount() > 0) this.#staging = null;
  }

  /** A datagram arrived from `from`: connect when it is where we send to. */
  received(from: dgram.RemoteInfo): void {
    if (this.#state !== IDLE || !this.#connectPeers || this.#closed) return;
    if (from.port !== this.#toPort || from.address !== this.#toAddress) return;
    this.#state = CONNECTING;
    const address = this.#toAddress;
    const port = this.#toPort;
    this.#sock.connect(port, address, (err?: Error) => {
      if (this.#closed || this.#state !== CONNECTING) return;
      this.#state = err ? IDLE : CONNECTED;
      const held = this.#held;
      this.#held = [];
      for (const h of held) this.send(h.data, h.address, h.port);
    });
  }

  #disconnect(): void {
    try {
      this.#sock.disconnect();
    } catch {
      // not connected after all
    }
    this.#state = IDLE;
  }

  get connected(): boolean {
    return this.#state === CONNECTED;
  }

  close(): void {
    this.#closed = true;
    this.#held = [];
    try {
      this.#sock.close();
    } catch {
      // already closed
    }
  }
}

export interface FleetNetworkOptions {
  /** connect() each UDP socket to its peer once traffic flows both ways (media sockets; see above). */
  connectPeers?: boolean;
}

export class FleetNetwork extends HostNetwork {
  readonly #connectPeers: boolean;

  constructor(options: FleetNetworkOptions = {}) {
    super();
    this.#connectPeers = options.connectPeers ?? false;
  }

  /** IPv4 sockets get the lean path; anything else is the host's. */
  override async openUdp(options: UdpOptions): Promise<UdpSocket> {
    const address = options.address ?? '0.0.0.0';
    if (!net.isIPv4(address)) return super.openUdp(options);
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        sock.close();
        reject(new NetError(`UDP bind ${address}:${options.port ?? 0}: ${err.message}`, (err as NodeJS.ErrnoException).code ?? 'EIO'));
      };
      sock.once('error', fail);
      sock.bind(options.port ?? 0, address, () => {
        sock.off('error', fail);
        resolve();
      });
    });
    const udp = new LeanUdp(sock, this.#connectPeers);
    sock.on('error', (err) => options.onError?.(new NetError(`UDP socket ${address}:${udp.local.port}: ${err.message}`, (err as NodeJS.ErrnoException).code ?? 'EIO')));
    const onMessage = options.onMessage;
    // rinfo is a fresh object per datagram with the address and port the core reads: it serves as the Endpoint.
    // The datagram goes in as Node's Buffer (a Uint8Array, no second view per datagram): the media core only reads
    // it, by index and subarray, never by slice() (a copy for a Uint8Array, a view for a Buffer).
    if (this.#connectPeers) {
      sock.on('message', (msg, rinfo) => {
        if (!udp.connected) udp.received(rinfo);
        onMessage(msg, rinfo);
      });
    } else sock.on('message', (msg, rinfo) => onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), rinfo));
    return udp;
  }
}
