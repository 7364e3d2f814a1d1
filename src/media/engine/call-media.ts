/**
 * One call's media engine: the RTP (and RTCP) sockets, the 20 ms frame loop and the audio devices around an
 * RtpSession. The signalling side opens it before the SDP exchange (localPort goes into the offer or
 * answer), then drives it with what offer/answer agreed: start() once, update() on every re-INVITE
 * (new address, hold directions, codec, keys), stop() at hang-up (RTCP BYE, statistics logged).
 *
 * Each frame: the microphone frame (or silence without a device, or when muted) is encoded,
 * packetised, SRTP-protected when negotiated and sent; one frame is pulled from the jitter buffer,
 * decoded or concealed, mixed with a local tone when one plays, and played. From start() on the
 * stream runs even when silent, so NAT bindings open (no silence suppression). Nothing is allocated
 * per frame or packet in the steady state: buffers are made here, the session and the jitter buffer
 * reuse theirs, and send() gets a cached exact-length view of the reused packet buffer.
 */
import type { AudioInput, AudioOutput } from '../../../hal/audio.js';
import { FRAME_SAMPLES } from '../../../hal/audio.js';
import type { Clock } from '../../../hal/clock.js';
import type { Endpoint, Network, UdpSocket } from '../../../hal/net.js';
import type { Random } from '../../../hal/random.js';
import { silent, type Logger } from '../../log.js';
import { isNullAddress, type NegotiatedMedia } from '../../sdp/offer-answer.js';
import type { CallStats } from '../call-stats.js';
import { EchoSuppressor, type EchoSuppressorOptions } from '../echo-suppressor.js';
import type { G711Law } from '../g711.js';
import { RtpSession, type PacketSender, type RtpSessionOptions } from '../rtp-session.js';
import type { SrtpPrimitives } from '../srtp/primitives.js';
import { ToneGenerator, type Country, type ToneName } from '../tones.js';
import { ExactViews } from './exact-views.js';
import { FrameDriver } from './frame-driver.js';
import { SrtpSlot } from './srtp-slot.js';

export interface CallMediaEngineOptions {
  network: Network;
  clock: Clock;
  random: Random;
  /** Local address to bind (default "0.0.0.0"; "::" for IPv6 peers). */
  bindAddress?: string;
  /** Even RTP ports to choose from, RTCP on the next odd one (default 16384..32766). */
  portMin?: number;
  portMax?: number;
  /** Only RTCP multiplexed on the RTP port will be offered/accepted: no RTCP socket is opened. */
  rtcpMuxOnly?: boolean;
  /** The microphone; without one, a clock timer paces the frames and silence is sent. */
  audioInput?: AudioInput;
  audioOutput?: AudioOutput;
  /** SDES CNAME (default derived from the SSRC). */
  cname?: string;
  /** Native AES / HMAC-SHA1 for SRTP (default: the pure-TypeScript ones). */
  srtpPrimitives?: SrtpPrimitives;
  jitter?: RtpSessionOptions['jitter'];
  /** False: received audio is measured but never buffered or decoded (no speaker will play it; see RtpSessionOptions). */
  playout?: boolean;
  /** The microphone hears the speaker (a device's hands-free mode): suppress the echo of what is played. */
  echoSuppression?: EchoSuppressorOptions;
  /** Country of the call-progress tones (default US). */
  country?: Country;
  log?: Logger;
  /** A DTMF digit received as RFC 4733 events, at its end. */
  onDtmf?(digit: string, durationMs: number): void;
  /** The call's statistics, once, when the stream stops. */
  onStop?(stats: CallStats): void;
}

const DEFAULT_PORT_MIN = 16384;
const DEFAULT_PORT_MAX = 32766;
const BIND_ATTEMPTS = 16;

type Receive = (data: Uint8Array, from: Endpoint) => void;

/** Who gets what arrives on an RtpPorts' sockets once they are taken (the engine). */
export interface PortSink {
  receiveRtp(data: Uint8Array, from: Endpoint): void;
  receiveRtcp(data: Uint8Array, from: Endpoint): void;
  socketError(error: Error): void;
}

