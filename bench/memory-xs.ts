// `npm run bench:memory`: the phone core's heap inside Moddable XS (xsnap) in three states: booted idle (PhoneApp
// started with SIP calls, its REGISTER sent, no answer yet), registered idle (digest-authenticated registration
// done), and in a call with RTP flowing both ways for 3 s of virtual time (bench/memory-scenario.ts); three calls,
// the third placed 2 s after hanging up the second (a redial, while the ended call's transactions still linger).
// How: the phone under test is alone in one xsnap worker; the registrar and the peer phone run in a second worker;
// Node carries the datagrams between them (issueCommand) every 10 ms of each worker's virtual clock. So the heap
// measured is the phone's own, with nothing else in it but the bundle and a small harness (virtual clock, bridge).
// Figures after gc(): live slots (xsnap's currentHeapCount) and live chunk bytes (XS currentChunksSize, through the
// chunk-reporting worker of xsnap-meter.ts). An ESP32 slot is 16 bytes (32 in this 64-bit xsnap), so the device
// figure is slots x 16 + chunk bytes (chunk bytes as measured here: an upper bound, array items are 32-byte slots
// here and 16 on the device). The device preloads the modules into flash (code, module-level tables, built-ins):
// xsnap cannot, so the heap right after loading the bundle is reported apart and subtracted from every state.
// Runs in its own process: xsnap's Node API locks the process down (SES).
// Usage: node dist/bench/memory-xs.js [--call-ms N]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForXs, startXsWorker, type MeterUsage, type XsWorker } from '../test/xs/xs-engine.js';
import { grouped, table, verdict } from './report.js';
import { meteredXsnapWorker } from './xsnap-meter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const DEVICE_SLOT_BYTES = 16;
const TARGET_REGISTERED = 64 * 1024;
const TARGET_CALL = 96 * 1024;
const REPORT = 1;
const POLL = 2;
const SEND = 3;

const ENTRY = `
import { MemoryBench } from './dist/bench/memory-scenario.js';
globalThis.bench = new MemoryBench(issueCommand);
`;

interface Heap { slots: number; chunks: number; evaluations: number }
interface Status { registration: string; calls: string[]; rtpSent: number; rtpReceived: number; events: string[] }

/** Device bytes of a heap figure. */
const device = (h: Heap): number => h.slots * DEVICE_SLOT_BYTES + h.chunks;

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  parts.length = 0;
  return out;
}

/** A worker whose datagrams go to `peer`'s inbox and whose inbox it polls. */
class Side {
  readonly inbox: Uint8Array[] = [];
  last: unknown;
  worker!: XsWorker;
  peer!: Side;
  /** Evaluations so far: xsnap keeps a little per evaluation (see main), subtracted from the figures. */
  evaluations = 0;
  /** The phone's side runs one step of the peers' worker whenever the phone polls, so both clocks go together. */
  drivesPeer = false;
  onCommand = (bytes: Uint8Array): Uint8Array | void | Promise<Uint8Array> => {
    const body = bytes.subarray(1);
    switch (bytes[0]) {
      case REPORT:
        this.last = JSON.parse(new TextDecoder().decode(body));
        return;
      case POLL:
        return this.drivesPeer ? this.peer.evaluate('bench.step(1)').then(() => concat(this.inbox)) : concat(this.inbox);
      case SEND:
        this.peer.inbox.push(body.slice());
        return;
    }
  };
  async evaluate(code: string): Promise<MeterUsage> {
    this.evaluations++;
    return (await this.worker.evaluate(code)).meterUsage;
  }
  /** Evaluates code that ends with a report; returns the report. */
  async ask<T>(code: string): Promise<T> {
    this.last = undefined;
    await this.evaluate(code);
    return this.last as T;
  }
  async heap(): Promise<Heap> {
    const u = await this.evaluate('gc()');
    const chunks = (u as MeterUsage & { currentChunksSize?: number }).currentChunksSize;
    if (chunks === undefined) throw new Error('the xsnap worker does not report chunk bytes');
    return { slots: u.currentHeapCount, chunks, evaluations: this.evaluations };
  }
}

