/**
 * The HAL Network on ECMA-419 sockets (modules/io): embedded:io/socket/udp, .../tcp, .../listener, and
 * TLS through the SDK's TLSSocket (embedded:io/socket/tcp/tls, client only, TLS 1.2). Dotted IPv4 only:
 * the lwIP sockets take no host names and the Linux simulator no IPv6.
 */
import Listener from 'embedded:io/socket/listener';
import TCP from 'embedded:io/socket/tcp';
import TLSSocket from 'embedded:io/socket/tcp/tls';
import UDP from 'embedded:io/socket/udp';
import Net from 'net';
import Time from 'time';
import type {
  ConnectOptions, Endpoint, ListenOptions, Listener as HalListener, Network, StreamHandlers, StreamSocket, UdpOptions, UdpSocket,
} from '../net.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function checkAddress(address: string, what: string): void {
  if (!IPV4.test(address)) throw new Error(`${what} ${address}: the device takes dotted IPv4 addresses only`);
}

/** The byte-stream calls shared by TCP and TLSSocket. */
interface RawStream {
  read(count?: number): ArrayBuffer | number | undefined | void;
  write(data: ArrayBuffer | Uint8Array): unknown;
  close(): void;
}

/**
 * One connection: queues writes until the socket reports room (onWritable), delivers reads, and turns
 * onError (which ECMA-419 raises for every end, clean close included) into exactly one onClose.
 */
class Esp32Stream implements StreamSocket {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  #socket: RawStream | undefined;
  #handlers: StreamHandlers;
  #queue: Uint8Array[] = [];
  #room = 0;
  #connected = false;
  #closing = false;
  #closed = false;

  constructor(remote: Endpoint, handlers: StreamHandlers) {
    this.remote = remote;
    this.local = { address: localAddress(), port: 0 };
    this.#handlers = handlers;
  }

  attach(socket: RawStream, connected: boolean): void {
    this.#socket = socket;
    if (connected) this.#connected = true;
  }

  setHandlers(handlers: StreamHandlers): void {
    this.#handlers = handlers;
  }

  /** An accepted connection is up from the start: tell its handlers. */
  accepted(): void {
    this.#handlers.onConnect?.();
  }

  onWritable(bytes: number): void {
    this.#room = bytes;
    if (!this.#connected) {
      this.#connected = true;
      this.#handlers.onConnect?.();
    }
    this.#pump();
  }

