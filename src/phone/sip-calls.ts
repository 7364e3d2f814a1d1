/**
 * The phone's CallControl over SIP: each phone call is a SIP Call (src/sip/call) with its own media engine
 * (src/media/engine). It also decides who may make the phone ring (no ghost calls) and turns call events
 * into phone events and the app's log events.
 */
import { CallMediaEngine as MediaEngine, RtpPorts, type CallMediaEngineOptions } from '../media/engine/call-media.js';
import { LocalMixer } from '../media/engine/local-mixer.js';
import type { ToneName } from '../media/tones.js';
import { DTMF_RELAY_TYPE, formatDtmfRelay } from '../media/dtmf-relay.js';
import type { SipRequest } from '../sip/message.js';
import type { Source } from '../sip/transport/types.js';
import { Call, type CallEvent as SipCallEvent } from '../sip/call/call.js';
import { CallManager, type Acceptance, type Line } from '../sip/call/calls.js';
import { DefaultCallMedia } from '../sip/call/media.js';
import { handleRefers, sendRefer, type ReferProgress, type ReferRequest } from '../sip/services/refer.js';
import { formatReplaces, parseReplaces } from '../sip/headers/dialog-headers.js';
import { formatNameAddr } from '../sip/headers/name-addr.js';
import { formatUri, isSipUri } from '../sip/uri.js';
import { callQuality, type PhoneApp } from './app.js';
import type { CallControl, CallId } from './call-control.js';
import type { DigitKey } from './keys.js';
import type { Settings } from './settings.js';

interface Entry {
  id: CallId;
  call: Call | undefined;
  engine: MediaEngine | undefined;
  line: number;
  /** Set when the user hung up before the call existed (media still opening). */
  abandoned: boolean;
  answeredAt?: number;
}

/** Who may ring this phone: 'any', only requests for our own user, or only what the registrar/proxy sends. */
export function acceptIncoming(settings: Settings, line: number, request: SipRequest, source: Source, trusted: (address: string) => boolean): Acceptance {
  const account = settings.accounts[line];
  if (!account) return 404;
  if (settings.incoming === 'any') return true;
  const uri = request.uri;
  const user = isSipUri(uri) ? uri.user : undefined;
  const toUser = isSipUri(request.to.uri) ? request.to.uri.user : undefined;
  // A registrar rewrites the Request-URI to our Contact; the To user may be an alias, so either may name us.
  if (user !== account.user && toUser !== account.user) return 404;
  if (settings.incoming === 'registrar-only' && account.registrar && !trusted(source.address)) return 403;
  return true;
}

/** Resolves what was dialled: a contact's number to its URI, otherwise as the call manager does. */
export function dialTarget(settings: Settings, dialled: string): string {
  const contact = settings.contacts.find((c) => c.number === dialled);
  return contact?.uri ?? contact?.number ?? dialled;
}

const TONES: Record<string, ToneName> = { ringback: 'ringback', busy: 'busy', congestion: 'congestion', 'call-waiting': 'call-waiting' };

