/**
 * Stream connections (TCP, later TLS) for SIP: a table keyed by protocol and remote address:port, reused for
 * requests and responses to the same peer, one framing decoder per connection, writes queued while connecting,
 * idle connections closed, and new connections opened on demand (§18, RFC 5626 §3.5.1 keep-alive replies).
 */
import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { Endpoint, Network, StreamHandlers, StreamSocket } from '../../../hal/net.js';
import type { SipMessage } from '../message.js';
import { CRLF, type KeepAliveKind, type SipCodec, type StreamDecoder } from './codec.js';
import type { Protocol, Source } from './types.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface PendingWrite {
  bytes: Uint8Array;
  onError: (error: Error) => void;
}

export class StreamConnection {
  state: ConnectionState;
  lastActivity: number;
  socket: StreamSocket | undefined;
  decoder: StreamDecoder | undefined;
  queue: PendingWrite[] = [];
  idleTimer: TimerHandle | undefined;
  /** Called for each keep-alive received; returns true when it was the pong it waited for (RFC 5626). */
  pongListeners = new Set<() => boolean>();
  /** Called once when the connection closes. */
  closeListeners = new Set<(error?: Error) => void>();

  constructor(
    readonly id: number,
    readonly protocol: Protocol,
    readonly remote: Endpoint,
    /** True when we opened it (as opposed to accepting it). */
    readonly outbound: boolean,
    now: number,
  ) {
    this.state = outbound ? 'connecting' : 'open';
    this.lastActivity = now;
  }

  get local(): Endpoint | undefined {
    return this.socket?.local;
  }
}

export interface ConnectionTableOptions {
  network: Network;
  clock: Clock;
  codec: SipCodec;
  /** Close a connection after this long without traffic either way; 0 keeps connections forever. */
  idleTimeoutMs: number;
  /** At most this many connections; a new one closes the least recently active (device memory). Default 16. */
  maxConnections?: number;
  onMessage(message: SipMessage, source: Source): void;
  /** A connection's byte stream could not be framed; the connection is closed. */
  onStreamError?(error: Error, connection: StreamConnection): void;
  /** TLS client options for a target (server name, CA); unused for TCP. */
  tlsFor?(address: string, serverName: string | undefined): import('../../../hal/net.js').TlsOptions;
}

function tableKey(protocol: Protocol, address: string, port: number): string {
  return `${protocol} ${address.toLowerCase()} ${port}`;
}

export class ConnectionTable {
  #opts: ConnectionTableOptions;
  #byKey = new Map<string, StreamConnection>();
  #byId = new Map<number, StreamConnection>();
  #nextId = 1;

  constructor(options: ConnectionTableOptions) {
    this.#opts = options;
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: number): StreamConnection | undefined {
    return this.#byId.get(id);
  }

  find(protocol: Protocol, address: string, port: number): StreamConnection | undefined {
    return this.#byKey.get(tableKey(protocol, address, port));
  }

