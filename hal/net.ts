/** Sockets. Addresses are numeric (IPv4 dotted or IPv6 text); names go through the core's own resolver. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface UdpSocket {
  readonly local: Endpoint;
  /** Sends one datagram; the caller may reuse `data` as soon as this returns. Failures go to onError. */
  send(data: Uint8Array, address: string, port: number): void;
  close(): void;
}

export interface UdpOptions {
  /** Local address to bind; default all interfaces ("0.0.0.0"). */
  address?: string;
  /** Local port; 0 or absent picks a free one. */
  port?: number;
  /** One call per datagram; `data` is a fresh buffer the receiver may keep (no copy is made for it). */
  onMessage(data: Uint8Array, from: Endpoint): void;
  onError?(error: Error): void;
}

export interface StreamSocket {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Queues bytes in order; the caller may reuse `data` as soon as this returns. */
  write(data: Uint8Array): void;
  close(): void;
}

export interface StreamHandlers {
  onConnect?(): void;
  onData(data: Uint8Array): void;
  /** Called once when the connection ends for any reason (clean close, reset, failed connect). */
  onClose(error?: Error): void;
}

export interface TlsOptions {
  /** PEM CA bundle to validate the peer against. */
  ca?: string;
  /** Name to check the certificate against (SNI and host-name check). */
  serverName?: string;
  /** Certificate and key when acting as a server (tests) or presenting a client certificate. */
  cert?: string;
  key?: string;
}

export interface ConnectOptions extends StreamHandlers {
  address: string;
  port: number;
  tls?: TlsOptions;
}

export interface Listener {
  readonly local: Endpoint;
  close(): void;
}

export interface ListenOptions {
  address?: string;
  port?: number;
  tls?: TlsOptions;
  /** Returns the handlers for an accepted connection. */
  onConnection(socket: StreamSocket): StreamHandlers;
}

export interface Network {
  openUdp(options: UdpOptions): Promise<UdpSocket>;
  connect(options: ConnectOptions): StreamSocket;
  listen(options: ListenOptions): Promise<Listener>;
  /** The addresses of this host's interfaces, for Contact, Via and SDP. */
  localAddresses(): string[];
  /** The provisioning server the DHCP lease offered (option 66, "TFTP server name"), if the platform can tell. */
  dhcpOption66?(): string | undefined;
}
