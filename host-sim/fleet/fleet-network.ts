/**
 * The host network with a leaner UDP send path for the fleet's media: hundreds of call legs send 50 packets a second
 * each, so per-packet work counts. Sends carry no completion callback (errors arrive as socket 'error' events
 * instead) and a destination is checked to be numeric once, not per packet. Streams and listeners are the host's.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Endpoint, UdpOptions, UdpSocket } from '../../hal/net.js';
import { HostNetwork, NetError } from '../../hal/host/net.js';

class LeanUdp implements UdpSocket {
  readonly local: Endpoint;
  readonly #sock: dgram.Socket;
  #checked = '';

  constructor(sock: dgram.Socket) {
    this.#sock = sock;
    const a = sock.address();
    this.local = { address: a.address, port: a.port };
  }

  send(data: Uint8Array, address: string, port: number): void {
    if (address !== this.#checked) {
      if (net.isIPv4(address) === false) throw new NetError(`UDP send: "${address}" is not a numeric IPv4 address`, 'EINVAL');
      this.#checked = address;
    }
    // Copy: the core reuses its packet buffer as soon as this returns.
    this.#sock.send(Buffer.from(data), port, address);
  }

  close(): void {
    try {
      this.#sock.close();
    } catch {
      // already closed
    }
  }
}

export class FleetNetwork extends HostNetwork {
  /** IPv4 sockets get the lean send path; anything else is the host's. */
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
    const udp = new LeanUdp(sock);
    sock.on('error', (err) => options.onError?.(new NetError(`UDP socket ${address}:${udp.local.port}: ${err.message}`, (err as NodeJS.ErrnoException).code ?? 'EIO')));
    sock.on('message', (msg, rinfo) => options.onMessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { address: rinfo.address, port: rinfo.port }));
    return udp;
  }
}
