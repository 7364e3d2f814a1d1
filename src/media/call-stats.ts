/**
 * Per-call media statistics and a MOS estimate from the ITU-T G.107 E-model, simplified: default
 * values for everything but delay and loss (R0 − Is = 93.2, A = 0), the delay impairment Id as a
 * two-slope fit of G.107's (0.024·Ta + 0.11·(Ta − 177.3) above 177.3 ms), and the equipment impairment
 * Ie-eff = Ie + (95 − Ie)·Ppl / (Ppl / BurstR + Bpl) with G.711's Ie = 0 and Bpl = 25.1 (with PLC).
 */

/** G.711 with packet loss concealment (G.113 Appendix I). */
export const G711_IE = 0;
export const G711_BPL = 25.1;

/** The delay impairment Id for a one-way mouth-to-ear delay in ms. */
export function delayImpairment(oneWayMs: number): number {
  const ta = oneWayMs < 0 ? 0 : oneWayMs;
  return 0.024 * ta + (ta > 177.3 ? 0.11 * (ta - 177.3) : 0);
}

/** The effective equipment impairment for a packet loss percentage (0–100). */
export function lossImpairment(lossPercent: number, ie = G711_IE, bpl = G711_BPL, burstR = 1): number {
  const ppl = lossPercent < 0 ? 0 : lossPercent > 100 ? 100 : lossPercent;
  return ie + ((95 - ie) * ppl) / (ppl / burstR + bpl);
}

/** The transmission rating R. */
export function rFactor(oneWayMs: number, lossPercent: number, ie = G711_IE, bpl = G711_BPL, burstR = 1): number {
  return 93.2 - delayImpairment(oneWayMs) - lossImpairment(lossPercent, ie, bpl, burstR);
}

/** MOS (conversational quality estimate, 1–4.5) from R (G.107 Annex B). */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  const mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
  return mos < 1 ? 1 : mos; // the polynomial dips just under 1 for R below about 6.5
}

/** Counters and measurements of one call's audio, updated by the RTP session. */
export class CallStats {
  packetsSent = 0;
  octetsSent = 0;
  packetsReceived = 0;
  /** Packets expected from the peer's sequence numbers (RFC 3550 A.3). */
  packetsExpected = 0;
  /** Packets lost on the way to us (expected − received; negative with duplicates). */
  packetsLost = 0;
  /** Interarrival jitter of what we receive, ms (RFC 3550 A.8). */
  jitterMs = 0;
  /** Latest round-trip time from RTCP, ms; -1 until measured. */
  rttMs = -1;
  /** Loss and jitter the peer reports about our stream (its RTCP), -1 until reported. */
  remoteLossPercent = -1;
  remoteJitterMs = -1;
  /** Playout delay of our jitter buffer, ms. */
  jitterBufferMs = 0;
  /** Packet duration, ms (packetisation delay). */
  ptimeMs = 20;
  /** 10 ms frames concealed, packets that came too late or twice. */
  concealedFrames = 0;
  latePackets = 0;
  duplicatePackets = 0;

  /** Loss of the received stream in percent. */
  get lossPercent(): number {
    return this.packetsExpected > 0 && this.packetsLost > 0 ? (100 * this.packetsLost) / this.packetsExpected : 0;
  }

  /**
   * Estimated one-way mouth-to-ear delay: half the round trip (or 20 ms when unknown), our jitter buffer,
   * packetisation, and 10 ms for audio I/O.
   */
  get oneWayDelayMs(): number {
    const network = this.rttMs >= 0 ? this.rttMs / 2 : 20;
    return network + this.jitterBufferMs + this.ptimeMs + 10;
  }

  /** MOS for what we hear: the received stream's loss (late packets count as lost) and the delay. */
  get mos(): number {
    const received = this.packetsReceived;
    const lateShare = received > 0 ? (100 * this.latePackets) / (this.packetsExpected || received) : 0;
    return mosFromR(rFactor(this.oneWayDelayMs, this.lossPercent + lateShare));
  }

  /** One line for the end-of-call log. */
  summary(): string {
    const f = (n: number) => (Math.round(n * 10) / 10).toString();
    return `sent ${this.packetsSent} pkts, received ${this.packetsReceived} pkts, lost ${this.packetsLost} (${f(this.lossPercent)}%), ` +
      `jitter ${f(this.jitterMs)} ms, rtt ${this.rttMs < 0 ? 'n/a' : f(this.rttMs) + ' ms'}, buffer ${f(this.jitterBufferMs)} ms, ` +
      `concealed ${this.concealedFrames * 10} ms, MOS ${this.mos.toFixed(2)}`;
  }
}
