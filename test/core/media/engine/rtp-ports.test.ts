import test from 'ava';
import { VirtualClock } from '../../../../hal/virtual/clock.js';
import { CallMediaEngine, RtpPorts, type CallMediaEngineOptions } from '../../../../src/media/engine/call-media.js';
import { MediaSession } from '../../../../src/sdp/offer-answer.js';
import { MemoryNet } from './memory-network.js';
import { connect, phone, RecordingOutput, seededRandom, type Phone } from './harness.js';

const A = '192.0.2.1';
const B = '192.0.2.2';

test('ports bound ahead: only sockets until taken; the engine made on them at once talks both ways; close frees them', async (t) => {
  const clock = new VirtualClock(0);
  const net = new MemoryNet(clock);
  const random = seededRandom(31);
  const output = new RecordingOutput();
  const options: CallMediaEngineOptions = { network: net.host(A), clock, random, audioOutput: output, portMin: 30000, portMax: 30010 };
  const ports = await RtpPorts.bind(options);
  const port = ports.localPort;
  t.true(port >= 30000 && port <= 30010 && port % 2 === 0);
  t.true(net.isBound(A, port) && net.isBound(A, port + 1), 'RTP and RTCP bound');

  // Something arriving before a call takes the ports is dropped, not thrown.
  const stray = await net.host(B).openUdp({ port: 5004, onMessage: () => {} });
  stray.send(new Uint8Array([0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff]), A, port);
  clock.advance(20);
  stray.close();

  const engine = CallMediaEngine.onPorts(options, ports);
  t.is(engine.localPort, port);
  t.is(engine.localRtcpPort, port + 1);
  t.is(ports.localPort, 0, 'the ports now belong to the engine');
  ports.close(); // a no-op once taken
  t.true(net.isBound(A, port), 'closing taken ports leaves the engine\'s sockets alone');

  const a: Phone = {
    media: engine, sdp: new MediaSession({ address: A, port, codecs: ['PCMU'], random }), input: undefined, output, dtmf: [], stopped: 0,
  };
  const b = await phone(net, clock, 32, { address: B });
  connect(a, b);
  clock.advance(1000);
  t.true(engine.stats.packetsReceived >= 45, `the engine on the ports receives (${engine.stats.packetsReceived} packets)`);
  t.true(b.media.stats.packetsReceived >= 45, 'and sends');
  t.true(output.chunks.length >= 45, 'and plays');
  engine.close();
  b.media.close();
  t.false(net.isBound(A, port) || net.isBound(A, port + 1), 'the engine closes the sockets it took');

  const unused = await RtpPorts.bind({ ...options, rtcpMuxOnly: true });
  const p2 = unused.localPort;
  t.true(net.isBound(A, p2));
  t.false(net.isBound(A, p2 + 1), 'rtcpMuxOnly: one socket');
  unused.close();
  t.false(net.isBound(A, p2), 'unused ports close');
});