  /** The open (or opening) connection to a peer, connecting when there is none. */
  obtain(protocol: Protocol, address: string, port: number, serverName?: string): StreamConnection {
    const existing = this.find(protocol, address, port);
    if (existing) return existing;
    const conn = new StreamConnection(this.#nextId++, protocol, { address, port }, true, this.#opts.clock.now());
    this.#add(conn);
    const handlers = this.#handlers(conn);
    try {
      conn.socket = this.#opts.network.connect({
        address,
        port,
        ...(protocol === 'TLS' ? { tls: this.#opts.tlsFor?.(address, serverName) ?? { serverName: serverName ?? address } } : {}),
        onConnect: () => {
          if (conn.state !== 'connecting') return;
          conn.state = 'open';
          const queued = conn.queue;
          conn.queue = [];
          for (const w of queued) this.#write(conn, w.bytes, w.onError);
        },
        onData: handlers.onData,
        onClose: handlers.onClose,
      });
    } catch (e) {
      this.#closed(conn, e instanceof Error ? e : new Error(String(e)));
    }
    return conn;
  }

  /** Registers a connection a listener accepted; returns its HAL handlers. */
  accept(protocol: Protocol, socket: StreamSocket): StreamHandlers {
    const conn = new StreamConnection(this.#nextId++, protocol, socket.remote, false, this.#opts.clock.now());
    conn.socket = socket;
    // An accepted connection may replace an older one from the same address:port in the key table.
    this.#add(conn);
    return this.#handlers(conn);
  }

  /**
   * Writes bytes on connection `id` when it is still there, else on the connection to address:port,
   * opening one when needed. Failures (refused, reset before the write) come through onError.
   */
  send(protocol: Protocol, address: string, port: number, bytes: Uint8Array, onError: (e: Error) => void, id?: number, serverName?: string): StreamConnection {
    let conn = id !== undefined ? this.#byId.get(id) : undefined;
    if (!conn || conn.state === 'closed') conn = this.obtain(protocol, address, port, serverName);
    if (conn.state === 'closed') {
      onError(new Error(`${protocol} connection to ${address}:${port} failed`));
    } else if (conn.state === 'connecting') {
      conn.queue.push({ bytes, onError });
    } else {
      this.#write(conn, bytes, onError);
    }
    return conn;
  }

  close(id: number): void {
    const conn = this.#byId.get(id);
    if (!conn) return;
    try {
      conn.socket?.close();
    } catch {
      // closing a broken socket: nothing more to do
    }
    this.#closed(conn);
  }

  closeAll(): void {
    for (const id of [...this.#byId.keys()]) this.close(id);
  }

  #add(conn: StreamConnection): void {
    const max = this.#opts.maxConnections ?? 16;
    while (this.#byId.size >= max) {
      let oldest: StreamConnection | undefined;
      for (const c of this.#byId.values()) if (!oldest || c.lastActivity < oldest.lastActivity) oldest = c;
      this.close(oldest!.id);
    }
    this.#byId.set(conn.id, conn);
    this.#byKey.set(tableKey(conn.protocol, conn.remote.address, conn.remote.port), conn);
    this.#armIdle(conn, this.#opts.idleTimeoutMs);
  }

  #handlers(conn: StreamConnection): StreamHandlers {
    return {
      onData: (data) => this.#data(conn, data),
      onClose: (error) => this.#closed(conn, error ?? new Error(`${conn.protocol} connection closed by ${conn.remote.address}:${conn.remote.port}`)),
    };
  }

  #decoder(conn: StreamConnection): StreamDecoder {
    if (conn.decoder) return conn.decoder;
    const source = (): Source => {
      const local = conn.local ?? { address: '', port: 0 };
      return { protocol: conn.protocol, address: conn.remote.address, port: conn.remote.port, local, connection: conn.id };
    };
    conn.decoder = this.#opts.codec.streamDecoder(
      (message) => this.#opts.onMessage(message, source()),
      (kind: KeepAliveKind) => {
        // RFC 5626 §3.5.1: answer a CRLFCRLF ping with a CRLF pong. Pongs split across reads can look like a
        // ping to the framer, so while we wait for a pong (we are the pinging client) any keep-alive is one.
        let awaited = false;
        for (const fn of [...conn.pongListeners]) awaited = fn() || awaited;
        if (!awaited && kind === 'ping') this.#write(conn, CRLF, () => {});
      },
    );
    return conn.decoder;
  }

  #data(conn: StreamConnection, data: Uint8Array): void {
    if (conn.state === 'closed') return;
    if (conn.state === 'connecting') conn.state = 'open';
    conn.lastActivity = this.#opts.clock.now();
    try {
      this.#decoder(conn).push(data);
    } catch (e) {
      // A stream that cannot be framed cannot be resynchronised: drop the connection.
      const error = e instanceof Error ? e : new Error(String(e));
      this.#opts.onStreamError?.(error, conn);
      this.close(conn.id);
    }
  }

  #write(conn: StreamConnection, bytes: Uint8Array, onError: (e: Error) => void): void {
    try {
      conn.socket!.write(bytes);
      conn.lastActivity = this.#opts.clock.now();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      onError(error);
      this.close(conn.id);
    }
  }

  #armIdle(conn: StreamConnection, ms: number): void {
    if (this.#opts.idleTimeoutMs <= 0) return;
    conn.idleTimer = this.#opts.clock.setTimer(ms, () => {
      conn.idleTimer = undefined;
      if (conn.state === 'closed') return;
      const idle = this.#opts.clock.now() - conn.lastActivity;
      // One timer per connection, re-armed for the remainder, rather than reset on every packet.
      if (idle >= this.#opts.idleTimeoutMs) this.close(conn.id);
      else this.#armIdle(conn, this.#opts.idleTimeoutMs - idle);
    });
  }

  #closed(conn: StreamConnection, error?: Error): void {
    if (conn.state === 'closed') return;
    const wasConnecting = conn.state === 'connecting';
    conn.state = 'closed';
    if (conn.idleTimer !== undefined) this.#opts.clock.clearTimer(conn.idleTimer);
    this.#byId.delete(conn.id);
    const key = tableKey(conn.protocol, conn.remote.address, conn.remote.port);
    if (this.#byKey.get(key) === conn) this.#byKey.delete(key);
    const queued = conn.queue;
    conn.queue = [];
    const failure = error ?? new Error(`${conn.protocol} connection to ${conn.remote.address}:${conn.remote.port} closed`);
    if (wasConnecting || queued.length) for (const w of queued) w.onError(failure);
    for (const fn of [...conn.closeListeners]) fn(error);
    conn.closeListeners.clear();
    conn.pongListeners.clear();
  }
}
