/** Phones on a FakeInternet for call tests: a UserAgent, a CallManager with one line, SDP media, and wire taps. */
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { SoftCrypto } from '../../../../hal/soft/crypto.js';
import type { NegotiatedMedia } from '../../../../src/sdp/offer-answer.js';
import { Call, type CallEvent } from '../../../../src/sip/call/call.js';
import { CallManager, type CallManagerOptions, type Line } from '../../../../src/sip/call/calls.js';
import { DefaultCallMedia } from '../../../../src/sip/call/media.js';
import type { SipMessage } from '../../../../src/sip/message.js';
import { parseMessage } from '../../../../src/sip/parser/index.js';
import { sipCodec, SipTransport } from '../../../../src/sip/transport/index.js';
import { UserAgent } from '../../../../src/sip/ua/user-agent.js';
import { FakeInternet, type Datagram } from '../transport/fake-network.js';
import { SeededRandom } from '../transport/helpers.js';

export interface Phone {
  name: string;
  address: string;
  ua: UserAgent;
  calls: CallManager;
  line: Line;
  /** Media handed to the RTP engine, per call, in order (undefined = stop). */
  media: Array<NegotiatedMedia | undefined>;
  /** Calls that arrived, in order. */
  incoming: Call[];
}

export interface Lab {
  clock: VirtualClock;
  internet: FakeInternet;
  phone(name: string, address: string, seed: number, options?: CallManagerOptions, line?: Partial<Line>, tcp?: boolean): Promise<Phone>;
  /** Lets the INVITE leave (calls start on the next tick) and delivers what is in flight. */
  run(ms?: number): void;
}

export function lab(): Lab {
  const clock = new VirtualClock();
  const internet = new FakeInternet(clock);
  const crypto = new SoftCrypto();
  return {
    clock,
    internet,
    async phone(name, address, seed, options = {}, lineExtra = {}, tcp = false) {
      const random = new SeededRandom(seed);
      const transport = await SipTransport.open({
        network: internet.host(address), clock, random, codec: sipCodec(), udp: { port: 5060 }, ...(tcp ? {} : { tcp: false as const }),
      });
      const ua = new UserAgent({ clock, random, crypto, transport, host: address });
      const calls = new CallManager(ua, options);
      const media: Array<NegotiatedMedia | undefined> = [];
      const line = calls.addLine({
        user: name,
        domain: address,
        media: () => new DefaultCallMedia({ address, port: 4000, codecs: ['PCMU', 'PCMA'], random }, (m) => media.push(m)),
        ...lineExtra,
      });
      const phone: Phone = { name, address, ua, calls, line, media, incoming: [] };
      calls.onIncoming = (call) => phone.incoming.push(call);
      return phone;
    },
    run(ms = 10) {
      clock.advance(ms);
    },
  };
}

/** Every event of a call, in order. */
export function events(call: Call): CallEvent[] {
  const out: CallEvent[] = [];
  call.on((e) => out.push(e));
  return out;
}

export const types = (list: CallEvent[]): string[] => list.map((e) => e.type);

export interface Wire {
  at: number;
  from: string;
  to: string;
  message: SipMessage;
  /** "INVITE", "ACK", "180 INVITE", "200 BYE"... */
  label: string;
}

/** The SIP datagrams sent so far (dropped ones included), parsed. */
export function wire(internet: FakeInternet, since = 0): Wire[] {
  return internet.datagrams.slice(since).map((d: Datagram) => {
    const message = parseMessage(d.data) as SipMessage;
    const label = message.kind === 'request' ? message.method : `${message.status} ${message.cseq.method}`;
    return { at: d.at, from: d.from.address, to: d.to.address, message, label };
  });
}

export const labels = (w: Wire[]): string[] => w.map((x) => x.label);

/** The SDP direction attribute of the audio stream in a body. */
export function direction(m: SipMessage): string | undefined {
  const text = new TextDecoder().decode(m.body);
  return /a=(sendrecv|sendonly|recvonly|inactive)/.exec(text)?.[1];
}
