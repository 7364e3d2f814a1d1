import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PcapNetwork, PcapWriter } from '../../../host-sim/pcap.js';
import { HostClock } from '../../../hal/host/clock.js';
import { HostNetwork } from '../../../hal/host/net.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function sip(first: string): Uint8Array {
  return enc.encode(`${first}\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nCall-ID: tap@test\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`);
}

test('PcapNetwork records UDP and TCP through the HAL once each, including traffic from outside', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-tap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'sim.pcap');
  const host = new HostNetwork();
  const pcap = PcapWriter.toFile(file);
  const net = new PcapNetwork(host, pcap, new HostClock());

  // Two simulated phones over UDP: bob bound to the wildcard, alice to loopback.
  const trying = deferred();
  const bob = await net.openUdp({ address: '0.0.0.0', onMessage: (d, from) => dec.decode(d).startsWith('INVITE') && bob.send(sip('SIP/2.0 100 Trying'), from.address, from.port) });
  const alice = await net.openUdp({ address: '127.0.0.1', onMessage: (d) => dec.decode(d).startsWith('SIP/2.0 100') && trying.resolve() });
  alice.send(sip('INVITE sip:bob@127.0.0.1 SIP/2.0'), '127.0.0.1', bob.local.port);
  await within(2000, trying.promise, 'UDP exchange');

  // A peer outside the simulator (not through the tap) sends to alice: recorded on receipt.
  const outside = await host.openUdp({ address: '127.0.0.1', onMessage: () => {} });
  const got = deferred();
  const carol = await net.openUdp({ address: '127.0.0.1', onMessage: () => got.resolve() });
  outside.send(sip('OPTIONS sip:carol@127.0.0.1 SIP/2.0'), '127.0.0.1', carol.local.port);
  await within(2000, got.promise, 'outside datagram');

  // TCP between two simulated ends: recorded once, from the connecting side.
  const closed = deferred();
  const listener = await net.listen({
    address: '127.0.0.1',
    onConnection: (s) => ({ onData: () => s.write(sip('SIP/2.0 200 OK')), onClose: () => {} }),
  });
  const answered = deferred();
  const c = net.connect({
    address: '127.0.0.1',
    port: listener.local.port,
    onConnect: () => c.write(sip('REGISTER sip:127.0.0.1 SIP/2.0')),
    onData: () => answered.resolve(),
    onClose: () => closed.resolve(),
  });
  await within(2000, answered.promise, 'TCP exchange');
  c.close();
  await within(2000, closed.promise, 'TCP close');
  for (const s of [alice, bob, carol, outside]) s.close();
  listener.close();
  pcap.close();

  const rows = tshark(['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'tcp.flags.str'])
    .trim().split('\n').map((l) => l.split('|'));
  const sipRows = rows.filter((r) => r[0] || r[1]).map((r) => r[0] || r[1]);
  t.deepEqual(sipRows, ['INVITE', '100', 'OPTIONS', 'REGISTER', '200'], 'each message exactly once, in order');
  t.deepEqual(rows[0]!.slice(2, 4), [String(alice.local.port), String(bob.local.port)]);
  t.deepEqual(rows[1]!.slice(2, 4), [String(bob.local.port), String(alice.local.port)]);
  t.is(rows.length, 3 + 3 + 2 + 3, '3 UDP, handshake, 2 data segments, FIN exchange');
  const bad = tshark(['-r', file, '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y', '_ws.malformed || _ws.expert.severity >= error || tcp.analysis.flags']);
  t.is(bad.trim(), '');
});
