import test from 'ava';
import { parseMessage } from '../../../../src/sip/parser/index.js';
import { responseRoute } from '../../../../src/sip/transport/response-routing.js';
import type { Source } from '../../../../src/sip/transport/types.js';
import { bytes } from './helpers.js';

const via = (v: string) => parseMessage(bytes(`OPTIONS sip:a@b SIP/2.0\r\nVia: ${v}\r\n\r\n`)).via[0]!;
const udp: Source = { protocol: 'UDP', address: '203.0.113.7', port: 40000, local: { address: '192.0.2.2', port: 5060 } };
const tcp: Source = { ...udp, protocol: 'TCP', connection: 12 };

test('reliable: the same connection, falling back to received and the sent-by port', (t) => {
  t.deepEqual(responseRoute(via('SIP/2.0/TCP 10.0.0.5:5070;branch=z9hG4bKa'), tcp), { protocol: 'TCP', address: '203.0.113.7', port: 5070, connection: 12 });
  t.deepEqual(responseRoute(via('SIP/2.0/TCP 10.0.0.5;branch=z9hG4bKa'), { ...tcp, connection: undefined } as Source), { protocol: 'TCP', address: '203.0.113.7', port: 5060 });
  t.deepEqual(responseRoute(via('SIP/2.0/TLS a.example.com;branch=z9hG4bKa'), { ...tcp, protocol: 'TLS' }), { protocol: 'TLS', address: '203.0.113.7', port: 5061, connection: 12 });
});

test('unreliable with maddr: the maddr and the sent-by port (default 5060)', (t) => {
  t.deepEqual(responseRoute(via('SIP/2.0/UDP 10.0.0.5;maddr=239.255.255.1;ttl=1;branch=z9hG4bKa'), udp), { protocol: 'UDP', address: '239.255.255.1', port: 5060 });
});

test('unreliable with rport (RFC 3581): source address and source port', (t) => {
  t.deepEqual(responseRoute(via('SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKa'), udp), { protocol: 'UDP', address: '203.0.113.7', port: 40000 });
});

test('unreliable without rport: received (the source address) and the sent-by port, else 5060', (t) => {
  t.deepEqual(responseRoute(via('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKa'), udp), { protocol: 'UDP', address: '203.0.113.7', port: 5070 });
  t.deepEqual(responseRoute(via('SIP/2.0/UDP 203.0.113.7;branch=z9hG4bKa'), udp), { protocol: 'UDP', address: '203.0.113.7', port: 5060 });
});
