/**
 * The fleet's media path on loopback: call legs driven by one MediaLoop over the connecting FleetNetwork. Frames go
 * out every 20 ms of each leg's own schedule, G.711 both ways, RTCP both ways; sockets connect to their peer once it
 * sends from where they send to, and not before; a datagram from elsewhere never connects them.
 */
import test from 'ava';
import dgram from 'node:dgram';
import { HostClock } from '../../../hal/host/clock.js';
import { HostRandom } from '../../../hal/host/random.js';
import { FleetNetwork } from '../../../host-sim/fleet/fleet-network.js';
import { MediaLoop, toneFrame } from '../../../host-sim/fleet/media-loop.js';
import { CallMediaEngine } from '../../../src/media/engine/call-media.js';
import type { NegotiatedMedia } from '../../../src/sdp/offer-answer.js';
import type { UdpSocket } from '../../../hal/net.js';

function media(port: number, rtcpPort: number): NegotiatedMedia {
  return {
    remoteAddress: '127.0.0.1', remoteAddressType: 'IP4', remotePort: port, remoteRtcpAddress: '127.0.0.1', remoteRtcpPort: rtcpPort,
    rtcpMux: false, payloadType: 0, codec: 'PCMU', clockRate: 8000, receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }], ptime: 20,
    direction: 'sendrecv', remoteHold: false, localHold: false,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('two legs on one MediaLoop: 20 ms frames both ways on the schedule of each leg, no loss', async (t) => {
  const network = new FleetNetwork({ connectPeers: true });
  const clock = new HostClock();
  const random = new HostRandom();
  const loop = new MediaLoop();
  const legs = [
    await CallMediaEngine.open({ network, clock, random, bindAddress: '127.0.0.1', playout: false }),
    await CallMediaEngine.open({ network, clock, random, bindAddress: '127.0.0.1', playout: false }),
  ];
  t.teardown(() => {
    for (const e of legs) {
      loop.remove(e);
      e.close();
    }
    loop.close();
  });
  for (const e of legs) loop.add(e);
  t.is(loop.size, 2);
  legs[0]!.start(media(legs[1]!.localPort, legs[1]!.localRtcpPort));
  legs[1]!.start(media(legs[0]!.localPort, legs[0]!.localRtcpPort));
  const t0 = Date.now();
  await sleep(1500);
  const elapsed = Date.now() - t0;
  for (const e of legs) {
    const s = e.stats;
    // One packet per 20 ms of the leg's schedule: never ahead of it; behind only if the test process is starved.
    t.true(s.packetsSent <= elapsed / 20 + 1 && s.packetsSent >= (0.8 * elapsed) / 20, `sent ${s.packetsSent} in ${elapsed} ms`);
    t.true(s.packetsReceived >= s.packetsSent - 3, `received ${s.packetsReceived} of ~${s.packetsSent}`);
    t.is(s.packetsLost, 0);
    t.is(e.socketErrors, 0);
    t.is(s.concealedFrames, 0, 'no playout: nothing concealed');
  }
  t.true(loop.frames >= legs[0]!.stats.packetsSent + legs[1]!.stats.packetsSent - 2);
  t.is(loop.skipped, 0);
});

test('the tone frame is whole periods of 400 Hz, so it repeats without a seam', (t) => {
  const f = toneFrame();
  t.is(f.length, 160);
  t.is(f[0], 0);
  t.true(Math.max(...f) > 4000 && Math.max(...f) <= 5000);
  // the sample after the last one would be f[0] again: 160 samples = 8 periods of 20 samples
  for (let i = 0; i < 140; i++) t.is(f[i + 20], f[i]);
});

test('a media socket connects to its peer only once the peer sends from where it sends to; a stranger never connects it', async (t) => {
  const received: { from: number; bytes: number }[] = [];
  const network = new FleetNetwork({ connectPeers: true });
  const udp: UdpSocket = await network.openUdp({ address: '127.0.0.1', onMessage: (d, from) => received.push({ from: from.port, bytes: d.length }) });
  const peer = dgram.createSocket('udp4');
  const stranger = dgram.createSocket('udp4');
  const peerGot: number[] = [];
  peer.on('message', (m) => peerGot.push(m[0]!));
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
  t.teardown(() => {
    udp.close();
    peer.close();
    stranger.close();
  });
  const peerPort = peer.address().port;
  const connected = (): boolean => (udp as unknown as { connected: boolean }).connected;
  const packet = new Uint8Array(172);
  // A stranger's datagram first: accepted (nothing latched), and no connect.
  stranger.send(Buffer.from([1, 2, 3]), udp.local.port, '127.0.0.1');
  await sleep(50);
  t.false(connected());
  // We send to the peer; it answers: now connected.
  packet[0] = 1;
  udp.send(packet, '127.0.0.1', peerPort);
  await sleep(50);
  t.false(connected(), 'sending alone does not connect');
  peer.send(Buffer.from([9]), udp.local.port, '127.0.0.1');
  await sleep(50);
  t.true(connected(), 'connected once the peer sent from where we send to');
  // The buffer is reused at once by the caller: what went out is what was passed at the time of the call.
  for (let i = 2; i <= 4; i++) {
    packet[0] = i;
    udp.send(packet, '127.0.0.1', peerPort);
    packet[0] = 0xee;
  }
  await sleep(50);
  t.deepEqual(peerGot, [1, 2, 3, 4]);
  // Sending elsewhere disconnects first (the session moved): the datagram arrives there.
  const other = dgram.createSocket('udp4');
  const otherGot: number[] = [];
  other.on('message', (m) => otherGot.push(m[0]!));
  await new Promise<void>((r) => other.bind(0, '127.0.0.1', r));
  t.teardown(() => other.close());
  packet[0] = 7;
  udp.send(packet, '127.0.0.1', other.address().port);
  await sleep(50);
  t.false(connected());
  t.deepEqual(otherGot, [7]);
  t.deepEqual(received.map((r) => r.from), [stranger.address().port, peerPort]);
});
