import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type {
  ConnectOptions, Endpoint, ListenOptions, Listener, Network, StreamHandlers, StreamSocket, TlsOptions, UdpOptions,
  UdpSocket,
} from '../net.js';

/** A network failure in plain words; `code` keeps Node's/OpenSSL's code (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID...). */
export class NetError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause?: unknown) {
    super(message, { cause });
    this.name = 'NetError';
    this.code = code;
  }
}

type NodeError = Error & { code?: string; reason?: string; host?: string };

const CA_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED',
]);

/** OpenSSL messages carry an error-stack prefix and a source path; keep the reason words only. */
function nodeWords(message: string): string {
  const ssl = /:SSL routines:[^:]*:([^:\n]+)/.exec(message);
  return ssl ? ssl[1]! : message.trim().split('\n')[0]!;
}

/** Turns a Node socket error into a sentence a person can act on, keeping Node's own words at the end. */
export function describeNetError(error: unknown, what: string): NetError {
  const e = (error instanceof Error ? error : new Error(String(error))) as NodeError;
  const code = e.code;
  let reason: string;
  switch (code) {
    case 'ECONNREFUSED': reason = 'connection refused (nothing is listening there)'; break;
    case 'ECONNRESET': reason = 'connection reset by the other side'; break;
    case 'ETIMEDOUT': reason = 'timed out'; break;
    case 'EHOSTUNREACH': reason = 'host unreachable'; break;
    case 'ENETUNREACH': reason = 'network unreachable'; break;
    case 'EADDRINUSE': reason = 'address already in use'; break;
    case 'EADDRNOTAVAIL': reason = 'address not available on this host'; break;
    case 'EPIPE': reason = 'connection closed by the other side while writing'; break;
    case 'ERR_TLS_CERT_ALTNAME_INVALID': reason = 'TLS certificate is not valid for this host name'; break;
    case 'CERT_HAS_EXPIRED': reason = 'TLS certificate has expired'; break;
    case 'CERT_NOT_YET_VALID': reason = 'TLS certificate is not yet valid (check the clock)'; break;
    case 'ERR_SSL_WRONG_VERSION_NUMBER': reason = 'the other side does not speak TLS (or speaks an unsupported version)'; break;
    default:
      if (code && CA_CODES.has(code)) reason = 'TLS certificate is not signed by a trusted CA';
      else if (code?.startsWith('ERR_SSL_')) reason = `TLS handshake failed`;
      else reason = 'failed';
  }
  return new NetError(`${what}: ${reason} [${code ?? 'no code'}: ${nodeWords(e.message)}]`, code, error);
}

/** Node Buffers are Uint8Arrays; hand out a plain view over the same memory (no copy). */
function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function requireNumeric(address: string, what: string): void {
  if (net.isIP(address) === 0) throw new NetError(`${what}: "${address}" is not a numeric IPv4/IPv6 address`, 'EINVAL');
}

/** A dual-stack IPv6 socket sees IPv4 peers as ::ffff:a.b.c.d; the core sees plain a.b.c.d. */
function unmap(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function label(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

class HostUdp implements UdpSocket {
  readonly #sock: dgram.Socket;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #v6: boolean;
  readonly local: Endpoint;

  constructor(sock: dgram.Socket, onError: ((error: Error) => void) | undefined) {
    this.#sock = sock;
    this.#onError = onError;
    const a = sock.address();
    this.#v6 = a.family === 'IPv6';
    this.local = { address: a.address, port: a.port };
  }

  send(data: Uint8Array, address: string, port: number): void {
    requireNumeric(address, 'UDP send');
    // Copy: the core reuses its packet buffers, and Node may send after this call returns.
    const to = this.#v6 && net.isIPv4(address) ? `::ffff:${address}` : address;
    this.#sock.send(Buffer.from(data), port, to, (err) => {
      if (err) this.#onError?.(describeNetError(err, `UDP send to ${label(address, port)}`));
    });
  }

  close(): void {
    try {
      this.#sock.close();
    } catch {
      // already closed
    }
  }
}

class HostStream implements StreamSocket {
  readonly #sock: net.Socket;
  readonly #remote: Endpoint;
  #handlers: StreamHandlers | undefined;
  #error: Error | undefined;
  #closed = false;

