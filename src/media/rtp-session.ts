/**
 * One call's audio over RTP: packetises 20 ms microphone frames into G.711 packets of the negotiated
 * ptime (10–60 ms), receives into the jitter buffer, sends and receives RFC 4733 DTMF, keeps RTCP going
 * (SR/RR + SDES every ~5 s, BYE at the end), and keeps the call's statistics.
 *
 * It sends from start() on, silence included, so NAT bindings open and peers that latch on symmetric
 * RTP hear us. It latches itself (RFC 4961 symmetric RTP, "comedia"): once the peer's first valid
 * packet arrives, RTP (and RTCP) go back to the address it came from, and packets from any other
 * source are discarded. No sockets and no timers: the caller hands in packets and calls the frame
 * methods every 20 ms; time comes from the Clock.
 */
import type { Clock } from '../../hal/clock.js';
import type { Random } from '../../hal/random.js';
import { CallStats } from './call-stats.js';
import { DtmfReceiver, DtmfSender, DtmfToneGenerator, dtmfDigit } from './dtmf.js';
import { encodeAlaw, encodeUlaw, type G711Law } from './g711.js';
import { JitterBuffer, JitterPut, type JitterBufferOptions } from './jitter-buffer.js';
import {
  ReceptionStats, ReportBlock, RtcpInfo, RtcpParse, RtcpWriter, SenderInfo, ntpMiddle, parseRtcp, roundTripMs, rtcpIntervalMs,
} from './rtcp.js';
import { RTP_HEADER_SIZE, RtpHeader, RtpParse, looksLikeRtcp, parseRtp, writeRtpHeader } from './rtp-packet.js';

/** Sends length bytes of bytes to address:port (the caller's socket; RTCP may use another). */
export type PacketSender = (bytes: Uint8Array, length: number, address: string, port: number) => void;

