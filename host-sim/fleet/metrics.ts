/**
 * What a load run measures and how it is reported: counters, delay samples and RTP statistics gathered while the
 * fleet runs, turned into the figures SIP performance testing uses (ASR, PDD, concurrent calls...).
 */

/** The p-th percentile (0..100) of samples by nearest rank; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

function round(v: number, digits = 1): number | null {
  if (!Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  return {
    count: s.length,
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s.length ? s[s.length - 1]! : NaN),
  };
}

/** RTP figures of one call leg, read from its media engine when the leg ends. */
export interface LegMedia {
  sent: number;
  received: number;
  expected: number;
  lost: number;
  jitterMs: number;
  rttMs: number;
  mos: number;
}

/** Everything counted during a run; the report is computed from it. */
export class FleetMetrics {
  registered = 0;
  registrationFailed = 0;
  /** Final registration failures by status. */
  readonly registrationFailures = new Map<number, number>();
  unregistered = 0;
  attempts = 0;
  answered = 0;
  /** Answered calls that ended by our BYE after the hold time, as planned. */
  completed = 0;
  failed = 0;
  readonly failures = new Map<string, number>();
  /** Calls that ended abnormally after being answered (dropped: BYE from the network, session expiry...). */
  dropped = 0;
  /** Answered calls we hung up before the hold time because the run was interrupted. */
  cutShort = 0;
  /** Pairs the scheduler could not form (every registered phone busy). */
  skipped = 0;
  /** Legs that had no media engine ready (their SDP points nowhere). */
  mediaUnavailable = 0;
  readonly pddMs: number[] = [];
  readonly answerMs: number[] = [];
  readonly legs: LegMedia[] = [];
  concurrent = 0;
  concurrentMax = 0;
  readonly concurrentSamples: number[] = [];
  /** ms since the call phase began, and its length. */
  callPhaseMs = 0;
  /** How long calls were being placed (the --duration, shorter when interrupted), ms. */
  placingMs = 0;
  /** CPU (user + system, µs) spent during the call phase. */
  callPhaseCpuUs = 0;
  /** Heap figures are after a full collection (live-heap.ts); RSS at the sample with the most calls up. */
  memory = { baselineRss: 0, baselineHeap: 0, registeredRss: 0, registeredHeap: 0, peakCallsRss: 0, peakCalls: 0, callsHeap: 0, calls: 0 };

  failure(label: string): void {
    this.failed++;
    this.failures.set(label, (this.failures.get(label) ?? 0) + 1);
  }

  callStarted(): void {
    this.attempts++;
    this.concurrent++;
    if (this.concurrent > this.concurrentMax) this.concurrentMax = this.concurrent;
  }

  callEnded(): void {
    this.concurrent--;
  }
}

export interface FleetReport {
  phones: number;
  transport: string;
  registrar: string;
  target: string | null;
  media: boolean;
  interrupted: boolean;
  registrations: { ok: number; failed: number; failures: Record<string, number>; unregistered: number };
  calls: {
    attempts: number;
    answered: number;
    completed: number;
    failed: number;
    dropped: number;
    cutShort: number;
    skipped: number;
    asrPercent: number | null;
    concurrentMax: number;
    concurrentMean: number | null;
    cpsAttempted: number | null;
    cpsCompleted: number | null;
    failuresByStatus: Record<string, number>;
    postDialDelayMs: Percentiles;
    answerDelayMs: Percentiles;
  };
  rtp: {
    legs: number;
    packetsSent: number;
    packetsReceived: number;
    lossPercent: number | null;
    jitterMeanMs: number | null;
    jitterMaxMs: number | null;
    rttMeanMs: number | null;
    rttLegs: number;
    mosMean: number | null;
    legsWithoutMedia: number;
  };
  resources: {
    placingSeconds: number;
    callPhaseSeconds: number;
    cpuMsPerCall: number | null;
    rssMb: number;
    heapPerPhoneKb: number | null;
    rssPerPhoneKb: number | null;
    heapPerCallKb: number | null;
    rssPerCallKb: number | null;
  };
}

const MB = 1024 * 1024;