async function main(argv: string[]): Promise<number> {
  const callMs = Number(argv[argv.indexOf('--call-ms') + 1]) || 3000;
  const metered = meteredXsnapWorker();
  if ('error' in metered) {
    console.log(`cannot build the chunk-reporting xsnap worker: ${metered.error}`);
    console.log(verdict(false, 'phone heap measured in XS', 'not measured', 'measured'));
    return 1;
  }
  const script = await bundleForXs(ENTRY, root);
  const phone = new Side();
  const peers = new Side();
  phone.peer = peers;
  peers.peer = phone;
  phone.drivesPeer = true;
  phone.worker = await startXsWorker({ name: 'xsphone-memory-phone', binary: metered.binary, onCommand: phone.onCommand });
  peers.worker = await startXsWorker({ name: 'xsphone-memory-peers', binary: metered.binary, onCommand: peers.onCommand });
  try {
    const empty = await phone.heap();
    // xsnap keeps one slot and a few chunk bytes for every evaluation, whatever the script (its own bookkeeping,
    // nothing the device has): measured here on empty evaluations, and subtracted per evaluation below.
    const CALIBRATION = 200;
    for (let i = 0; i < CALIBRATION; i++) await phone.evaluate('0');
    const calibrated = await phone.heap();
    const perEvaluation = {
      slots: (calibrated.slots - empty.slots) / (calibrated.evaluations - empty.evaluations),
      chunks: (calibrated.chunks - empty.chunks) / (calibrated.evaluations - empty.evaluations),
    };
    await phone.evaluate(script);
    await peers.evaluate(script);
    const loaded = await phone.heap();
    await peers.evaluate('bench.startPeers()');
    await phone.evaluate('bench.startPhone()');
    // The REGISTER leaves the phone's worker; the registrar has not seen it yet, so nothing has answered.
    await phone.evaluate('bench.step(1)');
    const bootStatus = await phone.ask<Status>('bench.status()');
    const booted = await phone.heap();

    const reg = await phone.ask<Status>('bench.until("registered", 10000)');
    if (reg.registration !== 'Registered') throw new Error(`the phone did not register: ${JSON.stringify(reg)}`);
    // Idle: the REGISTER transactions are over (Timer K, 5 s) and nothing is in flight; the refresh is ~50 minutes off.
    await phone.evaluate('bench.step(4000)');
    const registered = await phone.heap();

    /** One call to the peer: connected, 0.5 s, then callMs measured with RTP counted; the heap at its end; then hang-up. */
    const call = async (): Promise<{ heap: Heap; sent: number; received: number }> => {
      await phone.evaluate('bench.dial("sip:bob@10.0.0.2")');
      const up = await phone.ask<Status>('bench.until("connected", 10000)');
      if (up.calls[0] !== 'connected') throw new Error(`the call was not answered: ${JSON.stringify(up)}`);
      await phone.evaluate('bench.step(50)');
      const before = await phone.ask<Status>('bench.status()');
      await phone.evaluate(`bench.step(${Math.round(callMs / 10)})`);
      const during = await phone.ask<Status>('bench.status()');
      const heap = await phone.heap();
      await phone.evaluate('bench.hangup()');
      const down = await phone.ask<Status>('bench.until("idle", 5000)');
      if (down.calls.length) throw new Error(`the call did not end: ${JSON.stringify(down)}`);
      return { heap, sent: during.rtpSent - before.rtpSent, received: during.rtpReceived - before.rtpReceived };
    };
    const first = await call();
    await phone.evaluate('bench.step(200)');
    const after = await phone.heap();
    // The call's transactions linger up to 64 x T1 = 32 s (RFC 3261 timers) before they are forgotten.
    await phone.evaluate('bench.step(4000)');
    const after40 = await phone.heap();
    const second = await call();
    // Hanging up and calling again at once: the ended call's transactions are still waiting out their timers.
    await phone.evaluate('bench.step(200)');
    const redial = await call();
    await phone.evaluate('bench.step(4000)');
    const afterSecond = await phone.heap();
    const { sent, received } = first;

    console.log('Phone memory benchmark (Moddable XS in xsnap): the phone under test alone in its worker; registrar and '
      + 'peer phone in a second worker, datagrams carried between them by Node every 10 ms of virtual time');
    /** The phone's heap on the ESP32 in state h: h minus the loaded bundle, minus xsnap's per-evaluation keep. */
    const phoneBytes = (h: Heap): number => {
      const evaluations = h.evaluations - loaded.evaluations;
      return device(h) - device(loaded) - Math.round(evaluations * (perEvaluation.slots * DEVICE_SLOT_BYTES + perEvaluation.chunks));
    };
    const row = (name: string, h: Heap, phoneState = true): string[] => [name, grouped(h.slots), grouped(h.chunks), grouped(device(h)),
      phoneState ? grouped(phoneBytes(h)) : ''];
    console.log(table(['state (after gc())', 'slots', 'chunk B', 'ESP32 B', 'phone heap on ESP32 B'], [
      row('empty XS machine', empty, false),
      row('bundle loaded (in flash on the device)', loaded, false),
      row(`booted idle (${bootStatus.registration || 'no registration yet'}, REGISTER unanswered)`, booted),
      row('registered idle (digest auth), 40 s later', registered),
      row(`in a call, RTP ${sent} out / ${received} in over ${callMs / 1000} s`, first.heap),
      row('idle 2 s after hang-up', after),
      row('idle 42 s after hang-up', after40),
      row(`in a second call (RTP ${second.sent} out / ${second.received} in)`, second.heap),
      row(`in a third call, placed 2 s after hanging up the second (RTP ${redial.sent} out / ${redial.received} in)`, redial.heap),
      row('idle 40 s after the third call', afterSecond),
    ]));
    console.log(`(ESP32 B = slots x ${DEVICE_SLOT_BYTES} + chunk B. Phone heap = ESP32 B minus "bundle loaded" (code, `
      + `module-level tables and this harness's clock and bridge: the device preloads the modules into flash, xsnap cannot), `
      + `minus what xsnap keeps per evaluation (${perEvaluation.slots.toFixed(2)} slot + ${perEvaluation.chunks.toFixed(1)} chunk B, `
      + `measured on ${CALIBRATION} empty evaluations; ${after40.evaluations - loaded.evaluations} evaluations in all). Chunk bytes `
      + `come from a 64-bit build, where array items and closure variables are 32-byte slots (16 on the ESP32): an upper bound.)\n`);
    const reg64 = phoneBytes(registered);
    // The worst of the calls: from the second call on, XS still holds the previous Call (see the note above); the
    // redial also has the previous call's transactions still waiting out their timers.
    const call96 = Math.max(phoneBytes(first.heap), phoneBytes(second.heap), phoneBytes(redial.heap));
    const enough = (n: number): boolean => n >= (callMs / 20) * 0.9;
    const flowing = [first, second, redial].every((c) => enough(c.sent) && enough(c.received));
    console.log(verdict(flowing, 'media flows both ways during the measured calls', `${sent} + ${second.sent} + ${redial.sent} RTP out, ${received} + ${second.received} + ${redial.received} in`,
      `>= ${Math.floor((callMs / 20) * 0.9)} each way`));
    console.log(verdict(reg64 <= TARGET_REGISTERED, 'phone heap on the ESP32, registered idle', `${grouped(reg64)} B`,
      `<= ${grouped(TARGET_REGISTERED)} B`));
    console.log(verdict(call96 <= TARGET_CALL, 'phone heap on the ESP32, in a call with media (worst of three calls, one a redial)', `${grouped(call96)} B`,
      `<= ${grouped(TARGET_CALL)} B`));
    return 0;
  } finally {
    await phone.worker.close().catch(() => phone.worker.terminate());
    await peers.worker.close().catch(() => peers.worker.terminate());
  }
}

process.exitCode = await main(process.argv.slice(2));
