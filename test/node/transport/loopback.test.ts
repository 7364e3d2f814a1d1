// SipTransport and the transaction layer over real loopback sockets (HostNetwork), UDP and TCP.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** A CA and a server certificate for 127.0.0.1/localhost, made with the openssl command line. */
function certificates(): { ca: string; cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-sip-tls-'));
  try {
    const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sip test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    ossl('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost');
    writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    ossl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    return { ca: read('ca.pem'), cert: read('srv.pem'), key: read('srv.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.serial('TLS plugs into the same connection table: OPTIONS and its 200 over one TLS connection', async (t) => {
  const pki = certificates();
  const open = (tls: boolean) =>
    SipTransport.open({
      network: new HostNetwork(),
      clock,
      random: new HostRandom(),
      codec: testCodec,
      udp: { address: LOOP, port: 0 },
      tcp: false,
      ...(tls ? { tls: { address: LOOP, port: 0, options: { cert: pki.cert, key: pki.key } } } : { tlsClient: { ca: pki.ca } }),
    });
  const server = await open(true);
  const client = await open(false);
  try {
    const port = server.localPort('TLS')!;
    const sources: Source[] = [];
    server.onMessage((m, s) => {
      sources.push(s);
      server.send(ok(m), s);
    });
    const got = new Promise<SipMessage>((resolve) => client.onMessage((m) => resolve(m)));
    client.send(options('TLS', 5061, 'z9hG4bKtls1'), { protocol: 'TLS', address: LOOP, port, serverName: 'localhost' }, (e) => t.fail(e.message));
    const response = await within(5000, got);
    t.is(response.kind === 'response' && response.status, 200);
    t.is(sources[0]!.protocol, 'TLS');
    t.is(client.connections.size, 1);
    t.is(server.connections.size, 1);
  } finally {
    client.close();
    server.close();
  }
});

const hasIPv6Loopback = Object.values(os.networkInterfaces()).some((l) => l?.some((i) => i.address === '::1'));

(hasIPv6Loopback ? test.serial : test.serial.skip)('UDP over IPv6 loopback through the udp6 socket, response stamped with the IPv6 source', async (t) => {
  // udp6 without a port shares the IPv4 socket's port number.
  const open = () =>
    SipTransport.open({ network: new HostNetwork(), clock, random: new HostRandom(), codec: testCodec, udp: { address: LOOP, port: 0 }, udp6: { address: '::1' }, tcp: false });
  const a = await open();
  const b = await open();
  try {
    const aPort = a.localPort('UDP')!;
    b.onMessage((m, s) => b.send(ok(m), s));
    const got = new Promise<SipMessage>((resolve) => a.onMessage((m) => resolve(m)));
    const request = msg([
      `OPTIONS sip:b@[::1]:${b.localPort('UDP')} SIP/2.0`,
      `Via: SIP/2.0/UDP [::1]:${aPort};branch=z9hG4bKv6;rport`,
      'Max-Forwards: 70',
      'From: <sip:a@example.com>;tag=fa',
      'To: <sip:b@example.com>',
      'Call-ID: v6@loop',
      'CSeq: 1 OPTIONS',
    ]) as ParsedRequest;
    a.send(request, { protocol: 'UDP', address: '::1', port: b.localPort('UDP')! }, (e) => t.fail(e.message));
    const r = await within(3000, got);
    t.is(r.kind === 'response' && r.status, 200);
    t.is(r.via[0]!.rport, aPort);
    t.is(r.via[0]!.received, '::1');
  } finally {
    a.close();
    b.close();
  }
});