  onReadable(bytes: number): void {
    const s = this.#socket;
    if (!s || this.#closed) return;
    const data = s.read(bytes);
    if (data instanceof ArrayBuffer && data.byteLength > 0) this.#handlers.onData(new Uint8Array(data));
  }

  onError(): void {
    const why = this.#closing ? undefined : this.#connected ? undefined : new Error(`connection to ${this.remote.address}:${this.remote.port} failed (refused, unreachable or TLS handshake rejected)`);
    this.#finish(why);
  }

  write(data: Uint8Array): void {
    if (this.#closed || this.#closing) return;
    this.#queue.push(data.slice());
    if (this.#connected) this.#pump();
  }

  close(): void {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    this.#pump();
  }

  #pump(): void {
    const s = this.#socket;
    if (!s || this.#closed) return;
    while (this.#queue.length > 0 && this.#room > 0) {
      const head = this.#queue[0];
      if (head.length <= this.#room) {
        s.write(head);
        this.#room -= head.length;
        this.#queue.shift();
      } else {
        s.write(head.subarray(0, this.#room));
        this.#queue[0] = head.subarray(this.#room);
        this.#room = 0;
      }
    }
    if (this.#closing && this.#queue.length === 0) this.#finish(undefined);
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#socket?.close();
    } catch {
      // already closed by the stack
    }
    this.#socket = undefined;
    this.#queue = [];
    this.#handlers.onClose(error);
  }
}

export class Esp32Network implements Network {
  /** Next ephemeral port to hand out (instance state: module-level bindings are preloaded into flash). */
  #nextPort = 49152 + (Time.ticks & 0x3fff);

  async openUdp(options: UdpOptions): Promise<UdpSocket> {
    const address = options.address ?? '0.0.0.0';
    checkAddress(address, 'UDP bind');
    // ECMA-419 UDP does not report the port the stack picked, so pick one ourselves.
    const port = options.port ? options.port : (this.#nextPort = this.#nextPort >= 65535 ? 49152 : this.#nextPort + 1);
    const udp = new UDP({
      address,
      port,
      onReadable(count: number) {
        for (let i = 0; i < count; i++) {
          const packet = this.read();
          options.onMessage(new Uint8Array(packet), { address: packet.address, port: packet.port });
        }
      },
      onError: () => options.onError?.(new Error(`UDP socket on port ${port} failed`)),
    });
    return {
      local: { address: address === '0.0.0.0' ? localAddress() : address, port },
      send(data, to, toPort) {
        try {
          checkAddress(to, 'UDP send to');
          udp.write(data, to, toPort);
        } catch (e) {
          options.onError?.(new Error(`UDP send to ${to}:${toPort} failed: ${(e as Error).message}`));
        }
      },
      close() {
        (udp as unknown as { close(): void }).close();
      },
    };
  }

  connect(options: ConnectOptions): StreamSocket {
    checkAddress(options.address, 'TCP connect to');
    const stream = new Esp32Stream({ address: options.address, port: options.port }, options);
    const callbacks = {
      onReadable: (n: number) => stream.onReadable(n),
      onWritable: (n: number) => stream.onWritable(n),
      onError: () => stream.onError(),
    };
    if (options.tls) {
      if (options.tls.cert || options.tls.key) throw new Error('TLS client certificates are not supported on the device');
      const secure: Record<string, unknown> = { serverName: options.tls.serverName ?? options.address };
      if (options.tls.ca) secure.ca = options.tls.ca;
      const tlsOptions = { host: options.tls.serverName ?? options.address, address: options.address, port: options.port, TCP: { io: TCP }, secure, ...callbacks };
      stream.attach(new TLSSocket(tlsOptions) as unknown as RawStream, false);
    } else {
      stream.attach(new TCP({ address: options.address, port: options.port, nodelay: true, ...callbacks }) as RawStream, false);
    }
    return stream;
  }

  async listen(options: ListenOptions): Promise<HalListener> {
    if (options.tls) throw new Error('TLS servers are not supported on the device (the SDK has a TLS client only)');
    const port = options.port ?? 5060;
    const listener = new Listener({
      port,
      ...(options.address && options.address !== '0.0.0.0' ? { address: options.address } : {}),
      onReadable(count: number) {
        for (let i = 0; i < count; i++) {
          const from = this.read();
          if (!from) break;
          const remote = { address: from.remoteAddress ?? '0.0.0.0', port: from.remotePort ?? 0 };
          const stream = new Esp32Stream(remote, { onData() {}, onClose() {} });
          const socket = new TCP({
            from,
            nodelay: true,
            onReadable: (n: number) => stream.onReadable(n),
            onWritable: (n: number) => stream.onWritable(n),
            onError: () => stream.onError(),
          });
          stream.attach(socket as RawStream, true);
          stream.setHandlers(options.onConnection(stream));
          stream.accepted();
        }
      },
    });
    return {
      local: { address: localAddress(), port },
      close: () => (listener as unknown as { close(): void }).close(),
    };
  }

  localAddresses(): string[] {
    const ip = localAddress();
    return ip === '0.0.0.0' ? ['127.0.0.1'] : [ip, '127.0.0.1'];
  }

  /** lwIP's DHCP client keeps option 66 only with native code (LWIP_DHCP_GET_NTP_SRV-style hook); not wired: always undefined. */
  dhcpOption66(): string | undefined {
    return undefined;
  }
}

function localAddress(): string {
  try {
    return Net.get('IP') || '0.0.0.0';
  } catch {
    return '0.0.0.0';
  }
}
