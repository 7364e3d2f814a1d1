/**
 * A fleet of simulated phones in one process, over the same src/ core the device runs. The phones share one SIP
 * transport and user agent (one socket, as a PBX sees many phones behind one address): one Registration per
 * account, one CallManager line per phone, and a G.711 media engine (its own RTP/RTCP sockets, a 20 ms clock timer)
 * per call leg. Phones register spread over time, then place calls among themselves (or to a target) at a fixed rate;
 * the callee auto-answers; the caller hangs up after the hold time. Everything is bounded in count and time.
 */
import { HostClock } from '../../hal/host/clock.js';
import { HostCrypto } from '../../hal/host/crypto.js';
import { FleetNetwork } from './fleet-network.js';
import { HostRandom } from '../../hal/host/random.js';
import type { Clock, TimerHandle } from '../../hal/clock.js';
import { CallMediaEngine } from '../../src/media/engine/call-media.js';
import { Logger, silent, type LogLevel } from '../../src/log.js';
import { buildRequest } from '../../src/sip/build.js';
import type { Call } from '../../src/sip/call/call.js';
import { CallManager, type Line } from '../../src/sip/call/calls.js';
import { DefaultCallMedia } from '../../src/sip/call/media.js';
import { sipCodec, SipTransport } from '../../src/sip/transport/index.js';
import { Registration } from '../../src/sip/ua/registration.js';
import { UserAgent } from '../../src/sip/ua/user-agent.js';
import { formatUri, type SipUri } from '../../src/sip/uri.js';
import { buildReport, FleetMetrics, type FleetReport } from './metrics.js';
import { liveHeap } from './live-heap.js';
import { MediaLoop } from './media-loop.js';

export interface FleetOptions {
  phones: number;
  /** Account user names: %d is replaced by first + index. */
  userPattern: string;
  first: number;
  password: string;
  registrar: SipUri;
  transport: 'udp' | 'tcp';
  /** Calls placed per second during the call phase. */
  cps: number;
  /** Length of the call phase, s. */
  durationS: number;
  /** Answered calls are hung up by the caller after this long, s. */
  holdS: number;
  /** Call this URI instead of other phones of the fleet. */
  target?: string;
  media: boolean;
  /** REGISTERs started per second (the registration spread). */
  registerRate: number;
  /** Callee answers this long after ringing, ms. */
  answerMs: number;
  /** Local address (loopback). */
  address: string;
  logLevel?: LogLevel;
  /** Tick of the loop that runs every leg's 20 ms frames, ms (default 20; 0 gives each leg its own Node timer). */
  mediaTickMs?: number;
  logSink?: (line: string) => void;
}

/** A live snapshot for the progress line. */
export interface FleetProgress {
  phase: 'registering' | 'calling' | 'draining' | 'unregistering' | 'done';
  elapsedS: number;
  registered: number;
  phones: number;
  concurrent: number;
  attempts: number;
  answered: number;
  failed: number;
}

export class RegistrarUnreachable extends Error {}

interface Phone {
  index: number;
  user: string;
  registration: Registration;
  line: Line;
  registered: boolean;
  /** In a call (either side) or reserved for one. */
  busy: boolean;
}

/** One call attempt: the caller's leg, and the callee's when it arrives. */
interface Attempt {
  caller: Phone;
  callee: Phone | undefined;
  placedAt: number;
  ringing: boolean;
  answered: boolean;
  callerDone: boolean;
  calleeLeg: 'none' | 'live' | 'done';
  hangupTimer?: TimerHandle;
  /** The hold time ran out and we hung up, as planned. */
  held: boolean;
}

const CALL_DRAIN_EXTRA_MS = 40_000;
/** Kamailio may lose REGISTERs under a burst over UDP; the transaction layer retransmits, but we also cap the in-flight count. */
const UNREGISTER_PARALLEL = 100;

export class Fleet {
  readonly options: FleetOptions;
  readonly metrics = new FleetMetrics();
  readonly clock: Clock = new HostClock();
  /** Runs the 20 ms frames of all legs from one timer (null: each leg paces itself with its own timers). */
  readonly #mediaLoop: MediaLoop | null;
  /** SIP: one socket for all phones. */
  readonly #network = new FleetNetwork();
  /** RTP/RTCP: each leg's sockets connect to its peer once it answers from where we send (same datagrams, less work per packet). */
  readonly #mediaNetwork = new FleetNetwork({ connectPeers: true });
  readonly #random = new HostRandom();
  readonly #log: Logger;
  #transport: SipTransport | undefined;
  #ua: UserAgent | undefined;
  #manager: CallManager | undefined;
  readonly #phones: Phone[] = [];
  readonly #byLine = new Map<Line, Phone>();
  /** Registered phones not in a call: picked at random, removed by swapping with the last. */
  readonly #idle: Phone[] = [];
  readonly #attempts = new Map<string, Attempt>();
  readonly #spares: CallMediaEngine[] = [];
  #opening = 0;
  #reserved: CallMediaEngine | null = null;
  #stopping = false;
  #phase: FleetProgress['phase'] = 'registering';
  #startedAt = 0;
  #wake: (() => void) | undefined;

