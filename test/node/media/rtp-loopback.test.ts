// Two RtpSessions over real loopback UDP sockets, in real time, with SRTP (the real SrtpContext):
// audio one way, an RFC 4733 digit the other, and the symmetric-RTP latch on real source ports.
import test from 'ava';
import { HostClock } from '../../../hal/host/clock.js';
import { HostNetwork } from '../../../hal/host/net.js';
import { HostRandom } from '../../../hal/host/random.js';
import type { UdpSocket } from '../../../hal/net.js';
import { RtpSession, type MediaParams } from '../../../src/media/rtp-session.js';
import { SrtpContext } from '../../../src/media/srtp/context.js';
import type { SrtpKeys } from '../../../src/media/srtp/suite.js';
import { goertzelCoefficient, goertzelPower } from '../../../src/media/dtmf.js';

function keys(fill: number): SrtpKeys {
  return { suite: 'AES_CM_128_HMAC_SHA1_80', masterKey: new Uint8Array(16).fill(fill), masterSalt: new Uint8Array(14).fill(fill + 1) };
}

function params(port: number): MediaParams {
  return {
    remoteAddress: '127.0.0.1', remotePort: port, remoteRtcpAddress: '127.0.0.1', remoteRtcpPort: port, rtcpMux: true,
    payloadType: 8, codec: 'PCMA', receiveCodecs: [{ payloadType: 8, codec: 'PCMA' }], telephoneEvent: 101, ptime: 20,
    direction: 'sendrecv',
  };
}

test('audio and DTMF over loopback UDP with SRTP, in real time', async (t) => {
  const net = new HostNetwork();
  const clock = new HostClock();
  const random = new HostRandom();
  const sessions: RtpSession[] = [];
  const sockets: UdpSocket[] = [];
  const digits: string[] = [];
  for (const k of [0, 1]) {
    sockets.push(await net.openUdp({
      address: '127.0.0.1', port: 0,
      onMessage: (data, from) => sessions[k]!.receive(data, data.length, from.address, from.port),
    }));
  }
  const kA = keys(3);
  const kB = keys(7);
  for (const k of [0, 1]) {
    const socket = sockets[k]!;
    sessions.push(new RtpSession({
      clock, random, cname: `loop${k}`,
      send: (bytes, len, address, port) => socket.send(bytes.slice(0, len), address, port),
      srtp: k === 0 ? { send: new SrtpContext(kA), receive: new SrtpContext(kB) } : { send: new SrtpContext(kB), receive: new SrtpContext(kA) },
      onDtmf: (d) => digits.push(d),
    }));
  }
  const [a, b] = sessions as [RtpSession, RtpSession];
  a.start(params(sockets[1]!.local.port));
  // B is told a wrong port for A: the latch must fix it once A's packets arrive
  b.start(params(9));
  const heard: Int16Array[] = [];
  let n = 0;
  try {
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const mic = new Int16Array(160);
        for (let i = 0; i < 160; i++) mic[i] = 8000 * Math.sin((2 * Math.PI * 440 * (n * 160 + i)) / 8000);
        a.sendFrame(mic);
        b.sendFrame(new Int16Array(160));
        const out = new Int16Array(160);
        b.playFrame(out);
        a.playFrame(new Int16Array(160));
        heard.push(out);
        if (n === 25) b.sendDtmf('5', 100);
        if (++n >= 75) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    for (const s of sockets) s.close();
  }
  t.is(b.badPackets, 0);
  t.true(b.stats.packetsReceived >= 60, `received ${b.stats.packetsReceived}`);
  t.deepEqual(b.remote, { address: '127.0.0.1', port: sockets[0]!.local.port }, 'latched to A');
  t.deepEqual(digits, ['5']);
  // the last 0.5 s B played is the tone
  const tail = new Int16Array(25 * 160);
  heard.slice(-25).forEach((h, i) => tail.set(h, i * 160));
  const p440 = goertzelPower(tail, 0, tail.length, goertzelCoefficient(440));
  const p1000 = goertzelPower(tail, 0, tail.length, goertzelCoefficient(1000));
  t.true(p440 > 1000 * p1000, 'B hears 440 Hz');
});
