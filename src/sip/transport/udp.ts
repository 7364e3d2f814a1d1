/** SIP over UDP (§18): one socket, each datagram one message; CRLF-only datagrams are keep-alives. */
import type { Endpoint, Network, UdpSocket } from '../../../hal/net.js';
import type { SipMessage } from '../message.js';
import { isKeepAliveDatagram, type SipCodec } from './codec.js';
import type { Source } from './types.js';

export interface UdpTransportOptions {
  network: Network;
  codec: SipCodec;
  address?: string;
  port?: number;
  onMessage(message: SipMessage, source: Source): void;
  /** A datagram that is not a valid message (bytes kept for a possible 400 by the caller). */
  onParseError?(error: Error, from: Endpoint, bytes: Uint8Array): void;
  /** Asynchronous socket errors (e.g. ICMP port unreachable reported late). */
  onSocketError?(error: Error): void;
  onKeepAlive?(from: Endpoint): void;
}

export class UdpTransport {
  #socket: UdpSocket;

  private constructor(socket: UdpSocket) {
    this.#socket = socket;
  }

  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    let local: Endpoint = { address: '', port: 0 };
    const socket = await options.network.openUdp({
      ...(options.address !== undefined ? { address: options.address } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      onMessage: (data, from) => {
        if (isKeepAliveDatagram(data)) {
          options.onKeepAlive?.(from);
          return;
        }
        let message: SipMessage;
        try {
          message = options.codec.parseDatagram(data);
        } catch (e) {
          options.onParseError?.(e instanceof Error ? e : new Error(String(e)), from, data);
          return;
        }
        options.onMessage(message, { protocol: 'UDP', address: from.address, port: from.port, local });
      },
      ...(options.onSocketError ? { onError: options.onSocketError } : {}),
    });
    local = socket.local;
    return new UdpTransport(socket);
  }

  get local(): Endpoint {
    return this.#socket.local;
  }

  send(bytes: Uint8Array, address: string, port: number, onError: (e: Error) => void): void {
    try {
      this.#socket.send(bytes, address, port);
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  close(): void {
    this.#socket.close();
  }
}
