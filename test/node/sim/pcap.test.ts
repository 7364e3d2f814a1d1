import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PcapWriter, parseIp } from '../../../host-sim/pcap.js';
import type { PcapLinkType } from '../../../host-sim/pcap.js';

const enc = new TextEncoder();
const T0 = 1_764_000_000_000; // wall-clock ms

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xsphone-pcap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install -y tshark (listed in .ci/debian-packages.txt)');
    throw new Error(`tshark failed: ${err.stderr ?? String(e)}`);
  }
}

const CHECKS = ['-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-d', 'udp.port==40000,rtp'];

function sip(first: string, extra = ''): Uint8Array {
  return enc.encode(
    `${first}\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK776asdhds\r\nMax-Forwards: 70\r\nTo: <sip:bob@127.0.0.2>\r\n` +
      `From: <sip:alice@127.0.0.1>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n${extra}\r\n`,
  );
}

function rtp(seq: number, payloadBytes: number): Uint8Array {
  const p = new Uint8Array(12 + payloadBytes).fill(0xff);
  p[0] = 0x80;
  p[1] = 0; // PCMU
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  p.set([0, 0, 0x01, 0x40, 0x12, 0x34, 0x56, 0x78], 4); // timestamp 320, SSRC 0x12345678
  return p;
}

/** A call's worth of traffic: SIP over UDP (v4 and v6), RTP, and SIP over TCP with handshake and close. */
function writeCapture(file: string, linkType: PcapLinkType): void {
  const w = PcapWriter.toFile(file, { linkType });
  const alice = { address: '127.0.0.1', port: 5060 };
  const bob = { address: '127.0.0.2', port: 5062 };
  w.udp(alice, bob, sip('INVITE sip:bob@127.0.0.2 SIP/2.0'), T0);
  w.udp(bob, alice, sip('SIP/2.0 100 Trying', 'X-Odd: 1\r\n'), T0 + 1.5);
  w.udp({ address: '127.0.0.1', port: 40000 }, { address: '127.0.0.2', port: 40002 }, rtp(7, 161), T0 + 20);
  w.udp({ address: '::1', port: 5060 }, { address: '::1', port: 5070 }, sip('OPTIONS sip:carol@[::1]:5070 SIP/2.0'), T0 + 30);
  const client = { address: '127.0.0.1', port: 50123 };
  const registrar = { address: '127.0.0.3', port: 5060 };
  w.tcpOpen(client, registrar, T0 + 40);
  w.tcp(client, registrar, sip('REGISTER sip:127.0.0.3 SIP/2.0', 'X-Pad: a\r\n'), T0 + 41);
  w.tcp(registrar, client, sip('SIP/2.0 200 OK'), T0 + 42);
  w.tcp(client, registrar, sip('REGISTER sip:127.0.0.3 SIP/2.0'), T0 + 43);
  w.tcpClose(client, registrar, T0 + 50);
  w.close();
}

for (const linkType of ['raw', 'ethernet'] as const) {
  test(`tshark decodes SIP, RTP and TCP from the pcap (${linkType}), checksums good, nothing malformed`, (t) => {
    const file = path.join(tempDir(t), `call-${linkType}.pcap`);
    writeCapture(file, linkType);
    const out = tshark(['-r', file, ...CHECKS, '-T', 'fields', '-E', 'separator=|', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'udp.srcport', '-e', 'tcp.srcport', '-e', 'rtp.ssrc', '-e', 'rtp.p_type', '-e', 'ipv6.src']);
    const rows = out.trim().split('\n').map((l) => l.split('|'));
    t.is(rows.length, 13);
    t.deepEqual(rows[0], ['INVITE', '', '5060', '', '', '', '']);
    t.deepEqual(rows[1], ['', '100', '5062', '', '', '', '']);
    t.deepEqual(rows[2], ['', '', '40000', '', '0x12345678', '0', '']);
    t.deepEqual(rows[3], ['OPTIONS', '', '5060', '', '', '', '::1']);
    t.deepEqual(rows.slice(4, 7).map((r) => r[3]), ['50123', '5060', '50123'], 'SYN, SYN-ACK, ACK');
    t.deepEqual(rows.slice(7, 10).map((r) => [r[0], r[1], r[3]]), [['REGISTER', '', '50123'], ['', '200', '5060'], ['REGISTER', '', '50123']]);
    const bad = tshark(['-r', file, ...CHECKS, '-Y', '_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0 || tcp.analysis.flags']);
    t.is(bad.trim(), '', 'no malformed, bad-checksum or TCP-analysis packets');
    const good = tshark(['-r', file, ...CHECKS, '-Y', 'udp.checksum.status == 1 || tcp.checksum.status == 1', '-T', 'fields', '-e', 'frame.number']);
    t.is(good.trim().split('\n').length, 13, 'every checksum verified good');
    const times = tshark(['-r', file, '-T', 'fields', '-e', 'frame.time_epoch']).trim().split('\n');
    t.is(times[0], '1764000000.000000000');
    t.is(times[1], '1764000000.001500000');
  });
}

test('file layout: classic pcap header, link type, microsecond records', (t) => {
  const file = path.join(tempDir(t), 'x.pcap');
  const w = PcapWriter.toFile(file);
  w.udp({ address: '10.0.0.1', port: 1 }, { address: '10.0.0.2', port: 2 }, Uint8Array.of(1, 2, 3), 1500.25);
  w.close();
  const b = readFileSync(file);
  t.is(b.readUInt32LE(0), 0xa1b2c3d4);
  t.is(b.readUInt16LE(4), 2);
  t.is(b.readUInt16LE(6), 4);
  t.is(b.readUInt32LE(20), 101);
  t.is(b.readUInt32LE(24), 1); // seconds
  t.is(b.readUInt32LE(28), 500_250); // microseconds
  t.is(b.readUInt32LE(32), 20 + 8 + 3);
  t.is(b.length, 24 + 16 + 31);
  t.is(b[40], 0x45);
  t.throws(() => w.udp({ address: '10.0.0.1', port: 1 }, { address: '10.0.0.2', port: 2 }, new Uint8Array(1), 0), { message: /closed/ });
});

test('addresses: IPv4, IPv6 forms, and errors', (t) => {
  t.deepEqual([...parseIp('192.0.2.1')], [192, 0, 2, 1]);
  t.deepEqual([...parseIp('::1')], [...new Array(15).fill(0), 1]);
  t.deepEqual([...parseIp('2001:db8::ff00:42:8329')].slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
  t.deepEqual([...parseIp('::ffff:192.0.2.1')].slice(10), [0xff, 0xff, 192, 0, 2, 1]);
  t.deepEqual([...parseIp('fe80::1%eth0')].slice(0, 2), [0xfe, 0x80]);
  for (const bad of ['host.example', '1.2.3', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1']) {
    t.throws(() => parseIp(bad), { message: /not a numeric IP address/ }, bad);
  }
  const w = new PcapWriter(() => {});
  t.throws(() => w.udp({ address: '127.0.0.1', port: 1 }, { address: '::1', port: 2 }, new Uint8Array(1), 0), { message: /not the same IP version/ });
  t.throws(() => w.udp({ address: '127.0.0.1', port: 1 }, { address: '127.0.0.2', port: 2 }, new Uint8Array(70_000), 0), { message: /does not fit/ });
});
