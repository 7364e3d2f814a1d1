// SDES-SRTP calls between our SDP/SRTP code and a real baresip 1.0 (its srtp module is libre's
// own SRTP), on loopback, with a private baresip config: baresip calls us, and we call baresip
// and put it on hold and back. A minimal SIP exchange is written inline: the point is the media.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SrtpContext } from '../../../src/media/srtp/context.js';
import { MediaSession, type NegotiatedMedia, type SrtpPolicy } from '../../../src/sdp/offer-answer.js';
import { parseSdp } from '../../../src/sdp/parse.js';
import { serializeSdp } from '../../../src/sdp/serialize.js';

const BARESIP = '/usr/bin/baresip';
const run = fs.existsSync(BARESIP) ? test.serial : test.skip;
const random = { fill: (d: Uint8Array) => randomFillSync(d) };

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

interface Baresip {
  sipPort: number;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

async function startBaresip(account: string, seconds: number, commands: string[]): Promise<Baresip> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xsphone-baresip-'));
  const sipPort = await freeUdpPort();
  const rtpLow = 20000 + 2 * Math.floor(Math.random() * 5000);
  fs.writeFileSync(path.join(dir, 'config'), [
    'poll_method epoll', `sip_listen 127.0.0.1:${sipPort}`, 'audio_player none,none', 'audio_source ausine,440',
    'audio_alert none,none', 'ausrc_srate 48000', 'ausrc_channels 2', `rtp_ports ${rtpLow}-${rtpLow + 9}`, 'rtcp_mux no',
    'rtp_stats yes', 'net_interface 127.0.0.1', 'module_path /usr/lib/baresip/modules', 'module g711.so',
    'module ausine.so', 'module srtp.so', 'module_tmp account.so', 'module_app menu.so', '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'accounts'), `<sip:tester@127.0.0.1:${sipPort}>;regint=0;${account};audio_codecs=PCMU,PCMA;ptime=20\n`);
  const args = ['-f', dir, '-t', String(seconds), ...commands.flatMap((c) => ['-e', c])];
  const proc = spawn(BARESIP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  void exited.then(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The 'baresip is ready.' banner comes once its SIP socket is bound.
  const end = Date.now() + 10_000;
  while (!out.includes('baresip is ready') && Date.now() < end && proc.exitCode === null) await sleep(50);
  return { sipPort, proc, output: () => out, exited };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** baresip's end-of-call RTP statistics: packets sent/received and errors. */
function baresipStats(out: string): { sent: number; received: number; txErrors: number; rxErrors: number } | undefined {
  const p = /packets:\s+(\d+)\s+(\d+)/.exec(out);
  const e = /errors:\s+(\d+)\s+(\d+)/.exec(out);
  if (!p || !e) return undefined;
  return { sent: Number(p[1]), received: Number(p[2]), txErrors: Number(e[1]), rxErrors: Number(e[2]) };
}

/** Sends a 20 ms PCMU/PCMA packet every 20 ms through SRTP while the negotiated direction allows it. */
class MediaPump {
  received = 0;
  rejected = 0;
  sent = 0;
  private tx?: SrtpContext;
  private rx?: SrtpContext;
  private timer?: ReturnType<typeof setInterval>;
  private seq = 1;
  media?: NegotiatedMedia;

  constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (buf) => {
      const b = new Uint8Array(buf);
      const n = this.rx ? this.rx.unprotectRtp(b, b.length) : -99;
      if (n >= 12) this.received++;
      else this.rejected++;
    });
  }

  apply(media: NegotiatedMedia): void {
    if (!media.srtp) throw new Error('no SRTP negotiated');
    // Keys that did not change keep their contexts (and so their ROC and replay state).
    if (!this.media || this.media.srtp?.send.masterKey.join() !== media.srtp.send.masterKey.join()) this.tx = new SrtpContext(media.srtp.send);
    if (!this.media || this.media.srtp?.receive.masterKey.join() !== media.srtp.receive.masterKey.join()) this.rx = new SrtpContext(media.srtp.receive);
    this.media = media;
    this.timer ??= setInterval(() => this.tick(), 20);
  }

  private tick(): void {
    const m = this.media!;
    if (m.direction !== 'sendrecv' && m.direction !== 'sendonly') return;
    const p = new Uint8Array(12 + 160 + 64);
    const seq = this.seq++;
    p[0] = 0x80;
    p[1] = m.payloadType;
    p[2] = seq >> 8;
    p[3] = seq & 255;
    new DataView(p.buffer).setUint32(4, seq * 160);
    new DataView(p.buffer).setUint32(8, 0x5eed1234);
    for (let i = 0; i < 160; i++) p[12 + i] = (i * 7) & 255;
    const n = this.tx!.protectRtp(p, 172);
    this.socket.send(p.subarray(0, n), m.remotePort, m.remoteAddress);
    this.sent++;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function header(head: string, name: string): string[] {
  return head.split('\r\n').filter((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
}

run('baresip calls us with RTP/SAVP: our answer, SRTP both ways without a single error', async (t) => {
  const sip = await bound();
  const rtp = await bound();
  const pump = new MediaPump(rtp);
  const session = new MediaSession({ address: '127.0.0.1', port: rtp.address().port, codecs: ['PCMU', 'PCMA'], srtp: 'mandatory', random });
  let offerText = '';
  sip.on('message', (buf, from) => {
    const text = buf.toString();
    const first = text.slice(0, text.indexOf('\r\n'));
    if (!/^(INVITE|BYE) /.test(first)) return;
    const [head, body] = text.split('\r\n\r\n');
    let answer = '';
    if (first.startsWith('INVITE')) {
      offerText = body!;
      const r = session.receiveOffer(parseSdp(body!));
      answer = serializeSdp(r.answer);
      pump.apply(r.media);
    } else {
      pump.stop();
    }
    const to = header(head!, 'To')[0] + (first.startsWith('INVITE') ? ';tag=xs1' : '');
    const response = ['SIP/2.0 200 OK', ...header(head!, 'Via'), header(head!, 'From')[0], to, header(head!, 'Call-ID')[0],
      header(head!, 'CSeq')[0], `Contact: <sip:xs@127.0.0.1:${sip.address().port}>`,
      ...(answer ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(answer)}`, '', answer].join('\r\n');
    sip.send(response, from.port, from.address);
  });
  const b = await startBaresip('mediaenc=srtp-mand', 4, [`/dial sip:xs@127.0.0.1:${sip.address().port}`]);
  try {
    await Promise.race([b.exited, sleep(15_000)]);
    pump.stop();
    t.regex(offerText, /m=audio \d+ RTP\/SAVP/);
    t.regex(offerText, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/);
    t.is(pump.media?.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
    t.true(pump.received >= 50, `we decrypted ${pump.received} packets from baresip`);
    t.is(pump.rejected, 0);
    const stats = baresipStats(b.output());
    t.truthy(stats, b.output().slice(-800));
    t.true(stats!.received >= 50, `baresip received ${stats!.received}`);
    t.is(stats!.rxErrors, 0);
    t.is(stats!.txErrors, 0);
  } finally {
    if (b.proc.exitCode === null) b.proc.kill();
    sip.close();
    rtp.close();
  }
});

run('we call baresip with RTP/SAVP, hold (sendonly→recvonly) and resume; SRTP keeps flowing', async (t) => {
  const sip = await bound();
  const rtp = await bound();
  const pump = new MediaPump(rtp);
  const policy: SrtpPolicy = 'mandatory';
  const session = new MediaSession({ address: '127.0.0.1', port: rtp.address().port, codecs: ['PCMA', 'PCMU'], srtp: policy, random });
  const b = await startBaresip('mediaenc=srtp-mand;answermode=auto', 20, []);
  const callId = `srtp-${Date.now()}@127.0.0.1`;
  let cseq = 0;
  let toTag = '';
  const answers: string[] = [];
  let waiting: ((body: string) => void) | undefined;
  sip.on('message', (buf) => {
    const text = buf.toString();
    const [head, body] = text.split('\r\n\r\n');
    if (!/^SIP\/2.0 200/.test(head!) || !/ INVITE$/m.test(header(head!, 'CSeq')[0] ?? '')) return;
    toTag = /;tag=([^;\s]+)/.exec(header(head!, 'To')[0]!)?.[1] ?? '';
    send('ACK', '');
    waiting?.(body!);
  });
  const send = (method: string, body: string) => {
    if (method !== 'ACK') cseq++;
    const msg = [`${method} sip:tester@127.0.0.1:${b.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${sip.address().port};branch=z9hG4bK${cseq}${method}${Date.now()};rport`, 'Max-Forwards: 70',
      `From: <sip:xs@127.0.0.1:${sip.address().port}>;tag=xsf`, `To: <sip:tester@127.0.0.1:${b.sipPort}>${toTag ? ';tag=' + toTag : ''}`,
      `Call-ID: ${callId}`, `CSeq: ${cseq} ${method}`, `Contact: <sip:xs@127.0.0.1:${sip.address().port}>`,
      ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
    sip.send(msg, b.sipPort, '127.0.0.1');
  };
  const offer = async (): Promise<NegotiatedMedia> => {
    const answered = new Promise<string>((resolve, reject) => {
      waiting = resolve;
      setTimeout(() => reject(new Error('no 200 OK from baresip')), 5000);
    });
    send('INVITE', serializeSdp(session.createOffer()));
    const body = await answered;
    answers.push(body);
    const media = session.receiveAnswer(parseSdp(body));
    pump.apply(media);
    return media;
  };
  try {
    const initial = await offer();
    t.is(initial.direction, 'sendrecv');
    t.is(initial.codec, 'PCMA');
    await sleep(1500);
    const receivedBeforeHold = pump.received;
    session.hold();
    const held = await offer();
    t.regex(answers[1]!, /a=recvonly/);
    t.is(held.direction, 'sendonly');
    t.true(held.localHold);
    await sleep(1500);
    session.resume();
    const resumed = await offer();
    t.is(resumed.direction, 'sendrecv');
    await sleep(1500);
    pump.stop();
    send('BYE', '');
    // baresip prints its RTP statistics when the call ends.
    for (let i = 0; i < 100 && !baresipStats(b.output()); i++) await sleep(50);
    t.true(receivedBeforeHold >= 40, `decrypted ${receivedBeforeHold} before hold`);
    t.true(pump.received > receivedBeforeHold + 30, 'baresip sends again after resume');
    t.is(pump.rejected, 0);
    const stats = baresipStats(b.output());
    t.truthy(stats, b.output().slice(-800));
    t.true(stats!.received >= 150, `baresip received ${stats!.received} of our ${pump.sent}`);
    t.is(stats!.rxErrors, 0);
  } finally {
    pump.stop();
    if (b.proc.exitCode === null) b.proc.kill();
    sip.close();
    rtp.close();
  }
});