/** What the session needs of an SRTP context (src/media/srtp/context.ts), per direction. */
export interface PacketProtector {
  /** False while it passes packets through unchanged (a slot with no keys yet); absent counts as true. */
  readonly active?: boolean;
  readonly rtpOverhead: number;
  readonly rtcpOverhead: number;
  protectRtp(buf: Uint8Array, length: number): number;
  unprotectRtp(buf: Uint8Array, length: number): number;
  protectRtcp(buf: Uint8Array, length: number): number;
  unprotectRtcp(buf: Uint8Array, length: number): number;
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** The negotiated stream (a structural subset of the SDP layer's NegotiatedMedia). */
export interface MediaParams {
  remoteAddress: string;
  remotePort: number;
  remoteRtcpAddress: string;
  remoteRtcpPort: number;
  rtcpMux: boolean;
  payloadType: number;
  codec: 'PCMU' | 'PCMA';
  receiveCodecs: ReadonlyArray<{ payloadType: number; codec: 'PCMU' | 'PCMA' }>;
  telephoneEvent?: number | undefined;
  ptime: number;
  /** What we do: sendrecv = we send and receive. */
  direction: MediaDirection;
}

export interface RtpSessionOptions {
  clock: Clock;
  random: Random;
  send: PacketSender;
  /** For RTCP when it is not multiplexed (the RTCP socket); defaults to send. */
  sendRtcp?: PacketSender;
  /** SDES CNAME (RFC 7022: a random or user@host string, stable for the call). */
  cname: string;
  /** SRTP contexts: protect what we send with send, check what we receive with receive. */
  srtp?: { send: PacketProtector; receive: PacketProtector };
  jitter?: Omit<JitterBufferOptions, 'law'>;
  /** Latch on the peer's source address (default true). */
  symmetric?: boolean;
  /** Called once per received DTMF event (RFC 4733), at its end. */
  onDtmf?: (digit: string, durationMs: number) => void;
  /**
   * Whether received audio is played (default true). False for a phone that has nothing to play it on (a
   * load-test fleet phone): audio packets are still checked, counted and measured (loss, jitter, RTCP reports),
   * but not buffered, decoded or concealed, and playFrame gives silence.
   */
  playout?: boolean;
}

const MAX_PAYLOAD = 480; // 60 ms of G.711
const SPARE = 64; // SRTP tag + MKI
const CN_PAYLOAD_TYPE = 13;

// What a received payload type is, from a table filled at start(): the per-packet path compares
// numbers only (string literals cost a fresh string per evaluation in XS when not preloaded).
const PT_UNKNOWN = 0;
const PT_PCMU = 1;
const PT_PCMA = 2;
const PT_EVENT = 3;
const PT_CN = 4;


export class RtpSession {
  readonly stats = new CallStats();
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #send: PacketSender;
  readonly #sendRtcp: PacketSender;
  readonly #srtp: { send: PacketProtector; receive: PacketProtector } | undefined;
  readonly #symmetric: boolean;
  readonly #onDtmf: ((digit: string, durationMs: number) => void) | undefined;

  readonly #packet = new Uint8Array(RTP_HEADER_SIZE + MAX_PAYLOAD + SPARE);
  readonly #header = new RtpHeader();
  readonly #reception = new ReceptionStats();
  /** Null without playout: nothing is buffered, so a fleet phone's call makes none of its buffers. */
  readonly #jitter: JitterBuffer | null;
  // DTMF parts are made when a call first sends or receives a digit (most calls never do): ~1 KB less per call.
  #dtmfOut: DtmfSender | null = null;
  #dtmfPacket: Uint8Array | null = null;
  #dtmfIn: DtmfReceiver | null = null;
  #inband: DtmfToneGenerator | null = null;
  readonly #rtcp: RtcpWriter;
  readonly #rtcpInfo = new RtcpInfo();
  readonly #senderInfo = new SenderInfo();
  readonly #scratch = new Uint8Array(10);

  #params: MediaParams | null = null;
  /** Payload type → PT_* kind. */
  readonly #ptKind = new Uint8Array(128);
  #ulaw = true;
  #sending = false;
  #receiving = false;
  /** Kind of the last audio payload handed to the jitter buffer. */
  #rxKind = PT_PCMU;
  #samplesPerPacket = 160;
  #fill = 0;
  /** The codes the payload of #packet holds as they were given to sendCodes (null once anything else wrote there). */
  #payloadCodes: Uint8Array | null = null;
  /** Our SSRC, next sequence number and the timestamp of the next packet's first sample. */
  readonly ssrc: number;
  #seq: number;
  #ts: number;
  #sentSinceReport = false;
  #latchedAddress: string | null = null;
  #latchedPort = 0;
  #rtcpAddress = '';
  #rtcpPort = 0;
  #rtcpLatched = false;
  #nextReportMs = 0;
  #lastSrMiddle = 0;
  #lastSrArrivalMs = 0;
  #running = false;
  /** Encode silence instead of the microphone (still sending, so the stream and NAT binding stay up). */
  muted = false;
  /** Packets dropped because they came from a source other than the latched one. */
  foreignPackets = 0;
  /** Packets dropped as malformed, failing SRTP, or of an unknown payload type. */
  badPackets = 0;

  constructor(options: RtpSessionOptions) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#send = options.send;
    this.#sendRtcp = options.sendRtcp ?? options.send;
    this.#srtp = options.srtp;
    this.#symmetric = options.symmetric ?? true;
    this.#onDtmf = options.onDtmf;
    this.#jitter = (options.playout ?? true) ? new JitterBuffer({ law: 'pcmu', ...options.jitter }) : null;
    this.#rtcp = new RtcpWriter(options.cname, SPARE);
    // Random SSRC, sequence number and timestamp (RFC 3550 §5.1).
    const r = this.#random.fill(this.#scratch);
    this.ssrc = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
    this.#seq = (r[4]! << 8) | r[5]!;
    this.#ts = ((r[6]! << 24) | (r[7]! << 16) | (r[8]! << 8) | r[9]!) >>> 0;
  }

  /** Next sequence number and timestamp we will use (for tests and diagnostics). */
  get sequence(): number {
    return this.#seq;
  }
  get timestamp(): number {
    return this.#ts;
  }

  /** Where RTP goes now: the latched source once the peer has sent, else the SDP address. */
  get remote(): { address: string; port: number } | null {
    if (!this.#params) return null;
    return this.#latchedAddress !== null
      ? { address: this.#latchedAddress, port: this.#latchedPort }
      : { address: this.#params.remoteAddress, port: this.#params.remotePort };
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts (or, for a re-INVITE, updates) the stream with what offer/answer agreed. */
  start(params: MediaParams): void {
    const old = this.#params;
    const moved = !old || old.remoteAddress !== params.remoteAddress || old.remotePort !== params.remotePort;
    this.#params = params;
    this.#ulaw = params.codec === 'PCMU';
    this.#sending = params.direction === 'sendrecv' || params.direction === 'sendonly';
    const wasReceiving = this.#receiving;
    this.#receiving = params.direction === 'sendrecv' || params.direction === 'recvonly';
    // Back from hold: the peer's timestamps ran on while nothing was played, so playout starts afresh
    // (else it would wait out the pause as extra delay).
    if (old && !wasReceiving && this.#receiving) this.#jitter?.reset();
    const kinds = this.#ptKind;
    kinds.fill(PT_UNKNOWN);
    kinds[CN_PAYLOAD_TYPE] = PT_CN;
    for (const c of params.receiveCodecs) if (c.payloadType >= 0 && c.payloadType < 128) kinds[c.payloadType] = c.codec === 'PCMU' ? PT_PCMU : PT_PCMA;
    const te = params.telephoneEvent;
    if (te !== undefined && te >= 0 && te < 128) kinds[te] = PT_EVENT;
    const ptime = params.ptime >= 10 && params.ptime <= 60 ? Math.round(params.ptime / 10) * 10 : 20;
    this.#samplesPerPacket = ptime * 8;
    this.stats.ptimeMs = ptime;
    if (this.#fill > this.#samplesPerPacket) this.#fill = 0;
    if (moved) {
      // a new remote: latch again on what comes from it
      this.#latchedAddress = null;
      this.#rtcpLatched = false;
    }
    if (!this.#rtcpLatched) {
      this.#rtcpAddress = params.rtcpMux ? params.remoteAddress : params.remoteRtcpAddress;
      this.#rtcpPort = params.rtcpMux ? params.remotePort : params.remoteRtcpPort;
    }
    if (!this.#running) {
      this.#running = true;
      this.#nextReportMs = this.#clock.now() + rtcpIntervalMs(this.#random, this.#scratch, true);
    }
  }

  /** Ends the stream: RTCP BYE, then nothing more is sent. */
  stop(): void {
    if (!this.#running) return;
    this.sendReport(true);
    this.#running = false;
    this.#dtmfOut?.cancel();
  }

  /**
   * Takes one microphone frame (any length; normally 160 samples = 20 ms): overlays in-band DTMF if
   * playing (or silence when muted; either overwrites pcm), packetises, sends what is due (audio,
   * RFC 4733 events), and RTCP when due.
   */
  sendFrame(pcm: Int16Array): void {
    if (!this.#running) return;
    const now = this.#clock.now();
    const inband = this.#inband;
    if (inband !== null && inband.active) inband.write(pcm, 0, pcm.length);
    else if (this.muted) pcm.fill(0);
    const params = this.#params!;
    const sending = this.#sending;
    this.pollDtmf(now, sending);
    let done = 0;
    while (done < pcm.length) {
      let n = this.#samplesPerPacket - this.#fill;
      if (n > pcm.length - done) n = pcm.length - done;
      const at = RTP_HEADER_SIZE + this.#fill;
      this.#payloadCodes = null;
      if (this.#ulaw) encodeUlaw(pcm, this.#packet, at, n, done);
      else encodeAlaw(pcm, this.#packet, at, n, done);
      this.#fill += n;
      done += n;
      if (this.#fill === this.#samplesPerPacket) {
        // audio pauses while an RFC 4733 event is on; its timeline still advances
        if (sending && !this.eventTone()) this.sendAudio(params);
        this.#ts = (this.#ts + this.#samplesPerPacket) >>> 0;
        this.#fill = 0;
      }
    }
    this.maybeReport(now);
  }

  /**
   * Sends one packet's worth of audio already encoded in law (what sendFrame would make of a fixed signal, encoded
   * once by the caller). True when done; false, sending nothing, when the codes cannot go as they are (muted,
   * in-band DTMF playing, another law agreed, another packet size, a packet partly filled): then use sendFrame.
   * The same array is taken to hold the same codes every time (the payload is not copied again while it is there).
   */
  sendCodes(codes: Uint8Array, law: G711Law): boolean {
    if (!this.#running) return true;
    if (this.muted || (this.#inband !== null && this.#inband.active) || (law === 'pcmu') !== this.#ulaw || this.#fill !== 0 || codes.length !== this.#samplesPerPacket) {
      return false;
    }
    const now = this.#clock.now();
    const sending = this.#sending;
    this.pollDtmf(now, sending);
    // The same codes every frame (a fixed signal): they are still in the packet from the last time, unless SRTP
    // encrypted it in place or a frame was encoded there meanwhile.
    if (codes !== this.#payloadCodes) {
      this.#packet.set(codes, RTP_HEADER_SIZE);
      this.#payloadCodes = codes;
    }
    if (sending && !this.eventTone()) this.sendAudio(this.#params!);
    this.#ts = (this.#ts + this.#samplesPerPacket) >>> 0;
    this.maybeReport(now);
    return true;
  }

  private sendAudio(params: MediaParams): void {
    const len = RTP_HEADER_SIZE + this.#samplesPerPacket;
    writeRtpHeader(this.#packet, 0, false, params.payloadType, this.#seq, this.#ts, this.ssrc);
    this.transmit(this.#packet, len);
  }

  private transmit(buf: Uint8Array, length: number): void {
    this.#seq = (this.#seq + 1) & 0xffff;
    this.stats.packetsSent++;
    this.stats.octetsSent += length - RTP_HEADER_SIZE;
    this.#sentSinceReport = true;
    const srtp = this.#srtp;
    let len = length;
    if (srtp !== undefined) {
      if (srtp.send.active !== false) this.#payloadCodes = null;
      len = srtp.send.protectRtp(buf, length);
    }
    const remoteAddress = this.#latchedAddress ?? this.#params!.remoteAddress;
    const remotePort = this.#latchedAddress !== null ? this.#latchedPort : this.#params!.remotePort;
    this.#send(buf, len, remoteAddress, remotePort);
  }

  /** An RFC 4733 event is on (audio pauses meanwhile). */
  private eventTone(): boolean {
    return this.#dtmfOut !== null && this.#dtmfOut.toneActive;
  }

  private pollDtmf(now: number, sending: boolean): void {
    const pt = this.#params!.telephoneEvent;
    const out = this.#dtmfOut;
    if (pt === undefined || out === null || !out.busy) return;
    const packet = this.#dtmfPacket!;
    const n = out.poll(now, packet, RTP_HEADER_SIZE);
    if (n === 0 || !sending) return;
    writeRtpHeader(packet, 0, out.marker, pt, this.#seq, out.timestamp, this.ssrc);
    this.transmit(packet, RTP_HEADER_SIZE + n);
  }

  /**
   * Sends a DTMF digit: as RFC 4733 events when the peer accepts telephone-event and inband is not
   * asked for, else as tones in the audio. False when the digit is invalid or one is still being sent.
   */
  sendDtmf(digit: string, durationMs = 100, inband = false): boolean {
    if (!this.#running) return false;
    if (!inband && this.#params!.telephoneEvent !== undefined) {
      // The event takes the place of the packet being filled, which is not sent.
      if (this.#dtmfOut === null) {
        this.#dtmfOut = new DtmfSender();
        this.#dtmfPacket = new Uint8Array(RTP_HEADER_SIZE + 4 + SPARE);
      }
      const ok = this.#dtmfOut.start(digit, this.#ts, durationMs, this.#clock.now());
      if (ok) this.pollDtmf(this.#clock.now(), this.#sending);
      return ok;
    }
    const tones = (this.#inband ??= new DtmfToneGenerator());
    if (tones.active) return false;
    return tones.start(digit, durationMs);
  }

  /** True while a DTMF digit is still going out (either way). */
  get sendingDtmf(): boolean {
    return (this.#dtmfOut !== null && this.#dtmfOut.busy) || (this.#inband !== null && this.#inband.active);
  }

  /** Writes the next 20 ms (160 samples) for the speaker into out[offset]. */
  playFrame(out: Int16Array, offset = 0): void {
    const now = this.#clock.now();
    const jb = this.#jitter;
    if (jb === null || !this.#running || !this.#receiving) {
      out.fill(0, offset, offset + 160);
    } else jb.pull(out, now, offset);
    if (jb !== null) {
      const s = this.stats;
      s.jitterBufferMs = jb.delayMs;
      s.concealedFrames = jb.concealedFrames;
      s.latePackets = jb.late;
      s.duplicatePackets = jb.duplicates;
    }
    if (this.#running) {
      const dtmfIn = this.#dtmfIn;
      const ended = dtmfIn === null ? -1 : dtmfIn.expire(now);
      if (ended >= 0 && this.#onDtmf) this.#onDtmf(dtmfDigit(ended), dtmfIn!.durationMs);
      this.maybeReport(now);
    }
  }

  /**
   * Handles a datagram that arrived on the RTP socket (RTP, or RTCP when multiplexed). The buffer is
   * used in place (SRTP decrypts into it).
   */
  receive(data: Uint8Array, length: number, fromAddress: string, fromPort: number): void {
    if (!this.#running) return;
    const params = this.#params!;
    if (looksLikeRtcp(data, 0, length)) {
      if (params.rtcpMux) this.receiveRtcp(data, length, fromAddress, fromPort);
      else this.badPackets++;
      return;
    }
    if (this.#latchedAddress !== null && (fromAddress !== this.#latchedAddress || fromPort !== this.#latchedPort)) {
      this.foreignPackets++;
      return;
    }
    let len = length;
    if (this.#srtp) {
      len = this.#srtp.receive.unprotectRtp(data, length);
      if (len < 0) {
        this.badPackets++;
        return;
      }
    }
    const h = this.#header;
    if (parseRtp(data, 0, len, h) !== RtpParse.ok) {
      this.badPackets++;
      return;
    }
    const kind = this.#ptKind[h.payloadType]!;
    if (kind === PT_UNKNOWN) {
      this.badPackets++;
      return;
    }
    if (this.#symmetric && this.#latchedAddress === null) {
      this.#latchedAddress = fromAddress;
      this.#latchedPort = fromPort;
      if (params.rtcpMux && !this.#rtcpLatched) {
        this.#rtcpAddress = fromAddress;
        this.#rtcpPort = fromPort;
      }
    }
    const now = this.#clock.now();
    const r = this.#reception;
    if (!r.started || r.ssrc !== h.ssrc) {
      // a new source: forget the old one's timing and audio
      r.reset(h.ssrc, h.sequence);
      this.#jitter?.reset();
    }
    if (!r.update(h.sequence, h.timestamp, Math.floor(now * 8), kind !== PT_EVENT)) return;
    const s = this.stats;
    s.packetsReceived++;
    s.packetsExpected = r.expected;
    s.packetsLost = r.cumulativeLost;
    s.jitterMs = r.jitter / 8;
    if (!this.#receiving) return;
    if (kind === PT_PCMU || kind === PT_PCMA) {
      const jb = this.#jitter;
      if (jb === null) return;
      if (kind !== this.#rxKind) {
        this.#rxKind = kind;
        jb.setLaw(kind === PT_PCMU ? 'pcmu' : 'pcma');
      }
      const status = jb.put(data, h.payloadOffset, h.payloadLength, h.sequence, h.timestamp, now);
      if (status === JitterPut.invalid) this.badPackets++;
    } else if (kind === PT_EVENT) {
      const dtmfIn = (this.#dtmfIn ??= new DtmfReceiver());
      const ended = dtmfIn.receive(data, h.payloadOffset, h.payloadLength, h.timestamp, now);
      if (ended >= 0 && this.#onDtmf) this.#onDtmf(dtmfDigit(ended), dtmfIn.durationMs);
    }
  }

  /** Handles a datagram from the RTCP socket (or demultiplexed from the RTP one). */
  receiveRtcp(data: Uint8Array, length: number, fromAddress: string, fromPort: number): void {
    if (!this.#running) return;
    let len = length;
    if (this.#srtp) {
      len = this.#srtp.receive.unprotectRtcp(data, length);
      if (len < 0) {
        this.badPackets++;
        return;
      }
    }
    const info = this.#rtcpInfo;
    if (parseRtcp(data, 0, len, this.ssrc, info) !== RtcpParse.ok) {
      this.badPackets++;
      return;
    }
    if (this.#symmetric && !this.#rtcpLatched) {
      this.#rtcpLatched = true;
      this.#rtcpAddress = fromAddress;
      this.#rtcpPort = fromPort;
    }
    const now = this.#clock.now();
    if (info.hasSenderReport) {
      this.#lastSrMiddle = info.srNtpMiddle;
      this.#lastSrArrivalMs = now;
    }
    if (info.hasBlock) {
      const b = info.block;
      const rtt = roundTripMs(ntpMiddle(this.#clock.wallTime()), b.lsr, b.dlsr);
      if (rtt >= 0) this.stats.rttMs = rtt;
      this.stats.remoteLossPercent = (b.fractionLost * 100) / 256;
      this.stats.remoteJitterMs = b.jitter / 8;
    }
  }

  private maybeReport(now: number): void {
    if (now < this.#nextReportMs) return;
    this.sendReport(false);
    this.#nextReportMs = now + rtcpIntervalMs(this.#random, this.#scratch, false);
  }

  private sendReport(bye: boolean): void {
    const now = this.#clock.now();
    let sender: SenderInfo | null = null;
    if (this.#sentSinceReport || (bye && this.stats.packetsSent > 0)) {
      sender = this.#senderInfo;
      sender.unixMs = this.#clock.wallTime();
      sender.rtpTimestamp = (this.#ts + this.#fill) >>> 0;
      sender.packets = this.stats.packetsSent >>> 0;
      sender.octets = this.stats.octetsSent >>> 0;
    }
    this.#sentSinceReport = false;
    let block: ReportBlock | null = null;
    const r = this.#reception;
    if (r.started) {
      // The parsed reports' block object, written over: receiveRtcp reads it only right after a parse fills it.
      block = this.#rtcpInfo.block;
      block.ssrc = r.ssrc;
      block.fractionLost = r.takeFractionLost();
      block.cumulativeLost = r.cumulativeLost;
      block.extendedMax = r.extendedMax >>> 0;
      block.jitter = r.jitter >>> 0;
      block.lsr = this.#lastSrMiddle;
      block.dlsr = this.#lastSrMiddle === 0 ? 0 : Math.floor(((now - this.#lastSrArrivalMs) * 65536) / 1000) >>> 0;
    }
    let len = this.#rtcp.write(this.ssrc, sender, block, bye);
    if (this.#srtp) len = this.#srtp.send.protectRtcp(this.#rtcp.buffer, len);
    this.#sendRtcp(this.#rtcp.buffer, len, this.#rtcpAddress, this.#rtcpPort);
  }
}