export function createSipCalls(app: PhoneApp): CallControl {
  const { ua, hal } = app;
  const settings = (): Settings => app.settings;
  const manager = new CallManager(ua, { allow: ['MESSAGE', 'REFER', 'NOTIFY', 'SUBSCRIBE'], ...(hal.log ? { log: hal.log.child('calls') } : {}) });
  const entries = new Map<CallId, Entry>();
  let nextId = 1;
  /**
   * RTP ports bound ahead, so an incoming INVITE has its port at once; the engine (~24 KB of buffers) is made on
   * them only when a call takes them.
   */
  const spares: RtpPorts[] = [];
  let opening = false;
  let closed = false;

  const engineOptions = (): CallMediaEngineOptions => {
    const s = settings();
    return {
      network: hal.network, clock: hal.clock, random: hal.random, portMin: s.network.rtpPortMin, portMax: s.network.rtpPortMax,
      bindAddress: ua.host.includes(':') ? '::' : '0.0.0.0', country: s.country,
      ...(hal.echoCouplingDb !== undefined ? { echoSuppression: { couplingDb: hal.echoCouplingDb } } : {}),
      ...(hal.log ? { log: hal.log.child('media') } : {}),
      onDtmf: (digit: string) => hal.log?.info(`DTMF ${digit} received`),
    };
  };
  const openEngine = (): Promise<MediaEngine> => MediaEngine.open(engineOptions());
  /** An engine on the spare ports, if there are some. */
  const spareEngine = (): MediaEngine | undefined => {
    const ports = spares.shift();
    return ports ? MediaEngine.onPorts(engineOptions(), ports) : undefined;
  };
  const refill = (): void => {
    if (closed || opening || spares.length >= 1) return;
    opening = true;
    RtpPorts.bind(engineOptions()).then(
      (p) => {
        opening = false;
        if (closed) p.close();
        else spares.push(p);
      },
      (e: unknown) => {
        opening = false;
        app.emit({ type: 'error', message: `cannot open RTP sockets: ${(e as Error).message}` });
      },
    );
  };
  refill();

  // The call reaches its engine through a weak reference; the entry holds it while the call lasts. An ended Call
  // outlives its call (its transactions' timers hold it up to 32 s), and must not keep the engine's ~24 KB with it.
  const sdpFor = (engine: MediaEngine) => {
    const s = settings();
    const ref = new WeakRef(engine);
    return new DefaultCallMedia(
      { address: ua.host, port: engine.localPort, codecs: s.codecs, random: hal.random, telephoneEvent: s.dtmfMode === 'rfc4733' },
      (media) => ref.deref()?.apply(media),
    );
  };

  /** A local 3-way conference: the mixer drives both calls' audio while it runs. */
  let mixer: { a: CallId; b: CallId; mixer: LocalMixer } | undefined;

  /**
   * Only the focused call gets the microphone and speaker; the others stream silence and are not heard. The others
   * let go first: an audio input feeds one listener, so the new focus must not attach before the old one detached.
   */
  const routeAudio = (): void => {
    const focus = app.phone.focus;
    for (const e of entries.values()) {
      if (!e.engine || e.id === focus || (mixer && (e.id === mixer.a || e.id === mixer.b))) continue;
      e.engine.attachAudio();
    }
    const f = focus === undefined ? undefined : entries.get(focus);
    if (f?.engine && !(mixer && (f.id === mixer.a || f.id === mixer.b))) f.engine.attachAudio(hal.audioInput, hal.audioOutput);
  };

  const endConference = (): void => {
    if (!mixer) return;
    mixer.mixer.stop();
    mixer = undefined;
    routeAudio();
  };

  // An outgoing call reserves its engine before the INVITE is built; the media factory reports what it took.
  let reserved: MediaEngine | undefined;
  let taken: MediaEngine | undefined;

  /** What the user gave (digits, a contact's number, a URI) as a URI at the line's domain. */
  const targetUri = (target: string, line: number): string => formatUri(CallManager.targetUri(dialTarget(settings(), target), lineOf(line)));

  const lineOf = (index: number): Line => {
    const existing = manager.lines[index];
    if (existing) return existing;
    throw new Error(`line ${index + 1} is not configured`);
  };

  settings().accounts.forEach((account, index) => {
    const reg = app.registrations[index];
    manager.addLine({
      user: account.user,
      domain: account.domain,
      ...(account.displayName ? { displayName: account.displayName } : {}),
      ...(reg ? { credentials: reg.credentials, routes: () => reg.serviceRoute } : {}),
      ...(reg?.account.outboundProxy ? { outboundProxy: reg.account.outboundProxy } : {}),
      media: () => {
        const engine = reserved ?? spareEngine();
        reserved = undefined;
        refill();
        if (!engine) throw new Error('no RTP port ready');
        taken = engine;
        return sdpFor(engine);
      },
      acceptIncoming: (request, source) => acceptIncoming(settings(), index, request, source, (a) => ua.admission?.isTrusted(a) ?? false),
      strictUser: settings().incoming !== 'any',
    });
  });

  /** Transferee: a REFER in this call asks us to call someone else; we report that call's progress back. */
  const transferred = (entry: Entry, call: Call, refer: ReferRequest): void => {
    app.log.info(`call ${entry.id}: transferred to ${formatUri(refer.target)}`);
    const headers: Array<[string, string]> = [];
    if (refer.replaces) headers.push(['Replaces', formatReplaces(refer.replaces)]);
    if (refer.referredBy) headers.push(['Referred-By', formatNameAddr(refer.referredBy)]);
    const id = control.place(entry.line, formatUri(refer.target), headers);
    const t = refer.target;
    app.phone.handle({ type: 'outgoing', call: id, line: entry.line, remote: isSipUri(t) ? t.user ?? t.host : formatUri(t), uri: formatUri(t) });
    const created = entries.get(id);
    const report = (e: SipCallEvent): void => {
      if (e.type === 'progress' && e.status > 100) refer.report(e.status, e.reason);
      else if (e.type === 'answered') {
        refer.report(200, 'OK');
        call.hangup();
      } else if (e.type === 'ended') refer.report(e.status ?? 487, e.reason ?? 'Request Terminated');
    };
    if (created?.call) created.call.on(report);
    else pendingReports.set(id, report);
  };

  /** What a call's events do to the phone. */
  const onCallEvent = (entry: Entry, event: SipCallEvent): void => {
    const id = entry.id;
    switch (event.type) {
      case 'progress':
        if (event.status === 100) return;
        app.phone.handle({ type: 'progress', call: id, earlyMedia: event.earlyMedia });
        return app.emit({ type: 'ringing', call: id });
      case 'answered':
        entry.answeredAt = hal.clock.now();
        app.phone.handle({ type: 'answered', call: id });
        routeAudio();
        return app.emit({ type: 'answered', call: id });
      case 'held':
      case 'resumed':
        app.phone.handle({ type: 'hold', call: id, held: event.type === 'held' });
        return routeAudio();
      case 'remote-hold':
        return app.phone.handle({ type: 'remote-hold', call: id, held: event.held });
      case 'modify-failed':
        return app.log.info(`call ${id}: re-INVITE refused (${event.status} ${event.reason})`);
      case 'redirected':
        return app.log.info(`call ${id} redirected to ${event.target}`);
      case 'info':
        return;
      case 'ended': {
        if (mixer && (mixer.a === id || mixer.b === id)) endConference();
        entries.delete(id);
        // The figures as of the hang-up (close() sends the RTCP BYE and logs them).
        const stats = entry.engine?.stats;
        const media = stats && (stats.packetsSent > 0 || stats.packetsReceived > 0) ? callQuality(stats) : undefined;
        entry.engine?.close();
        entry.engine = undefined;
        const duration = entry.answeredAt === undefined ? 0 : Math.round((hal.clock.now() - entry.answeredAt) / 1000);
        app.phone.handle({
          type: 'ended', call: id, byRemote: event.byRemote,
          ...(event.status !== undefined ? { status: event.status } : {}), ...(event.reason !== undefined ? { reason: event.reason } : {}),
        });
        routeAudio();
        return app.emit({
          type: 'ended', call: id, cause: event.cause, duration,
          ...(event.status !== undefined ? { status: event.status } : {}), ...(event.reason !== undefined ? { reason: event.reason } : {}),
          ...(media ? { media } : {}),
        });
      }
    }
  };

  // Only thin closures per call: an XS closure costs heap for each variable it captures, and the bodies above capture many.
  const follow = (entry: Entry, call: Call): void => {
    handleRefers(ua, call, (refer) => transferred(entry, call, refer));
    call.on((event) => onCallEvent(entry, event));
  };

  /** Listeners for calls whose media was still opening when a transfer placed them. */
  const pendingReports = new Map<CallId, (e: SipCallEvent) => void>();

  manager.onIncoming = (call, line) => {
    const id = nextId++;
    const index = manager.lines.indexOf(line);
    const entry: Entry = { id, call, engine: taken, line: index, abandoned: false };
    taken = undefined;
    entries.set(id, entry);
    follow(entry, call);
    const remote = call.remote;
    const user = isSipUri(remote.uri) ? remote.uri.user ?? remote.uri.host : formatUri(remote.uri);
    app.phone.handle({
      type: 'incoming', call: id, line: Math.max(0, index), remote: user, uri: formatUri(remote.uri),
      ...(remote.displayName ? { name: remote.displayName } : {}),
    });
    app.emit({ type: 'incoming', call: id, line: Math.max(0, index), from: formatUri(remote.uri) });
    // Transfer target (RFC 3891): an INVITE that replaces one of our calls is answered at once, and the old call ends.
    const rep = call.invite?.header('Replaces');
    if (rep !== undefined) {
      let replaced: Call | undefined;
      try {
        const r = parseReplaces(rep);
        replaced = manager.findCall(r.callId, r.toTag, r.fromTag);
      } catch {
        replaced = undefined;
      }
      if (replaced && replaced !== call) {
        call.answer();
        replaced.hangup();
      }
    }
  };

  /** Transferor: REFER the call elsewhere; when the transferee's new call is answered, our legs end. */
  const transfer = (id: CallId, call: Call, target: string, replaces?: Parameters<typeof sendRefer>[2]['replaces'], consult?: Call): void => {
    const sent = sendRefer(ua, call, {
      target,
      ...(call.dialog ? { referredBy: formatNameAddr({ uri: call.dialog.local.uri, params: {} }) } : {}),
      ...(replaces ? { replaces } : {}),
      onProgress: (p: ReferProgress) => {
        if (p.type !== 'done') return;
        app.phone.handle({ type: 'transfer-result', call: id, ok: p.ok, ...(p.ok ? {} : { reason: `${p.status} ${p.reason}` }) });
        if (p.ok) {
          call.hangup();
          consult?.hangup();
        }
      },
    });
    if (!sent) app.phone.handle({ type: 'transfer-result', call: id, ok: false, reason: 'the call cannot send requests now' });
  };

  // Local tones follow the phone: ringback, busy... played into the focused call's speaker path.
  app.onPhoneChange(() => playTones());
  const playTones = (): void => {
    const tone = app.phone.tone;
    const focus = app.phone.focus === undefined ? undefined : entries.get(app.phone.focus);
    focus?.engine?.playTone(tone && TONES[tone] ? TONES[tone]! : null);
  };

  const withCall = (id: CallId, fn: (call: Call, entry: Entry) => void): void => {
    const entry = entries.get(id);
    if (!entry) return;
    if (!entry.call) {
      entry.abandoned = true;
      return;
    }
    fn(entry.call, entry);
  };

  const control: CallControl & { place(line: number, target: string, headers?: Array<[string, string]>): CallId } = {
    place(line: number, target: string, headers?: Array<[string, string]>): CallId {
      const id = nextId++;
      const entry: Entry = { id, call: undefined, engine: undefined, line, abandoned: false };
      entries.set(id, entry);
      const fail = (reason: string): void => {
        entries.delete(id);
        app.emit({ type: 'error', message: reason });
        hal.clock.setTimer(0, () => app.phone.handle({ type: 'ended', call: id, status: 500, reason }));
      };
      let sipLine: Line;
      try {
        sipLine = lineOf(line);
      } catch (e) {
        fail((e as Error).message);
        return id;
      }
      const engine = spareEngine();
      const go = (engine: MediaEngine): void => {
        if (entry.abandoned) {
          engine.close();
          entries.delete(id);
          app.phone.handle({ type: 'ended', call: id });
          return;
        }
        entry.engine = engine;
        reserved = engine;
        try {
          entry.call = manager.place(dialTarget(settings(), target), sipLine, headers);
        } catch (e) {
          engine.close();
          return fail(`cannot call ${target}: ${(e as Error).message}`);
        } finally {
          reserved = undefined;
          taken = undefined;
        }
        follow(entry, entry.call);
        const report = pendingReports.get(id);
        if (report) {
          pendingReports.delete(id);
          entry.call.on(report);
        }
        routeAudio();
      };
      if (engine) {
        refill();
        go(engine);
      } else {
        openEngine().then(go, (e: unknown) => fail(`cannot open RTP sockets: ${(e as Error).message}`));
      }
      return id;
    },
    answer: (id) => withCall(id, (c) => c.answer()),
    reject: (id, status) => withCall(id, (c) => c.reject(status)),
    redirect: (id, target) => withCall(id, (c, e) => c.redirect(targetUri(target, e.line))),
    hangup: (id) => withCall(id, (c) => c.hangup()),
    hold: (id) => withCall(id, (c) => c.hold()),
    resume: (id) => withCall(id, (c) => c.resume()),
    dtmf(id: CallId, digit: DigitKey): void {
      withCall(id, (c, e) => {
        if (settings().dtmfMode === 'info') {
          c.sendInfo(formatDtmfRelay(digit, 160), DTMF_RELAY_TYPE);
          return;
        }
        e.engine?.sendDtmf(digit);
      });
    },
    mute: (id, on) => withCall(id, (_c, e) => {
      if (e.engine) e.engine.muted = on;
    }),
    blindTransfer(id: CallId, target: string): void {
      withCall(id, (c, e) => transfer(id, c, targetUri(target, e.line)));
    },
    attendedTransfer(id: CallId, consultation: CallId): void {
      const consult = entries.get(consultation)?.call;
      withCall(id, (c) => {
        const d = consult?.dialog;
        if (!consult || !d) return app.phone.handle({ type: 'transfer-result', call: id, ok: false, reason: 'the consultation call is not connected' });
        // Replaces names the consultation dialog as the target sees it: its local tag is our remote tag.
        transfer(id, c, formatUri(d.remote.uri), { callId: d.callId, toTag: d.remoteTag, fromTag: d.localTag, earlyOnly: false, params: {} }, consult);
      });
    },
    conference(a: CallId, b: CallId, on: boolean): void {
      const ea = entries.get(a);
      const eb = entries.get(b);
      if (!on || !ea?.engine || !eb?.engine || !ea.call || !eb.call) return endConference();
      endConference();
      // Both legs must be live: a leg held for the consultation is resumed before mixing.
      for (const e of [ea, eb]) if (e.call!.held) e.call!.resume();
      mixer = { a, b, mixer: new LocalMixer(ea.engine, eb.engine, { clock: hal.clock, ...(hal.audioInput ? { audioInput: hal.audioInput } : {}), ...(hal.audioOutput ? { audioOutput: hal.audioOutput } : {}) }) };
      mixer.mixer.start();
    },
    shutdown(): void {
      endConference();
      manager.hangupAll();
      for (const e of entries.values()) e.engine?.close();
      for (const p of spares.splice(0)) p.close();
      closed = true;
    },
  };
  return control;
}
