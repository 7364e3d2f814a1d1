/**
 * The SIP transport layer (RFC 3261 §18): UDP and TCP (TLS plugs into the same connection table), transport
 * selection for requests (§18.1.1), response routing (§18.2.2, RFC 3581), received/rport stamping, stream
 * connection reuse, and keep-alives (RFC 5626). It is the TransactionTransport the transaction layer uses.
 */
import type { Clock } from '../../../hal/clock.js';
import type { Endpoint, Listener, Network, TlsOptions } from '../../../hal/net.js';
import type { Random } from '../../../hal/random.js';
import type { Logger } from '../../log.js';
import { silent } from '../../log.js';
import type { SipMessage, SipRequest, SipResponse } from '../message.js';
import type { TransactionTransport } from '../transaction/context.js';
import { CRLFCRLF, type SipCodec } from './codec.js';
import { KeepAlive, type KeepAliveHandle, type KeepAliveOptions } from './keepalive.js';
import { responseRoute } from './response-routing.js';
import { DEFAULT_MTU, requestProtocol } from './sender.js';
import { ConnectionTable } from './tcp.js';
import { isReliable, type Outbound, type Protocol, type Source, type Target } from './types.js';
import { UdpTransport } from './udp.js';
import { setViaTransport, stampResponseVia } from './via.js';

export interface ListenSpec {
  address?: string;
  port?: number;
}

export interface SipTransportOptions {
  network: Network;
  clock: Clock;
  random: Random;
  codec: SipCodec;
  /** UDP socket to bind; false for none. Default: all interfaces, port 5060. */
  udp?: ListenSpec | false;
  /** A second UDP socket for IPv6 destinations (e.g. { address: '::' }); off by default. */
  udp6?: ListenSpec | false;
  /** TCP listener; false for none (outgoing connections still work). Default: same address and port as UDP. */
  tcp?: ListenSpec | false;
  /** TLS listener (needs cert and key), off by default. */
  tls?: (ListenSpec & { options: TlsOptions }) | false;
  /** TLS client options for outgoing connections (CA bundle); serverName is filled per target. */
  tlsClient?: TlsOptions;
  /** Path MTU for §18.1.1; default 1500. */
  mtu?: number;
  /** Idle stream connections are closed after this long; default 10 minutes (0: never). */
  idleTimeoutMs?: number;
  /** Most stream connections kept at once (the least recently active goes first); default 16. */
  maxConnections?: number;
  log?: Logger;
}

export type MessageHandler = (message: SipMessage, source: Source) => void;

/** Something went wrong with received bytes (bad datagram, unframeable stream). */
export type ReceiveErrorHandler = (error: Error, from: Endpoint, protocol: Protocol, bytes?: Uint8Array) => void;

export class SipTransport implements TransactionTransport {
  #opts: SipTransportOptions;
  #log: Logger;
  #udp: UdpTransport | undefined;
  #udp6: UdpTransport | undefined;
  #listeners: Listener[] = [];
  #ports = new Map<Protocol, number>();
  readonly connections: ConnectionTable;
  #handlers: MessageHandler[] = [];
  #errorHandlers: ReceiveErrorHandler[] = [];
  #mtu: number;
  #closed = false;

  private constructor(options: SipTransportOptions) {
    this.#opts = options;
    this.#log = options.log ?? silent;
    this.#mtu = options.mtu ?? DEFAULT_MTU;
    this.connections = new ConnectionTable({
      network: options.network,
      clock: options.clock,
      codec: options.codec,
      idleTimeoutMs: options.idleTimeoutMs ?? 600_000,
      maxConnections: options.maxConnections ?? 16,
      onMessage: (m, s) => this.#receive(m, s),
      onStreamError: (e, c) => this.#receiveError(e, c.remote, c.protocol),
      tlsFor: (address, serverName) => ({ ...options.tlsClient, serverName: serverName ?? address }),
    });
  }

  /** Binds the configured sockets and listeners. */
  static async open(options: SipTransportOptions): Promise<SipTransport> {
    const t = new SipTransport(options);
    try {
      await t.#bind();
    } catch (e) {
      t.close();
      throw e;
    }
    return t;
  }

