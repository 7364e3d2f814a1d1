/** A user agent on the host HAL over real loopback sockets, for interop tests. */
import { HostClock } from '../../hal/host/clock.js';
import { HostCrypto } from '../../hal/host/crypto.js';
import { HostNetwork } from '../../hal/host/net.js';
import { HostRandom } from '../../hal/host/random.js';
import { sipCodec, SipTransport } from '../../src/sip/transport/index.js';
import { UserAgent } from '../../src/sip/ua/user-agent.js';

export async function hostUserAgent(port = 0, address = '127.0.0.1'): Promise<UserAgent> {
  const clock = new HostClock();
  const random = new HostRandom();
  const network = new HostNetwork();
  const transport = await SipTransport.open({ network, clock, random, codec: sipCodec(), udp: { address, port }, tcp: { address, port: 0 } });
  return new UserAgent({ clock, random, crypto: new HostCrypto(), transport, host: address });
}

export function closeUserAgent(ua: UserAgent): void {
  ua.close();
  ua.transport.close();
}