export function buildReport(m: FleetMetrics, o: { phones: number; transport: string; registrar: string; target?: string; media: boolean; interrupted: boolean }): FleetReport {
  const secs = m.callPhaseMs / 1000;
  const placing = m.placingMs / 1000;
  const legs = m.legs;
  const sent = legs.reduce((a, l) => a + l.sent, 0);
  const received = legs.reduce((a, l) => a + l.received, 0);
  const expected = legs.reduce((a, l) => a + l.expected, 0);
  const lost = legs.reduce((a, l) => a + Math.max(0, l.lost), 0);
  const live = legs.filter((l) => l.received > 0);
  const rtt = legs.filter((l) => l.rttMs >= 0);
  const mean = (xs: number[]): number | null => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 2) : null);
  const mem = m.memory;
  // Differences of two samples: a garbage collection in between can make one negative, which says nothing: null.
  const perPhone = (a: number, b: number): number | null => (m.registered > 0 && a > b ? round((a - b) / 1024 / m.registered) : null);
  const perCall = (a: number, b: number, calls: number): number | null => (calls > 0 && a > b ? round((a - b) / 1024 / calls) : null);
  return {
    phones: o.phones,
    transport: o.transport,
    registrar: o.registrar,
    target: o.target ?? null,
    media: o.media,
    interrupted: o.interrupted,
    registrations: { ok: m.registered, failed: m.registrationFailed, failures: Object.fromEntries(m.registrationFailures), unregistered: m.unregistered },
    calls: {
      attempts: m.attempts,
      answered: m.answered,
      completed: m.completed,
      failed: m.failed,
      dropped: m.dropped,
      cutShort: m.cutShort,
      skipped: m.skipped,
      asrPercent: m.attempts ? round((m.answered / m.attempts) * 100, 2) : null,
      concurrentMax: m.concurrentMax,
      concurrentMean: mean(m.concurrentSamples),
      cpsAttempted: placing > 0 ? round(m.attempts / placing, 2) : null,
      cpsCompleted: placing > 0 ? round(m.completed / placing, 2) : null,
      failuresByStatus: Object.fromEntries(m.failures),
      postDialDelayMs: percentiles(m.pddMs),
      answerDelayMs: percentiles(m.answerMs),
    },
    rtp: {
      legs: legs.length,
      packetsSent: sent,
      packetsReceived: received,
      lossPercent: expected > 0 ? round((lost / expected) * 100, 3) : null,
      jitterMeanMs: mean(live.map((l) => l.jitterMs)),
      jitterMaxMs: live.length ? round(Math.max(...live.map((l) => l.jitterMs)), 2) : null,
      rttMeanMs: mean(rtt.map((l) => l.rttMs)),
      rttLegs: rtt.length,
      mosMean: mean(live.map((l) => l.mos)),
      legsWithoutMedia: m.mediaUnavailable,
    },
    resources: {
      placingSeconds: round(placing) ?? 0,
      callPhaseSeconds: round(secs) ?? 0,
      cpuMsPerCall: m.completed > 0 ? round(m.callPhaseCpuUs / 1000 / m.completed, 3) : null,
      rssMb: round(process.memoryUsage().rss / MB) ?? 0,
      heapPerPhoneKb: perPhone(mem.registeredHeap, mem.baselineHeap),
      rssPerPhoneKb: perPhone(mem.registeredRss, mem.baselineRss),
      heapPerCallKb: perCall(mem.callsHeap, mem.registeredHeap, mem.calls),
      rssPerCallKb: perCall(mem.peakCallsRss, mem.registeredRss, mem.peakCalls),
    },
  };
}

const show = (v: number | null, unit = ''): string => (v === null ? 'n/a' : `${v}${unit}`);
const pct = (p: Percentiles): string => (p.count ? `p50 ${p.p50} / p95 ${p.p95} / p99 ${p.p99} ms (n=${p.count})` : 'n/a');

/** The human-readable report (stdout). */
export function formatReport(r: FleetReport): string {
  const c = r.calls;
  const fails = Object.entries(c.failuresByStatus).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
  const regFails = Object.entries(r.registrations.failures).map(([k, v]) => `${k}: ${v}`).join(', ');
  return [
    `xsphone load report${r.interrupted ? ' (interrupted)' : ''}: ${r.phones} phones over ${r.transport.toUpperCase()} to ${r.registrar}${r.target ? `, calling ${r.target}` : ''}, media ${r.media ? 'on' : 'off'}`,
    `registrations      ok ${r.registrations.ok}, failed ${r.registrations.failed}${regFails ? ` (${regFails})` : ''}, unregistered ${r.registrations.unregistered}`,
    `calls              attempts ${c.attempts}, answered ${c.answered}, completed ${c.completed}, failed ${c.failed}, dropped ${c.dropped}${c.cutShort ? `, cut short by the interruption ${c.cutShort}` : ''}${c.skipped ? `, skipped (no idle phone) ${c.skipped}` : ''}`,
    `ASR                ${show(c.asrPercent, ' %')}`,
    `concurrent calls   max ${c.concurrentMax}, mean ${show(c.concurrentMean)}`,
    `calls per second   attempted ${show(c.cpsAttempted)}, completed ${show(c.cpsCompleted)} (placing for ${r.resources.placingSeconds} s; all calls ended after ${r.resources.callPhaseSeconds} s)`,
    `post-dial delay    ${pct(c.postDialDelayMs)}  (INVITE -> first 18x, or 200 when no 18x came first)`,
    `answer delay       ${pct(c.answerDelayMs)}  (INVITE -> 200)`,
    `failures           ${fails}`,
    `RTP                ${r.rtp.legs} legs, sent ${r.rtp.packetsSent}, received ${r.rtp.packetsReceived}, loss ${show(r.rtp.lossPercent, ' %')}, jitter mean ${show(r.rtp.jitterMeanMs, ' ms')} (max ${show(r.rtp.jitterMaxMs, ' ms')}), RTT mean ${show(r.rtp.rttMeanMs, ' ms')} (${r.rtp.rttLegs} legs), MOS ${show(r.rtp.mosMean)}${r.rtp.legsWithoutMedia ? `, ${r.rtp.legsWithoutMedia} legs without media` : ''}`,
    `CPU                ${show(r.resources.cpuMsPerCall, ' ms')} per completed call`,
    `memory             RSS ${r.resources.rssMb} MB; per phone heap ${show(r.resources.heapPerPhoneKb, ' KB')}, RSS ${show(r.resources.rssPerPhoneKb, ' KB')}; per call heap ${show(r.resources.heapPerCallKb, ' KB')}, RSS ${show(r.resources.rssPerCallKb, ' KB')}`,
  ].join('\n');
}