  constructor(options: FleetOptions) {
    this.options = options;
    this.#mediaLoop = options.mediaTickMs === 0 ? null : new MediaLoop(options.mediaTickMs ?? 20);
    const sink = options.logSink ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.#log = options.logLevel ? new Logger('fleet', (level, area, message) => sink(`${level} ${area}: ${message}`), options.logLevel) : silent;
  }

  userOf(index: number): string {
    return this.options.userPattern.replace('%d', String(this.options.first + index));
  }

  progress(): FleetProgress {
    const m = this.metrics;
    return {
      phase: this.#phase, elapsedS: Math.round((this.clock.now() - this.#startedAt) / 1000), registered: this.#phones.filter((p) => p.registered).length,
      phones: this.options.phones, concurrent: m.concurrent, attempts: m.attempts, answered: m.answered, failed: m.failed,
    };
  }

  /** Stops early (Ctrl-C): no new calls, live calls hung up, every phone unregistered; run() then returns the report. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const a of this.#attempts.values()) {
      if (a.hangupTimer !== undefined) this.clock.clearTimer(a.hangupTimer);
    }
    this.#manager?.hangupAll();
    this.#wake?.();
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Opens the SIP socket; throws RegistrarUnreachable when the registrar answers nothing (OPTIONS probe). */
  async open(probeMs = 4000): Promise<void> {
    this.#startedAt = this.clock.now();
    const mem = liveHeap();
    this.metrics.memory.baselineRss = mem.rss;
    this.metrics.memory.baselineHeap = mem.heapUsed;
    const o = this.options;
    const transport = await SipTransport.open({
      network: this.#network, clock: this.clock, random: this.#random, codec: sipCodec(),
      udp: { address: o.address, port: 0 }, tcp: { address: o.address, port: 0 },
      ...(this.#log !== silent ? { log: this.#log.child('transport') } : {}),
    });
    this.#transport = transport;
    const ua = new UserAgent({
      clock: this.clock, random: this.#random, crypto: new HostCrypto(), transport, host: o.address,
      ...(this.#log !== silent ? { log: this.#log.child('ua') } : {}),
    });
    this.#ua = ua;
    this.#manager = new CallManager(ua, { noAnswerMs: 30_000, ...(this.#log !== silent ? { log: this.#log.child('calls') } : {}) });
    this.#manager.onIncoming = (call, line) => this.#incoming(call, line);
    await this.#probe(probeMs);
  }

  /** Any answer to an OPTIONS (even an error status) shows something listens at the registrar. */
  #probe(ms: number): Promise<void> {
    const ua = this.#ua!;
    const r = this.options.registrar;
    const uri: SipUri = { scheme: r.scheme, host: r.host, params: { ...r.params }, headers: {} };
    if (r.port !== undefined) uri.port = r.port;
    const me = `<sip:${this.userOf(0)}@${r.host}>`;
    const request = buildRequest({ method: 'OPTIONS', uri, from: `${me};tag=${ua.newTag()}`, to: me, callId: ua.newCallId(), cseq: 1 });
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        this.clock.clearTimer(timer);
        out.stop();
        if (error) reject(error);
        else resolve();
      };
      const timer = this.clock.setTimer(ms, () => finish(new RegistrarUnreachable(`registrar ${formatUri(r)} did not answer within ${ms / 1000} s`)));
      const out = ua.send(request, {
        onResponse: (response) => {
          if (response.status >= 200) finish();
        },
        onFailure: (failure) => finish(new RegistrarUnreachable(`registrar ${formatUri(r)} unreachable (${failure.reason === 'transport' ? failure.error.message : 'no answer'})`)),
      });
    });
  }

  /** Registers every phone, spread at registerRate per second; resolves once each has an answer (or the time is up). */
  async register(): Promise<void> {
    this.#phase = 'registering';
    const o = this.options;
    const ua = this.#ua!;
    const registrar = { ...o.registrar, params: { ...o.registrar.params } };
    if (o.transport === 'tcp' && registrar.params['transport'] === undefined) registrar.params['transport'] = 'tcp';
    let settled = 0;
    const gap = 1000 / o.registerRate;
    for (let i = 0; i < o.phones && !this.#stopping; i++) {
      const user = this.userOf(i);
      let counted = false;
      const phone: Phone = { index: i, user, registered: false, busy: false, registration: undefined as unknown as Registration, line: undefined as unknown as Line };
      phone.registration = new Registration(
        ua,
        { user, password: o.password, domain: o.registrar.host, registrar, expires: 3600 },
        {
          keepAliveMs: 0, // one socket for all: a keep-alive per account would only multiply the same packet
          retryMs: 5000,
          onState: (s) => {
            if (s.state === 'registered') {
              if (!phone.registered) {
                phone.registered = true;
                this.metrics.registered++;
                if (!phone.busy) this.#idle.push(phone);
              }
              if (!counted) settled++;
              counted = true;
            } else if (s.state === 'failed') {
              if (!counted) {
                settled++;
                counted = true;
                this.metrics.registrationFailed++;
                this.metrics.registrationFailures.set(s.status, (this.metrics.registrationFailures.get(s.status) ?? 0) + 1);
              }
            }
          },
        },
      );
      phone.line = this.#manager!.addLine({
        user, domain: o.registrar.host, credentials: phone.registration.credentials, strictUser: true, outboundProxy: registrar,
        media: (call) => this.#mediaFor(call.direction),
      });
      this.#byLine.set(phone.line, phone);
      this.#phones.push(phone);
      phone.registration.start();
      // Spread: sleep between REGISTERs (a batch per timer tick when the rate is high).
      if (gap >= 1 || i % Math.round(1 / gap) === 0) await this.#sleep(Math.max(1, gap));
    }
    // Every REGISTER ends by a response or Timer F (32 s).
    const deadline = this.clock.now() + 40_000;
    while (!this.#stopping && settled < this.#phones.length && this.clock.now() < deadline) await this.#sleep(100);
    const mem = liveHeap();
    this.metrics.memory.registeredRss = mem.rss;
    this.metrics.memory.registeredHeap = mem.heapUsed;
    // A failed phone that registers later on its retry is counted as registered; the failure stays counted.
  }

  /** Places calls at cps for the duration, then waits (bounded) until they end. */
  async call(): Promise<void> {
    const o = this.options;
    this.#phase = 'calling';
    if (o.media) this.#refill();
    const start = this.clock.now();
    const cpu0 = process.cpuUsage();
    let gcCpuUs = 0;
    const total = Math.floor(o.cps * o.durationS);
    const gap = 1000 / o.cps;
    const sampler = setInterval(() => this.#sample(), 1000);
    try {
      for (let n = 0; n < total && !this.#stopping; n++) {
        const due = start + n * gap;
        const wait = due - this.clock.now();
        if (wait > 0) await this.#sleep(wait);
        if (this.#stopping) break;
        this.#place();
      }
      const endOfPlacing = start + o.durationS * 1000;
      if (!this.#stopping && this.clock.now() < endOfPlacing) await this.#sleep(endOfPlacing - this.clock.now());
      this.metrics.placingMs = Math.min(this.clock.now() - start, o.durationS * 1000);
      // The heap of the calls up now (the most there are, once placing ran for a hold time): after a full
      // collection, whose CPU is not the calls' and is left out of the call phase's.
      if (!this.#stopping && this.metrics.concurrent > 0) {
        const mem = liveHeap();
        this.metrics.memory.callsHeap = mem.heapUsed;
        this.metrics.memory.calls = this.metrics.concurrent;
        gcCpuUs += mem.cpuUs;
      }
      this.#phase = 'draining';
      const deadline = this.clock.now() + o.holdS * 1000 + CALL_DRAIN_EXTRA_MS;
      while (this.#attempts.size > 0 && this.clock.now() < deadline) await this.#sleep(50);
    } finally {
      clearInterval(sampler);
    }
    const cpu = process.cpuUsage(cpu0);
    this.metrics.callPhaseCpuUs = Math.max(0, cpu.user + cpu.system - gcCpuUs);
    this.metrics.callPhaseMs = this.clock.now() - start;
    if (this.#attempts.size > 0) {
      this.#log.warn(`${this.#attempts.size} calls still up after the drain time: hanging up`);
      this.#manager?.hangupAll();
      await this.#sleep(500);
    }
  }

  /** Unregisters every phone (bounded), closes sockets; returns the report. */
  async close(interrupted: boolean): Promise<FleetReport> {
    this.#phase = 'unregistering';
    this.#manager?.hangupAll();
    // A REGISTER still in flight (Ctrl-C while registering) may yet succeed: wait for it, so it is undone below.
    const settleBy = this.clock.now() + 5000;
    while (this.#phones.some((p) => p.registration.state.state === 'registering') && this.clock.now() < settleBy) await this.#sleep(50);
    const registered = this.#phones.filter((p) => p.registration.state.state === 'registered');
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < registered.length) {
        const p = registered[next++]!;
        await p.registration.stop();
        if (p.registration.state.state === 'unregistered') this.metrics.unregistered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(UNREGISTER_PARALLEL, registered.length) }, worker));
    for (const p of this.#phones) if (p.registration.state.state !== 'unregistered') void p.registration.stop();
    for (const e of this.#spares.splice(0)) this.#closeEngine(e);
    this.#closeEngine(this.#takenIncoming);
    this.#takenIncoming = null;
    this.#mediaLoop?.close();
    this.#ua?.close();
    this.#transport?.close();
    this.#phase = 'done';
    const o = this.options;
    return buildReport(this.metrics, {
      phones: o.phones, transport: o.transport, registrar: formatUri(o.registrar), ...(o.target ? { target: o.target } : {}), media: o.media, interrupted,
    });
  }

  #sample(): void {
    const m = this.metrics;
    m.concurrentSamples.push(m.concurrent);
    if (m.concurrent >= m.memory.peakCalls && m.concurrent > 0) {
      const mem = process.memoryUsage();
      m.memory.peakCalls = m.concurrent;
      m.memory.peakCallsRss = mem.rss;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #takeIdle(): Phone | undefined {
    const n = this.#idle.length;
    if (n === 0) return undefined;
    const i = Math.floor(Math.random() * n);
    const p = this.#idle[i]!;
    this.#idle[i] = this.#idle[n - 1]!;
    this.#idle.pop();
    p.busy = true;
    return p;
  }

  #release(p: Phone | undefined): void {
    if (!p || !p.busy) return;
    p.busy = false;
    if (p.registered && !this.#stopping) this.#idle.push(p);
  }

  #place(): void {
    const o = this.options;
    const caller = this.#takeIdle();
    const callee = o.target ? undefined : this.#takeIdle();
    if (!caller || (!o.target && !callee)) {
      this.#release(caller);
      this.#release(callee);
      this.metrics.skipped++;
      return;
    }
    const targetUri = o.target ?? `sip:${callee!.user}@${o.registrar.host}`;
    const attempt: Attempt = { caller, callee, placedAt: this.clock.now(), ringing: false, answered: false, callerDone: false, calleeLeg: 'none', held: false };
    this.metrics.callStarted();
    const go = (engine: CallMediaEngine | null): void => {
      this.#reserved = engine;
      let call: Call;
      try {
        call = this.#manager!.place(targetUri, caller.line);
      } catch (e) {
        this.#closeEngine(engine);
        this.#reserved = null;
        this.metrics.failure('local');
        this.metrics.callEnded();
        this.#log.warn(`cannot place a call: ${(e as Error).message}`);
        this.#release(caller);
        this.#release(callee);
        return;
      }
      this.#reserved = null;
      this.#attempts.set(call.callId, attempt);
      this.#followCaller(call, attempt, engine);
    };
    attempt.placedAt = this.clock.now();
    if (!o.media) return go(null);
    const spare = this.#spares.shift();
    this.#refill();
    if (spare) return go(spare);
    this.#openEngine().then(go, (e: unknown) => {
      this.#log.warn(`no RTP port: ${(e as Error).message}`);
      this.metrics.mediaUnavailable++;
      go(null);
    });
  }

  #followCaller(call: Call, a: Attempt, engine: CallMediaEngine | null): void {
    const m = this.metrics;
    call.on((e) => {
      switch (e.type) {
        case 'progress':
          if (!a.ringing && (e.status === 180 || e.status === 183)) {
            a.ringing = true;
            m.pddMs.push(this.clock.now() - a.placedAt);
          }
          return;
        case 'answered':
          if (a.answered) return;
          a.answered = true;
          // A 180 may be lost, or overtaken by the 200 in a multi-process proxy: the post-dial delay then ends here.
          if (!a.ringing) {
            a.ringing = true;
            m.pddMs.push(this.clock.now() - a.placedAt);
          }
          m.answered++;
          m.answerMs.push(this.clock.now() - a.placedAt);
          if (this.#stopping) return call.hangup();
          a.hangupTimer = this.clock.setTimer(this.options.holdS * 1000, () => {
            a.hangupTimer = undefined;
            a.held = true;
            call.hangup();
          });
          return;
        case 'ended': {
          if (a.hangupTimer !== undefined) this.clock.clearTimer(a.hangupTimer);
          this.#legDone(engine);
          if (!a.answered) {
            m.failure(e.status !== undefined ? String(e.status) : e.cause);
          } else if (e.cause === 'hangup' && !e.byRemote && a.held) {
            m.completed++;
          } else if (e.cause === 'hangup' && !e.byRemote && this.#stopping) {
            m.cutShort++;
          } else {
            m.dropped++;
            m.failures.set(`dropped:${e.cause}`, (m.failures.get(`dropped:${e.cause}`) ?? 0) + 1);
          }
          m.callEnded();
          a.callerDone = true;
          this.#release(a.caller);
          this.#finish(call.callId, a);
          return;
        }
      }
    });
  }

  #finish(callId: string, a: Attempt): void {
    if (!a.callerDone || a.calleeLeg === 'live') return;
    this.#attempts.delete(callId);
    if (a.calleeLeg === 'none') this.#release(a.callee);
  }

  #incoming(call: Call, line: Line): void {
    const phone = this.#byLine.get(line);
    const a = this.#attempts.get(call.callId);
    const engine = this.#takenIncoming;
    this.#takenIncoming = null;
    if (!phone || (a && a.callee !== phone)) {
      // Not a call we placed to this phone (a stray or a forked branch): answer busy.
      this.#closeEngine(engine);
      call.reject(486);
      return;
    }
    if (a) a.calleeLeg = 'live';
    call.on((e) => {
      if (e.type !== 'ended') return;
      this.#legDone(engine);
      if (a) {
        a.calleeLeg = 'done';
        this.#release(phone);
        this.#finish(call.callId, a);
      }
    });
    const answer = (): void => call.answer();
    if (this.options.answerMs > 0) this.clock.setTimer(this.options.answerMs, answer);
    else this.clock.setTimer(0, answer); // after the 180 the manager sends once we return
  }

  #takenIncoming: CallMediaEngine | null = null;

  /** The SDP side of a new leg: with the reserved (outgoing) or a spare (incoming) engine, or a media-less one. */
  #mediaFor(direction: 'outgoing' | 'incoming'): DefaultCallMedia {
    const o = this.options;
    let engine: CallMediaEngine | null = null;
    if (o.media) {
      engine = direction === 'outgoing' ? this.#reserved : (this.#spares.shift() ?? null);
      if (direction === 'incoming') {
        // One left from an INVITE that ended before it reached us (refused offer): its call is gone.
        this.#closeEngine(this.#takenIncoming);
        this.#takenIncoming = engine;
        this.#refill();
        if (!engine) this.metrics.mediaUnavailable++;
      }
    }
    const e = engine;
    return new DefaultCallMedia(
      { address: o.address, port: e ? e.localPort : 9, codecs: ['PCMU'], random: this.#random, telephoneEvent: false },
      e ? (media) => e.apply(media) : () => {},
    );
  }

  #legDone(engine: CallMediaEngine | null): void {
    if (!engine) return;
    const s = engine.stats;
    this.metrics.legs.push({
      sent: s.packetsSent, received: s.packetsReceived, expected: s.packetsExpected, lost: s.packetsLost, jitterMs: s.jitterMs, rttMs: s.rttMs, mos: s.mos,
    });
    this.#closeEngine(engine);
  }

  #closeEngine(engine: CallMediaEngine | null): void {
    if (!engine) return;
    this.#mediaLoop?.remove(engine);
    engine.close();
  }

  async #openEngine(): Promise<CallMediaEngine> {
    const engine = await CallMediaEngine.open({
      network: this.#mediaNetwork, clock: this.clock, random: this.#random, bindAddress: this.options.address,
      // A fleet phone has no speaker: what it receives is measured (loss, jitter, RTCP), not decoded for playing.
      playout: false,
      ...(this.#log !== silent ? { log: this.#log.child('media') } : {}),
    });
    this.#mediaLoop?.add(engine);
    return engine;
  }

  /** Keeps a few engines open ahead, so an incoming INVITE has its RTP port at once. */
  #refill(): void {
    const want = Math.min(64, Math.max(4, Math.ceil(this.options.cps * 2)));
    while (!this.#stopping && this.#spares.length + this.#opening < want) {
      this.#opening++;
      this.#openEngine().then(
        (e) => {
          this.#opening--;
          if (this.#stopping || this.#phase === 'unregistering' || this.#phase === 'done') this.#closeEngine(e);
          else this.#spares.push(e);
        },
        (e: unknown) => {
          this.#opening--;
          this.#log.warn(`cannot open RTP sockets: ${(e as Error).message}`);
        },
      );
    }
  }
}
