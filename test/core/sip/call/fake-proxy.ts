/**
 * A stateless, record-routing, forking proxy on the fake network (RFC 3261 §16.11 in its simplest form), written
 * over the message text: enough to put Record-Route, loose routing and parallel forking in front of call tests.
 */
import type { UdpSocket } from '../../../../hal/net.js';
import type { SipMessage } from '../../../../src/sip/message.js';
import { parseMessage } from '../../../../src/sip/parser/index.js';
import { isSipUri } from '../../../../src/sip/uri.js';
import type { FakeInternet } from '../transport/fake-network.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export class FakeProxy {
  #socket: UdpSocket | undefined;

  /** `forks`: user → the hosts its calls fork to (each at port 5060). */
  constructor(readonly internet: FakeInternet, readonly address: string, readonly forks: Record<string, string[]>) {}

  async start(): Promise<void> {
    this.#socket = await this.internet.host(this.address).openUdp({
      port: 5060,
      onMessage: (data) => this.#receive(data),
    });
  }

  #receive(data: Uint8Array): void {
    const text = dec.decode(data);
    const m = parseMessage(data) as SipMessage;
    if (m.kind === 'response') {
      const lines = text.split('\r\n');
      const i = lines.findIndex((l) => /^via:/i.test(l));
      lines.splice(i, 1);
      const next = m.via[1]!;
      this.#send(lines.join('\r\n'), next.host, next.port ?? 5060);
      return;
    }
    const lines = text.split('\r\n');
    const routeAt = lines.findIndex((l) => /^route:/i.test(l));
    if (routeAt >= 0 && lines[routeAt]!.includes(this.address)) lines.splice(routeAt, 1);
    const remaining = lines.find((l) => /^route:/i.test(l));
    const incomingBranch = m.via[0]!.branch ?? 'none';
    const targets: Array<{ uri: string | undefined; host: string; port: number }> = [];
    if (remaining) {
      const hp = /sip:(?:[^@;>]*@)?([^:;>]+)(?::(\d+))?/.exec(remaining)!;
      targets.push({ uri: undefined, host: hp[1]!, port: Number(hp[2] ?? 5060) });
    } else if (isSipUri(m.uri) && m.uri.host === this.address && m.uri.user && this.forks[m.uri.user]) {
      for (const host of this.forks[m.uri.user]!) targets.push({ uri: `sip:${m.uri.user}@${host}:5060`, host, port: 5060 });
    } else if (isSipUri(m.uri)) {
      targets.push({ uri: undefined, host: m.uri.host, port: m.uri.port ?? 5060 });
    }
    if (m.method === 'INVITE' && !m.to.params['tag']) {
      lines.splice(1, 0, `Record-Route: <sip:${this.address};lr>`);
    }
    targets.forEach((target, index) => {
      const out = lines.slice();
      if (target.uri) out[0] = `${m.method} ${target.uri} SIP/2.0`;
      // Stateless branches: the same request (and its CANCEL) always gets the same branch per fork (§16.11).
      out.splice(1, 0, `Via: SIP/2.0/UDP ${this.address}:5060;branch=z9hG4bKpx${index}${incomingBranch.slice(7)}`);
      this.#send(out.join('\r\n'), target.host, target.port);
    });
  }

  #send(text: string, host: string, port: number): void {
    this.#socket!.send(enc.encode(text), host, port);
  }
}