  constructor(sock: net.Socket, remote: Endpoint, connectEvent: 'connect' | 'secureConnect' | undefined, what: string) {
    this.#sock = sock;
    this.#remote = remote;
    if (connectEvent) sock.once(connectEvent, () => this.#handlers?.onConnect?.());
    sock.on('data', (buf: Buffer) => this.#handlers?.onData(view(buf)));
    sock.on('error', (err) => {
      this.#error ??= describeNetError(err, what);
    });
    sock.on('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#handlers?.onClose(this.#error);
    });
  }

  attach(handlers: StreamHandlers): void {
    this.#handlers = handlers;
  }

  get local(): Endpoint {
    return { address: unmap(this.#sock.localAddress ?? ''), port: this.#sock.localPort ?? 0 };
  }

  get remote(): Endpoint {
    return this.#remote;
  }

  write(data: Uint8Array): void {
    if (this.#sock.destroyed || this.#sock.writableEnded) return;
    // Copy: a stream keeps the chunk queued until the kernel takes it.
    this.#sock.write(Buffer.from(data));
  }

  close(): void {
    // FIN (TLS close_notify) after queued data, then release the socket without waiting for the peer.
    this.#sock.destroySoon();
  }
}

function tlsClientOptions(t: TlsOptions, address: string): tls.ConnectionOptions {
  const name = t.serverName ?? address;
  const o: tls.ConnectionOptions = {
    // Always check the certificate against the expected name, whether a DNS name or an IP address.
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
    rejectUnauthorized: true,
  };
  if (net.isIP(name) === 0) o.servername = name; // SNI carries host names only (RFC 6066)
  if (t.ca !== undefined) o.ca = t.ca;
  if (t.cert !== undefined) o.cert = t.cert;
  if (t.key !== undefined) o.key = t.key;
  return o;
}

/** The HAL network on Node: node:dgram for UDP, node:net for TCP, node:tls for TLS. */
export class HostNetwork implements Network {
  async openUdp(options: UdpOptions): Promise<UdpSocket> {
    const address = options.address ?? '0.0.0.0';
    requireNumeric(address, 'UDP bind');
    const sock = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        sock.close();
        reject(describeNetError(err, `UDP bind ${label(address, options.port ?? 0)}`));
      };
      sock.once('error', fail);
      sock.bind(options.port ?? 0, address, () => {
        sock.off('error', fail);
        resolve();
      });
    });
    const udp = new HostUdp(sock, options.onError);
    const where = label(udp.local.address, udp.local.port);
    sock.on('error', (err) => options.onError?.(describeNetError(err, `UDP socket ${where}`)));
    sock.on('message', (msg, rinfo) => options.onMessage(view(msg), { address: unmap(rinfo.address), port: rinfo.port }));
    return udp;
  }

  connect(options: ConnectOptions): StreamSocket {
    const { address, port } = options;
    requireNumeric(address, 'connect');
    const what = `${options.tls ? 'TLS' : 'TCP'} connection to ${label(address, port)}`;
    const sock = options.tls
      ? tls.connect({ host: address, port, ...tlsClientOptions(options.tls, address) })
      : net.connect({ host: address, port });
    const stream = new HostStream(sock, { address, port }, options.tls ? 'secureConnect' : 'connect', what);
    stream.attach(options);
    return stream;
  }

  async listen(options: ListenOptions): Promise<Listener> {
    const address = options.address ?? '0.0.0.0';
    requireNumeric(address, 'listen');
    const accept = (sock: net.Socket) => {
      const remote = { address: unmap(sock.remoteAddress ?? ''), port: sock.remotePort ?? 0 };
      const stream = new HostStream(sock, remote, undefined, `connection from ${label(remote.address, remote.port)}`);
      const handlers = options.onConnection(stream);
      stream.attach(handlers);
      handlers.onConnect?.();
    };
    let server: net.Server;
    if (options.tls) {
      const t = options.tls;
      const o: tls.TlsOptions = { requestCert: t.ca !== undefined, rejectUnauthorized: t.ca !== undefined };
      if (t.cert !== undefined) o.cert = t.cert;
      if (t.key !== undefined) o.key = t.key;
      if (t.ca !== undefined) o.ca = t.ca;
      const s = tls.createServer(o);
      s.on('secureConnection', accept);
      // A client that fails the handshake never becomes a connection; nothing to report to the app.
      s.on('tlsClientError', () => {});
      server = s;
    } else {
      server = net.createServer(accept);
    }
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(describeNetError(err, `listen on ${label(address, options.port ?? 0)}`));
      server.once('error', fail);
      server.listen(options.port ?? 0, address, () => {
        server.off('error', fail);
        resolve();
      });
    });
    const a = server.address() as net.AddressInfo;
    return {
      local: { address: a.address, port: a.port },
      close: () => server.close(),
    };
  }

  localAddresses(): string[] {
    const v4: string[] = [];
    const v4lo: string[] = [];
    const v6: string[] = [];
    const v6lo: string[] = [];
    for (const list of Object.values(os.networkInterfaces())) {
      for (const i of list ?? []) {
        if (i.family === 'IPv4') (i.internal ? v4lo : v4).push(i.address);
        // Link-local IPv6 needs a zone index to be usable; leave it out.
        else if (!i.address.toLowerCase().startsWith('fe80:')) (i.internal ? v6lo : v6).push(i.address);
      }
    }
    return [...new Set([...v4, ...v4lo, ...v6, ...v6lo])];
  }
}
