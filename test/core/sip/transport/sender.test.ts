import test from 'ava';
import { requestProtocol } from '../../../../src/sip/transport/sender.js';

const udp = { protocol: 'UDP' as const, address: '192.0.2.9', port: 5060 };

test('§18.1.1: above MTU-200 bytes a request moves to TCP only when the target allows it', (t) => {
  t.is(requestProtocol(1300, { ...udp, tcpAllowed: true }), 'UDP');
  t.is(requestProtocol(1301, { ...udp, tcpAllowed: true }), 'TCP');
  t.is(requestProtocol(5000, udp), 'UDP');
  t.is(requestProtocol(1301, { ...udp, tcpAllowed: true }, 9000), 'UDP');
  t.is(requestProtocol(100, { ...udp, protocol: 'TLS' }), 'TLS');
});