  async #bind(): Promise<void> {
    const o = this.#opts;
    if (o.udp !== false) {
      const spec = o.udp ?? {};
      this.#udp = await UdpTransport.open({
        network: o.network,
        codec: o.codec,
        address: spec.address ?? '0.0.0.0',
        port: spec.port ?? 5060,
        onMessage: (m, s) => this.#receive(m, s),
        onParseError: (e, from, bytes) => this.#receiveError(e, from, 'UDP', bytes),
        onSocketError: (e) => this.#log.warn(`UDP socket: ${e.message}`),
      });
      this.#ports.set('UDP', this.#udp.local.port);
    }
    if (o.udp6) {
      this.#udp6 = await UdpTransport.open({
        network: o.network,
        codec: o.codec,
        address: o.udp6.address ?? '::',
        port: o.udp6.port ?? this.#udp?.local.port ?? 5060,
        onMessage: (m, s) => this.#receive(m, s),
        onParseError: (e, from, bytes) => this.#receiveError(e, from, 'UDP', bytes),
        onSocketError: (e) => this.#log.warn(`UDP6 socket: ${e.message}`),
      });
    }
    if (o.tcp !== false) {
      const spec = o.tcp ?? (o.udp ? o.udp : {});
      const port = spec.port ?? this.#udp?.local.port ?? 5060;
      const listener = await o.network.listen({
        address: spec.address ?? '0.0.0.0',
        port,
        onConnection: (socket) => this.connections.accept('TCP', socket),
      });
      this.#listeners.push(listener);
      this.#ports.set('TCP', listener.local.port);
    }
    if (o.tls) {
      const listener = await o.network.listen({
        address: o.tls.address ?? '0.0.0.0',
        port: o.tls.port ?? 5061,
        tls: o.tls.options,
        onConnection: (socket) => this.connections.accept('TLS', socket),
      });
      this.#listeners.push(listener);
      this.#ports.set('TLS', listener.local.port);
    }
  }

  /** The local port we receive on for a transport (for Via sent-by and Contact), if listening. */
  localPort(protocol: Protocol): number | undefined {
    return this.#ports.get(protocol);
  }

  /** Subscribes to every valid message received; returns an unsubscribe function. */
  onMessage(handler: MessageHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /** Subscribes to receive errors (the UAS core may answer a bad UDP request with 400). */
  onReceiveError(handler: ReceiveErrorHandler): void {
    this.#errorHandlers.push(handler);
  }

  prepareRequest(request: SipRequest, target: Target): Outbound {
    const serialized = this.#opts.codec.serialize(request);
    let bytes = serialized;
    const protocol = requestProtocol(serialized.length, target, this.#mtu);
    // §18.1.1: the top Via names the transport actually used.
    const viaTransport = request.via[0]?.transport;
    if (viaTransport !== undefined && viaTransport !== protocol) bytes = setViaTransport(serialized, protocol);
    let out: Outbound = { bytes, protocol, reliable: isReliable(protocol), address: target.address, port: target.port, kind: 'request' };
    if (target.serverName !== undefined) out = { ...out, serverName: target.serverName };
    if (protocol !== target.protocol) {
      const udpBytes = viaTransport === target.protocol ? serialized : setViaTransport(serialized, target.protocol);
      out = { ...out, fallback: { bytes: udpBytes, protocol: target.protocol, reliable: false, address: target.address, port: target.port, kind: 'request' } };
    }
    return out;
  }

  prepareResponse(response: SipResponse, source: Source): Outbound {
    const via = response.via[0];
    let bytes = this.#opts.codec.serialize(response);
    if (!via) {
      return { bytes, protocol: source.protocol, reliable: isReliable(source.protocol), address: source.address, port: source.port, kind: 'response' };
    }
    bytes = stampResponseVia(bytes, via, source);
    const route = responseRoute(via, source);
    const out: Outbound = { bytes, protocol: route.protocol, reliable: isReliable(route.protocol), address: route.address, port: route.port, kind: 'response' };
    return route.connection !== undefined ? { ...out, connection: route.connection } : out;
  }

  transmit(out: Outbound, onError: (error: Error) => void): void {
    if (this.#closed) {
      onError(new Error('transport closed'));
      return;
    }
    if (out.protocol === 'UDP') {
      const socket = this.#udpFor(out.address);
      if (!socket) onError(new Error(`no UDP socket for ${out.address}`));
      else socket.send(out.bytes, out.address, out.port, onError);
      return;
    }
    const fallback = out.fallback;
    const failed = fallback ? (): void => this.transmit(fallback, onError) : onError;
    this.connections.send(out.protocol, out.address, out.port, out.bytes, failed, out.connection, out.serverName);
  }

  watchClose(out: Outbound, onClose: (error: Error) => void): () => void {
    // A request with a UDP fallback survives its connection failing.
    if (out.protocol === 'UDP' || out.fallback) return () => {};
    const conn = (out.connection !== undefined ? this.connections.get(out.connection) : undefined) ?? this.connections.find(out.protocol, out.address, out.port);
    if (!conn || conn.state === 'closed') return () => {}; // a failed write reports through transmit's onError
    const fn = (error?: Error): void => onClose(error ?? new Error(`${out.protocol} connection to ${out.address}:${out.port} closed`));
    conn.closeListeners.add(fn);
    return () => conn.closeListeners.delete(fn);
  }

  #udpFor(address: string): UdpTransport | undefined {
    return address.indexOf(':') >= 0 ? this.#udp6 ?? this.#udp : this.#udp;
  }

  /** Serializes and sends in one step (messages outside transactions: ACK for 2xx, stateless replies). */
  send(message: SipMessage, to: Target | Source, onError: (error: Error) => void = () => {}): Outbound {
    const out = message.kind === 'request' ? this.prepareRequest(message, to) : this.prepareResponse(message, to as Source);
    this.transmit(out, onError);
    return out;
  }

  /**
   * Starts keep-alives towards a target (the registrar or outbound proxy): CRLFCRLF pings with pong
   * supervision over TCP/TLS (pongTimeoutMs 0 when the server does not support RFC 5626), a CRLFCRLF datagram
   * or `options.ping` (e.g. OPTIONS) over UDP every 30 s.
   */
  keepAlive(target: Target, options: KeepAliveOptions = {}): KeepAliveHandle {
    const { clock, random } = this.#opts;
    if (target.protocol === 'UDP') {
      const sendPing = (onError: (e: Error) => void): void => {
        const socket = this.#udpFor(target.address);
        if (socket) socket.send(CRLFCRLF, target.address, target.port, onError);
        else onError(new Error(`no UDP socket for ${target.address}`));
      };
      return new KeepAlive(clock, random, { sendPing }, 30_000, options);
    }
    const conn = this.connections.obtain(target.protocol, target.address, target.port, target.serverName);
    return new KeepAlive(
      clock,
      random,
      {
        sendPing: (onError) => this.connections.send(target.protocol, target.address, target.port, CRLFCRLF, onError, conn.id),
        watch: (onPong, onClose) => {
          conn.pongListeners.add(onPong);
          conn.closeListeners.add(onClose);
          if (conn.state === 'closed') onClose(new Error('connection already closed'));
          return () => {
            conn.pongListeners.delete(onPong);
            conn.closeListeners.delete(onClose);
          };
        },
      },
      120_000,
      options,
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#udp?.close();
    this.#udp6?.close();
    for (const l of this.#listeners) l.close();
    this.connections.closeAll();
  }

  #receive(message: SipMessage, source: Source): void {
    let vias: number;
    try {
      vias = message.via.length;
    } catch (e) {
      this.#receiveError(e instanceof Error ? e : new Error(String(e)), source, source.protocol);
      return;
    }
    if (message.kind === 'request' ? vias === 0 : vias !== 1) {
      // §8.1.3.3: a response with more than one Via was meant for someone else; a request needs a Via.
      this.#log.debug(`dropped ${message.kind} with ${vias} Via values from ${source.address}:${source.port}`);
      return;
    }
    for (const h of this.#handlers) {
      try {
        h(message, source);
      } catch (e) {
        // One bad message or handler must not take the socket's receive path down.
        this.#receiveError(e instanceof Error ? e : new Error(String(e)), source, source.protocol);
      }
    }
  }

  #receiveError(error: Error, from: Endpoint, protocol: Protocol, bytes?: Uint8Array): void {
    this.#log.debug(`bad ${protocol} data from ${from.address}:${from.port}: ${error.message}`);
    for (const h of this.#errorHandlers) h(error, from, protocol, bytes);
  }
}