/**
 * An RTP port pair bound ahead of a call, without the engine's buffers (~24 KB): what a phone keeps ready so that
 * an incoming INVITE gets its port at once. CallMediaEngine.onPorts() makes the engine on it, synchronously.
 * Datagrams arriving before then are dropped. Its three socket callbacks stay the sockets' only ones for the
 * whole call (they forward to the sink), so the engine makes none of its own.
 */
export class RtpPorts {
  #rtp: UdpSocket | null = null;
  #rtcp: UdpSocket | null = null;
  #sink: PortSink | null = null;
  // Arrow fields, not private methods: XS keeps the last instance of a class with private methods alive.
  readonly #rtpIn = (data: Uint8Array, from: Endpoint): void => this.#sink?.receiveRtp(data, from);
  readonly #rtcpIn = (data: Uint8Array, from: Endpoint): void => this.#sink?.receiveRtcp(data, from);
  readonly #errorIn = (error: Error): void => this.#sink?.socketError(error);

  /** Binds an even RTP port from the options' range and, unless rtcpMuxOnly, RTCP on the next one. */
  static async bind(options: CallMediaEngineOptions): Promise<RtpPorts> {
    const ports = new RtpPorts();
    const pair = await bindPair(options, ports.#rtpIn, ports.#rtcpIn, ports.#errorIn);
    ports.#rtp = pair.rtp;
    ports.#rtcp = pair.rtcp;
    return ports;
  }

  get localPort(): number {
    return this.#rtp ? this.#rtp.local.port : 0;
  }

  /** Hands the sockets and their traffic over (once): they then belong to the taker. */
  take(sink: PortSink): { rtp: UdpSocket | null; rtcp: UdpSocket | null } {
    this.#sink = sink;
    const pair = { rtp: this.#rtp, rtcp: this.#rtcp };
    this.#rtp = null;
    this.#rtcp = null;
    return pair;
  }

  /** Closes the sockets unless they were taken. */
  close(): void {
    this.#rtp?.close();
    this.#rtcp?.close();
    this.#rtp = null;
    this.#rtcp = null;
  }
}

/** An even RTP port from the range and, unless rtcpMuxOnly, RTCP on the next one: random start, then upwards. */
async function bindPair(o: CallMediaEngineOptions, onRtp: Receive, onRtcp: Receive, onError: (error: Error) => void):
  Promise<{ rtp: UdpSocket; rtcp: UdpSocket | null }> {
  const min = (o.portMin ?? DEFAULT_PORT_MIN) & ~1;
  const max = o.portMax ?? DEFAULT_PORT_MAX;
  if (max < min) throw new RangeError(`empty RTP port range ${min}..${max}`);
  const slots = ((max - min) >> 1) + 1;
  const r = o.random.fill(new Uint8Array(4));
  let slot = (((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0) % slots;
  const address = o.bindAddress ?? '0.0.0.0';
  let lastError: unknown;
  for (let attempt = 0; attempt < Math.min(slots, BIND_ATTEMPTS); attempt++, slot = (slot + 1) % slots) {
    const port = min + 2 * slot;
    let rtp: UdpSocket | null = null;
    try {
      rtp = await o.network.openUdp({ address, port, onMessage: onRtp, onError });
      const rtcp = o.rtcpMuxOnly ? null : await o.network.openUdp({ address, port: port + 1, onMessage: onRtcp, onError });
      return { rtp, rtcp };
    } catch (error) {
      rtp?.close();
      lastError = error;
    }
  }
  throw new Error(`no free RTP port pair in ${min}..${max}: ${(lastError as Error | undefined)?.message ?? 'no attempt'}`);
}

export class CallMediaEngine implements PortSink {
  readonly #clock: Clock;
  // Of the options, only what is read after construction is kept (not the caller's whole object).
  readonly #srtpPrimitives: SrtpPrimitives | undefined;
  readonly #onStop: ((stats: CallStats) => void) | undefined;
  readonly #log: Logger;
  readonly #session: RtpSession;
  readonly #sendSrtp = new SrtpSlot();
  readonly #receiveSrtp = new SrtpSlot();
  readonly #views = new ExactViews();
  readonly #driver: FrameDriver;
  readonly #tones: ToneGenerator;
  readonly #echo: EchoSuppressor | undefined;
  readonly #mic = new Int16Array(FRAME_SAMPLES);
  readonly #out = new Int16Array(FRAME_SAMPLES);
  #input: AudioInput | undefined;
  #output: AudioOutput | undefined;
  #rtpSocket: UdpSocket | null = null;
  #rtcpSocket: UdpSocket | null = null;
  #mux = false;
  /** The SDP's remote address, and whether it is the old all-zeros hold (nothing may go there). */
  #sdpAddress = '';
  #nullRemote = false;
  #external = false;
  #started = false;
  #closed = false;
  /** Errors the sockets reported (failed sends, mostly). */
  socketErrors = 0;

  // Callbacks made once: the per-packet and per-frame paths create no closures.
  readonly #onFrame = (mic: Int16Array | null): void => this.frame(mic);
  readonly #sendRtp: PacketSender = (bytes, length, address, port) => {
    const socket = this.#rtpSocket;
    if (socket === null || (this.#nullRemote && address === this.#sdpAddress)) return;
    socket.send(this.#views.of(bytes, length), address, port);
  };
  readonly #sendRtcpPacket: PacketSender = (bytes, length, address, port) => {
    const socket = this.#mux || this.#rtcpSocket === null ? this.#rtpSocket : this.#rtcpSocket;
    if (socket === null || (this.#nullRemote && address === this.#sdpAddress)) return;
    socket.send(this.#views.of(bytes, length), address, port);
  };

  private constructor(options: CallMediaEngineOptions) {
    this.#srtpPrimitives = options.srtpPrimitives;
    this.#onStop = options.onStop;
    this.#clock = options.clock;
    this.#log = options.log ?? silent;
    this.#input = options.audioInput;
    this.#output = options.audioOutput;
    this.#tones = new ToneGenerator(options.country ?? 'US');
    this.#echo = options.echoSuppression ? new EchoSuppressor(options.echoSuppression) : undefined;
    this.#driver = new FrameDriver(options.clock, this.#onFrame);
    const sessionOptions: RtpSessionOptions = {
      clock: options.clock,
      random: options.random,
      send: this.#sendRtp,
      sendRtcp: this.#sendRtcpPacket,
      cname: options.cname ?? '',
      srtp: { send: this.#sendSrtp, receive: this.#receiveSrtp },
    };
    if (options.jitter) sessionOptions.jitter = options.jitter;
    if (options.playout !== undefined) sessionOptions.playout = options.playout;
    if (options.onDtmf) sessionOptions.onDtmf = options.onDtmf;
    if (options.cname === undefined) {
      // RFC 7022: a random CNAME per call (96 bits, hex).
      const r = options.random.fill(new Uint8Array(12));
      let hex = '';
      for (let i = 0; i < r.length; i++) hex += (r[i]! + 0x100).toString(16).slice(1);
      sessionOptions.cname = hex;
    }
    this.#session = new RtpSession(sessionOptions);
  }

  /** Opens the sockets: an even RTP port from the range and, unless rtcpMuxOnly, RTCP on the next one. */
  static async open(options: CallMediaEngineOptions): Promise<CallMediaEngine> {
    const media = new CallMediaEngine(options);
    media.take(await RtpPorts.bind(options));
    return media;
  }

  /** The engine on ports bound ahead (RtpPorts.bind with the same options), at once. */
  static onPorts(options: CallMediaEngineOptions, ports: RtpPorts): CallMediaEngine {
    const media = new CallMediaEngine(options);
    media.take(ports);
    return media;
  }

  private take(ports: RtpPorts): void {
    const pair = ports.take(this);
    this.#rtpSocket = pair.rtp;
    this.#rtcpSocket = pair.rtcp;
  }

  /** A datagram on the RTP socket (RtpPorts delivers it). */
  receiveRtp(data: Uint8Array, from: Endpoint): void {
    this.#session.receive(data, data.length, from.address, from.port);
  }

  /** A datagram on the RTCP socket. */
  receiveRtcp(data: Uint8Array, from: Endpoint): void {
    this.#session.receiveRtcp(data, data.length, from.address, from.port);
  }

  /** An error a socket reported (a failed send, mostly). */
  socketError(error: Error): void {
    // a send failing every 20 ms would flood the log: the 1st, 2nd, 4th, 8th... are logged
    const n = ++this.socketErrors;
    if ((n & (n - 1)) === 0) this.#log.warn(`media socket (error ${n}): ${error.message}`);
  }

  /** The RTP port for the SDP m= line. */
  get localPort(): number {
    return this.#rtpSocket ? this.#rtpSocket.local.port : 0;
  }

  /** The RTCP port (RTP port + 1), or 0 when only rtcp-mux is used. */
  get localRtcpPort(): number {
    return this.#rtcpSocket ? this.#rtcpSocket.local.port : 0;
  }

  get stats(): CallStats {
    return this.#session.stats;
  }

  /** The RTP session (SSRC, counters of foreign and bad packets, where RTP goes now). */
  get session(): RtpSession {
    return this.#session;
  }

  get running(): boolean {
    return this.#session.running;
  }

  /** Whether what we send is SRTP-protected now. */
  get secure(): boolean {
    return this.#sendSrtp.active;
  }

  /** Sends silence instead of the microphone (the stream keeps going). */
  get muted(): boolean {
    return this.#session.muted;
  }
  set muted(value: boolean) {
    this.#session.muted = value;
  }

  /** Starts the stream with what offer/answer agreed (or updates it, when already started). */
  start(media: NegotiatedMedia): void {
    if (this.#closed) {
      // a late answer (a 200 after the call was given up) finds the sockets gone
      this.#log.debug('media agreed after close: ignored');
      return;
    }
    this.#receiveSrtp.set(media.srtp?.receive, this.#srtpPrimitives);
    this.#sendSrtp.set(media.srtp?.send, this.#srtpPrimitives);
    this.#mux = media.rtcpMux;
    this.#sdpAddress = media.remoteAddress;
    this.#nullRemote = isNullAddress(media.remoteAddress);
    const restart = !this.#started;
    this.#session.start(media);
    this.#started = true;
    // (the line is built only when someone reads it: a fleet of phones starts hundreds of streams a second)
    if (restart && this.#log.enabled('info')) {
      this.#log.info(`media to ${media.remoteAddress}:${media.remotePort} ${media.codec}/${media.ptime} ms ${media.direction}` +
        `${media.srtp ? ' SRTP ' + media.srtp.suite : ''}${media.rtcpMux ? ' rtcp-mux' : ''}`);
    }
    this.drive();
  }

  /** A re-INVITE's outcome: new remote address (latching starts again), hold direction, codec, keys. */
  update(media: NegotiatedMedia): void {
    this.start(media);
  }

  /**
   * What the call's media interface reports (src/sip/call/media.ts DefaultCallMedia's onMedia): the agreed
   * media, to start or update; or undefined when the call is over, which stops the stream and closes
   * the sockets. Pass `engine.onMedia` as that callback.
   */
  apply(media: NegotiatedMedia | undefined): void {
    if (media) this.start(media);
    else this.close();
  }

  /** apply() as a callback (made when asked for: most users call apply through their own). */
  get onMedia(): (media: NegotiatedMedia | undefined) => void {
    return (media) => this.apply(media);
  }

  /** Ends the stream: RTCP BYE, the audio devices released, the statistics logged and reported. Sockets stay open. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    this.#session.stop();
    this.drive();
    const stats = this.#session.stats;
    if (this.#log.enabled('info')) this.#log.info(`call media: ${stats.summary()}`);
    this.#onStop?.(stats);
  }

  /** Stops the stream and closes the sockets. */
  close(): void {
    this.stop();
    this.#closed = true;
    this.drive();
    this.#rtpSocket?.close();
    this.#rtcpSocket?.close();
    this.#rtpSocket = null;
    this.#rtcpSocket = null;
  }

  /** Sends a DTMF digit: RFC 4733 events on the negotiated payload type, else in-band tones. */
  sendDtmf(digit: string, durationMs = 100): boolean {
    return this.#session.sendDtmf(digit, durationMs);
  }

  /**
   * Plays a call-progress tone mixed into what the speaker plays (null stops it). Before media is
   * agreed (ringback without early media) the frame loop runs for the tone alone.
   */
  playTone(name: ToneName | null): void {
    this.#tones.play(name);
    this.drive();
  }

  /**
   * Hands the frame loop to someone else (the local mixer of a conference), who then calls
   * sendFrame/receiveFrame every 20 ms; attachAudio() takes it back.
   */
  detachAudio(): void {
    this.#external = true;
    this.drive();
  }

  /**
   * Drives the frame loop itself again, with exactly these devices: none means a timer paces the
   * frames, silence is sent and nothing is played (a call that is not the focused one).
   */
  attachAudio(input?: AudioInput, output?: AudioOutput): void {
    const changed = input !== this.#input;
    this.#input = input;
    this.#output = output;
    this.#external = false;
    if (changed) this.#driver.stop();
    this.drive();
  }

  /** Runs the frame loop while the stream or a tone needs it and nobody else drives it. */
  private drive(): void {
    if (!this.#closed && !this.#external && (this.#started || this.#tones.pattern !== null)) this.#driver.start(this.#input);
    else this.#driver.stop();
  }

  /** Sends one 20 ms frame (null: silence). The frame is copied, not changed. */
  sendFrame(pcm: Int16Array | null): void {
    this.#session.sendFrame(this.micFrame(pcm));
  }

  /** The microphone frame copied to our own buffer, 20 ms long (silence without a microphone). */
  private micFrame(pcm: Int16Array | null): Int16Array {
    const mic = this.#mic;
    if (pcm === null) mic.fill(0);
    else if (pcm.length === FRAME_SAMPLES) mic.set(pcm);
    else for (let i = 0; i < FRAME_SAMPLES; i++) mic[i] = i < pcm.length ? pcm[i]! : 0;
    return mic;
  }

  /**
   * Sends one 20 ms frame of a fixed signal given both as PCM and as its G.711 codes in law (encoded once by the
   * caller): the codes go as they are when they can, else the PCM is sent as by sendFrame (muted, DTMF, another law).
   */
  sendCodedFrame(pcm: Int16Array, codes: Uint8Array, law: G711Law): void {
    if (!this.#session.sendCodes(codes, law)) this.sendFrame(pcm);
  }

  /** Writes the next 20 ms the peer sent (decoded or concealed; silence when not receiving) into out. */
  receiveFrame(out: Int16Array): void {
    this.#session.playFrame(out, 0);
  }

  /** One whole frame: send the microphone's, then fill out with the peer's audio and any local tone. */
  processFrame(mic: Int16Array | null, out: Int16Array): void {
    const frame = this.micFrame(mic);
    this.#echo?.near(frame);
    this.#session.sendFrame(frame);
    this.receiveFrame(out);
    // The microphone copy is free again (sendFrame encoded it at once): it holds the tone, one buffer less per call.
    const tone = this.#mic;
    if (this.#tones.fill(tone, 0, FRAME_SAMPLES)) {
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        const v = out[i]! + tone[i]!;
        out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
    this.#echo?.far(out);
  }

  private frame(mic: Int16Array | null): void {
    const out = this.#out;
    this.processFrame(mic, out);
    if (this.#output !== undefined) this.#output.play(out);
  }
}
