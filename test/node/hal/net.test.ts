import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostNetwork, NetError } from '../../../hal/host/net.js';
import type { Endpoint, StreamSocket } from '../../../hal/net.js';

const network = new HostNetwork();
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Resolves with the promise, or rejects after ms so a broken socket fails the test instead of hanging it. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const hasIPv6Loopback = Object.values(os.networkInterfaces()).some((l) => l?.some((i) => i.address === '::1'));

// ---- certificates, made once with the openssl command line ----
interface Pki {
  ca: string;
  otherCa: string;
  cert: string;
  key: string;
}
let pki: Pki | undefined;
function certificates(): Pki {
  if (pki) return pki;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-pki-'));
  try {
    const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const caExt = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
    ossl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=xsphone test CA', ...caExt);
    ossl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=other CA', ...caExt);
    ossl('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost');
    writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    ossl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    pki = { ca: read('ca.pem'), otherCa: read('other.pem'), cert: read('srv.pem'), key: read('srv.key') };
    return pki;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- UDP ----
async function udpEcho(t: import('ava').ExecutionContext, address: string): Promise<void> {
  const echo = await network.openUdp({
    address,
    onMessage: (data, from) => echo.send(data, from.address, from.port),
  });
  const got = deferred<{ data: Uint8Array; from: Endpoint }>();
  const client = await network.openUdp({ address, onMessage: (data, from) => got.resolve({ data, from }) });
  try {
    t.is(echo.local.address, address);
    t.true(echo.local.port > 0);
    client.send(enc.encode('OPTIONS sip:x SIP/2.0\r\n\r\n'), address, echo.local.port);
    const { data, from } = await within(2000, got.promise, 'UDP echo');
    t.is(Object.getPrototypeOf(data), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
    t.is(dec.decode(data), 'OPTIONS sip:x SIP/2.0\r\n\r\n');
    t.deepEqual(from, { address, port: echo.local.port });
  } finally {
    echo.close();
    client.close();
  }
}

test('UDP echo over IPv4 loopback', (t) => udpEcho(t, '127.0.0.1'));

test('UDP echo over IPv6 loopback', async (t) => {
  if (!hasIPv6Loopback) {
    t.log('no ::1 on this host');
    t.pass();
    return;
  }
  await udpEcho(t, '::1');
});

test('a dual-stack socket on "::" reports IPv4 peers as plain IPv4 and can answer them', async (t) => {
  if (!hasIPv6Loopback) {
    t.pass();
    return;
  }
  const seen: Endpoint[] = [];
  const server = await network.openUdp({
    address: '::',
    onMessage: (d, from) => {
      seen.push(from);
      server.send(d, from.address, from.port);
    },
  });
  const back = deferred<Endpoint>();
  const client = await network.openUdp({ address: '127.0.0.1', onMessage: (_d, from) => back.resolve(from) });
  const accepted = deferred<Endpoint>();
  const listener = await network.listen({ address: '::', onConnection: (s) => (accepted.resolve(s.remote), { onData() {}, onClose() {} }) });
  try {
    client.send(enc.encode('x'), '127.0.0.1', server.local.port);
    t.deepEqual(await within(2000, back.promise, 'dual-stack echo'), { address: '127.0.0.1', port: server.local.port });
    t.deepEqual(seen, [{ address: '127.0.0.1', port: client.local.port }]);
    const c = network.connect({ address: '127.0.0.1', port: listener.local.port, onData() {}, onClose() {} });
    const remote = await within(2000, accepted.promise, 'dual-stack accept');
    t.is(remote.address, '127.0.0.1');
    c.close();
  } finally {
    server.close();
    client.close();
    listener.close();
  }
});

test('UDP send buffer may be reused right after send()', async (t) => {
  const got: string[] = [];
  const done = deferred<void>();
  const rx = await network.openUdp({
    address: '127.0.0.1',
    onMessage: (data) => {
      got.push(dec.decode(data));
      if (got.length === 3) done.resolve();
    },
  });
  const tx = await network.openUdp({ address: '127.0.0.1', onMessage: () => {} });
  try {
    const buf = new Uint8Array(1);
    for (const c of 'abc') {
      buf[0] = c.charCodeAt(0);
      tx.send(buf, '127.0.0.1', rx.local.port);
    }
    await within(2000, done.promise, 'three datagrams');
    t.deepEqual(got.sort(), ['a', 'b', 'c']);
  } finally {
    rx.close();
    tx.close();
  }
});

test('UDP rejects host names and reports bind conflicts in words', async (t) => {
  const a = await network.openUdp({ address: '127.0.0.1', onMessage: () => {} });
  try {
    t.throws(() => a.send(new Uint8Array(1), 'localhost', 5060), { message: /not a numeric/ });
    const err = await t.throwsAsync(network.openUdp({ address: '127.0.0.1', port: a.local.port, onMessage: () => {} }));
    t.regex(err!.message, /address already in use/);
    t.is((err as NetError).code, 'EADDRINUSE');
  } finally {
    a.close();
  }
});

// ---- TCP ----
test('TCP connect, echo, close: both sides see a clean onClose', async (t) => {
  const serverClosed = deferred<Error | undefined>();
  const listener = await network.listen({
    address: '127.0.0.1',
    onConnection: (s) => ({
      onData: (d) => s.write(d),
      onClose: (e) => serverClosed.resolve(e),
    }),
  });
  try {
    const connected = deferred<void>();
    const data = deferred<string>();
    const clientClosed = deferred<Error | undefined>();
    let closes = 0;
    let received = '';
    const c = network.connect({
      address: '127.0.0.1',
      port: listener.local.port,
      onConnect: () => connected.resolve(),
      onData: (d) => {
        received += dec.decode(d);
        if (received.length >= 10) data.resolve(received);
      },
      onClose: (e) => {
        closes++;
        clientClosed.resolve(e);
      },
    });
    await within(2000, connected.promise, 'TCP connect');
    t.is(c.remote.port, listener.local.port);
    t.is(c.local.address, '127.0.0.1');
    c.write(enc.encode('hello'));
    c.write(enc.encode('world'));
    t.is(await within(2000, data.promise, 'TCP echo'), 'helloworld');
    c.close();
    t.is(await within(2000, clientClosed.promise, 'client close'), undefined);
    t.is(await within(2000, serverClosed.promise, 'server sees close'), undefined);
    await new Promise((r) => setTimeout(r, 20));
    t.is(closes, 1, 'onClose exactly once');
  } finally {
    listener.close();
  }
});

test('TCP connection refused surfaces through onClose(error)', async (t) => {
  // Find a port nobody listens on: listen, note the port, close.
  const l = await network.listen({ address: '127.0.0.1', onConnection: () => ({ onData() {}, onClose() {} }) });
  const port = l.local.port;
  l.close();
  await new Promise((r) => setTimeout(r, 20));
  const closed = deferred<Error | undefined>();
  let connected = false;
  network.connect({ address: '127.0.0.1', port, onConnect: () => (connected = true), onData() {}, onClose: (e) => closed.resolve(e) });
  const err = await within(2000, closed.promise, 'refused');
  t.false(connected);
  t.true(err instanceof NetError);
  t.is((err as NetError).code, 'ECONNREFUSED');
  t.regex(err!.message, new RegExp(`TCP connection to 127\\.0\\.0\\.1:${port}: connection refused`));
});

test('TCP over IPv6 loopback', async (t) => {
  if (!hasIPv6Loopback) {
    t.pass();
    return;
  }
  const listener = await network.listen({ address: '::1', onConnection: (s) => ({ onData: (d) => s.write(d), onClose() {} }) });
  try {
    const got = deferred<string>();
    const c = network.connect({ address: '::1', port: listener.local.port, onData: (d) => got.resolve(dec.decode(d)), onClose() {} });
    c.write(enc.encode('v6'));
    t.is(await within(2000, got.promise, 'v6 echo'), 'v6');
    c.close();
  } finally {
    listener.close();
  }
});

// ---- TLS ----
async function tlsServer(): Promise<{ port: number; close(): void }> {
  const p = certificates();
  const l = await network.listen({
    address: '127.0.0.1',
    tls: { cert: p.cert, key: p.key },
    onConnection: (s: StreamSocket) => ({ onData: (d) => s.write(d), onClose() {} }),
  });
  return { port: l.local.port, close: () => l.close() };
}

async function tlsAttempt(port: number, tlsOptions: { ca?: string; serverName?: string }) {
  const connected = deferred<void>();
  const closed = deferred<Error | undefined>();
  const echoed = deferred<string>();
  const s = network.connect({
    address: '127.0.0.1',
    port,
    tls: tlsOptions,
    onConnect: () => connected.resolve(),
    onData: (d) => echoed.resolve(dec.decode(d)),
    onClose: (e) => closed.resolve(e),
  });
  const first = await within(5000, Promise.race([connected.promise.then(() => 'connected' as const), closed.promise.then((e) => e)]), 'TLS handshake');
  return { s, first, echoed: echoed.promise, closed: closed.promise };
}

test('TLS with a trusted CA and the right host name connects and carries data', async (t) => {
  const server = await tlsServer();
  try {
    const r = await tlsAttempt(server.port, { ca: certificates().ca, serverName: 'localhost' });
    t.is(r.first, 'connected');
    r.s.write(enc.encode('REGISTER'));
    t.is(await within(2000, r.echoed, 'TLS echo'), 'REGISTER');
    r.s.close();
    t.is(await within(2000, r.closed, 'TLS close'), undefined);
  } finally {
    server.close();
  }
});

test('TLS without a server name checks the certificate against the IP address', async (t) => {
  const server = await tlsServer();
  try {
    const r = await tlsAttempt(server.port, { ca: certificates().ca });
    t.is(r.first, 'connected');
    r.s.close();
  } finally {
    server.close();
  }
});

test('TLS to the wrong host name fails with a clear error', async (t) => {
  const server = await tlsServer();
  try {
    const r = await tlsAttempt(server.port, { ca: certificates().ca, serverName: 'sip.example.com' });
    t.true(r.first instanceof NetError, String(r.first));
    const e = r.first as NetError;
    t.log(e.message);
    t.is(e.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    t.regex(e.message, /^TLS connection to 127\.0\.0\.1:\d+: TLS certificate is not valid for this host name/);
    t.regex(e.message, /sip\.example\.com/);
  } finally {
    server.close();
  }
});

test('TLS signed by an unknown CA fails with a clear error', async (t) => {
  const server = await tlsServer();
  try {
    const r = await tlsAttempt(server.port, { ca: certificates().otherCa, serverName: 'localhost' });
    t.true(r.first instanceof NetError, String(r.first));
    t.regex((r.first as Error).message, /TLS certificate is not signed by a trusted CA/);
  } finally {
    server.close();
  }
});

test('TLS to a plain TCP server fails with a clear error', async (t) => {
  const l = await network.listen({
    address: '127.0.0.1',
    onConnection: (s) => ({ onData: () => s.write(enc.encode('SIP/2.0 400 Bad Request\r\n\r\n')), onClose() {} }),
  });
  try {
    const r = await tlsAttempt(l.local.port, { ca: certificates().ca, serverName: 'localhost' });
    t.true(r.first instanceof NetError, String(r.first));
    t.log((r.first as Error).message);
    t.regex((r.first as Error).message, /TLS|closed|reset/);
  } finally {
    l.close();
  }
});

test('localAddresses lists IPv4 first and includes loopback', (t) => {
  const list = network.localAddresses();
  t.true(list.includes('127.0.0.1'));
  t.is(list[0]!.includes(':'), false);
  const firstV6 = list.findIndex((a) => a.includes(':'));
  if (firstV6 >= 0) t.true(list.slice(firstV6).every((a) => a.includes(':')), 'no IPv4 after IPv6');
  t.is(new Set(list).size, list.length);
});
