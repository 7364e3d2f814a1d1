// SipTransport and the transaction layer over real loopback sockets (HostNetwork), UDP and TCP.
import test from 'ava';
import { HostClock } from '../../../hal/host/clock.js';
import { HostNetwork } from '../../../hal/host/net.js';
import { HostRandom } from '../../../hal/host/random.js';
import type { SipMessage, SipResponse } from '../../../src/sip/message.js';
import type { ParsedRequest, ParsedResponse } from '../../../src/sip/parser/index.js';
import type { MessageFactory } from '../../../src/sip/transaction/context.js';
import { DEFAULT_TIMERS } from '../../../src/sip/transaction/timers.js';
import { TransactionLayer } from '../../../src/sip/transaction/transaction-layer.js';
import { SipTransport } from '../../../src/sip/transport/transport.js';
import type { Protocol, Source } from '../../../src/sip/transport/types.js';
import { msg, testCodec } from '../../core/sip/transport/helpers.js';

const LOOP = '127.0.0.1';
const clock = new HostClock({ unref: true });
const noFactory: MessageFactory = {
  ackForNon2xx: () => {
    throw new Error('not used');
  },
  response: () => {
    throw new Error('not used');
  },
};

async function endpoint(): Promise<SipTransport> {
  // TCP listens on the port the OS gave UDP; retry in the rare case that TCP port is taken.
  for (let i = 0; ; i++) {
    try {
      return await SipTransport.open({ network: new HostNetwork(), clock, random: new HostRandom(), codec: testCodec, udp: { address: LOOP, port: 0 }, tcp: { address: LOOP } });
    } catch (e) {
      if (i >= 5) throw e;
    }
  }
}

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms).unref())]);
}

function options(protocol: Protocol, port: number, branch: string): ParsedRequest {
  return msg([
    `OPTIONS sip:b@${LOOP}:${port} SIP/2.0`,
    `Via: SIP/2.0/${protocol} ${LOOP}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    'From: <sip:a@example.com>;tag=fa',
    'To: <sip:b@example.com>',
    `Call-ID: ${branch}@loop`,
    'CSeq: 1 OPTIONS',
  ]) as ParsedRequest;
}

function ok(request: SipMessage): ParsedResponse {
  return msg([
    'SIP/2.0 200 OK',
    `Via: ${request.headers('via').join(', ')}`,
    `From: ${request.header('from')}`,
    `To: ${request.header('to')};tag=tb`,
    `Call-ID: ${request.callId}`,
    `CSeq: ${request.cseq.seq} ${request.cseq.method}`,
  ]) as ParsedResponse;
}

for (const protocol of ['UDP', 'TCP'] as const) {
  test.serial(`${protocol}: OPTIONS through client and server transactions over loopback`, async (t) => {
    const a = await endpoint();
    const b = await endpoint();
    try {
      const sources: Source[] = [];
      const la = new TransactionLayer({ clock, timers: DEFAULT_TIMERS, transport: a, factory: noFactory }, { onRequest: () => t.fail() });
      const lb = new TransactionLayer({ clock, timers: DEFAULT_TIMERS, transport: b, factory: noFactory }, {
        onRequest: (request, tx, source) => {
          sources.push(source);
          tx?.respond(ok(request));
        },
      });
      a.onMessage((m, s) => la.receive(m, s));
      b.onMessage((m, s) => lb.receive(m, s));
      const port = a.localPort(protocol)!;
      const bPort = b.localPort(protocol)!;
      const responses: SipResponse[] = [];
      for (const branch of ['z9hG4bKloop1', 'z9hG4bKloop2']) {
        const got = await within(
          3000,
          new Promise<SipResponse>((resolve, reject) => {
            la.request(options(protocol, port, branch + protocol), { protocol, address: LOOP, port: bPort }, { onResponse: resolve, onFailure: (f) => reject(new Error(f.reason)) });
          }),
        );
        responses.push(got);
      }
      t.deepEqual(responses.map((r) => r.status), [200, 200]);
      t.is(responses[0]!.via[0]!.received, LOOP);
      t.is(responses[0]!.via[0]!.rport, protocol === 'UDP' ? port : sources[0]!.port);
      t.is(sources[0]!.protocol, protocol);
      if (protocol === 'TCP') {
        t.is(sources[0]!.connection, sources[1]!.connection, 'the second request reused the connection');
        t.is(a.connections.size, 1);
      }
      la.shutdown();
      lb.shutdown();
    } finally {
      a.close();
      b.close();
    }
  });
}

test.serial('TCP keep-alive ping/pong over loopback', async (t) => {
  const a = await endpoint();
  const b = await endpoint();
  try {
    const failures: string[] = [];
    const ka = a.keepAlive({ protocol: 'TCP', address: LOOP, port: b.localPort('TCP')! }, { intervalMs: 100, pongTimeoutMs: 500, onFailure: (e) => failures.push(e.message) });
    await new Promise((r) => setTimeout(r, 800));
    t.deepEqual(failures, []);
    t.true(ka.active);
    ka.stop();
    t.is(b.connections.size, 1);
  } finally {
    a.close();
    b.close();
  }
});
