// `npm run bench:memory`: the phone core's heap inside Moddable XS (xsnap) in three states: booted idle (PhoneApp
// started with SIP calls, its REGISTER sent, no answer yet), registered idle (digest-authenticated registration
// done), and in one call with RTP flowing both ways for 3 s of virtual time (bench/memory-scenario.ts).
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

interface Heap { slots: number; chunks: number }
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
  onCommand = (bytes: Uint8Array): Uint8Array | void => {
    const body = bytes.subarray(1);
    switch (bytes[0]) {
      case REPORT:
        this.last = JSON.parse(new TextDecoder().decode(body));
        return;
      case POLL:
        return concat(this.inbox);
      case SEND:
        this.peer.inbox.push(body.slice());
        return;
    }
  };
  async evaluate(code: string): Promise<MeterUsage> {
    return (await this.worker.evaluate(code)).meterUsage;
  }
  async status(): Promise<Status> {
    await this.evaluate('bench.status()');
    return this.last as Status;
  }
  async heap(): Promise<Heap> {
    const u = await this.evaluate('gc()');
    const chunks = (u as MeterUsage & { currentChunksSize?: number }).currentChunksSize;
    if (chunks === undefined) throw new Error('the xsnap worker does not report chunk bytes');
    return { slots: u.currentHeapCount, chunks };
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
  phone.worker = await startXsWorker({ name: 'xsphone-memory-phone', binary: metered.binary, onCommand: phone.onCommand });
  peers.worker = await startXsWorker({ name: 'xsphone-memory-peers', binary: metered.binary, onCommand: peers.onCommand });
  /** One 10 ms step of both workers, the phone first. */
  const rounds = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      await phone.evaluate('bench.step(1)');
      await peers.evaluate('bench.step(1)');
    }
  };
  /** Steps until `ok` holds (checked every 100 ms), at most `ms`; returns the last status. */
  const until = async (ms: number, ok: (s: Status) => boolean): Promise<Status> => {
    let s = await phone.status();
    for (let t = 0; t < ms && !ok(s); t += 100) {
      await rounds(10);
      s = await phone.status();
    }
    return s;
  };
  try {
    const empty = await phone.heap();
    await phone.worker.evaluate(script);
    await peers.worker.evaluate(script);
    const loaded = await phone.heap();
    await peers.evaluate('bench.startPeers()');
    await phone.evaluate('bench.startPhone()');
    // The REGISTER leaves the phone's worker; the peers' worker has not run yet, so nothing has answered.
    await phone.evaluate('bench.step(1)');
    const bootStatus = await phone.status();
    const booted = await phone.heap();

    const reg = await until(10_000, (s) => s.registration === 'Registered');
    if (reg.registration !== 'Registered') throw new Error(`the phone did not register: ${JSON.stringify(reg)}`);
    await rounds(200);
    const registered = await phone.heap();

    await phone.evaluate('bench.dial("sip:bob@10.0.0.2")');
    const up = await until(10_000, (s) => s.calls[0] === 'connected');
    if (up.calls[0] !== 'connected') throw new Error(`the call was not answered: ${JSON.stringify(up)}`);
    await rounds(50);
    const before = await phone.status();
    await rounds(callMs / 10);
    const during = await phone.status();
    const inCall = await phone.heap();
    const sent = during.rtpSent - before.rtpSent;
    const received = during.rtpReceived - before.rtpReceived;

    await phone.evaluate('bench.hangup()');
    const down = await until(5_000, (s) => s.calls.length === 0);
    await rounds(200);
    const after = await phone.heap();

    console.log('Phone memory benchmark (Moddable XS in xsnap): the phone under test alone in its worker; registrar and '
      + 'peer phone in a second worker, datagrams carried between them by Node every 10 ms of virtual time');
    const row = (name: string, h: Heap, base?: Heap): string[] => [name, grouped(h.slots), grouped(h.chunks), grouped(device(h)),
      base ? grouped(device(h) - device(base)) : ''];
    console.log(table(['state (after gc())', 'slots', 'chunk B', 'ESP32 B', 'phone heap on ESP32 (minus loaded)'], [
      row('empty XS machine', empty),
      row('bundle loaded (flash on the device)', loaded),
      row(`booted idle (${bootStatus.registration || 'no registration yet'})`, booted, loaded),
      row('registered idle', registered, loaded),
      row(`in a call, RTP ${sent} out / ${received} in over ${callMs / 1000} s`, inCall, loaded),
      row(`idle again after hang-up${down.calls.length ? ' (call still up!)' : ''}`, after, loaded),
    ]));
    console.log(`(ESP32 B = slots x ${DEVICE_SLOT_BYTES} + chunk B. "Bundle loaded" is what loading the modules costs xsnap: `
      + `code, module-level tables and this harness (virtual clock, bridged network); on the device the modules are `
      + `preloaded into flash and cost no heap, so it is subtracted. Chunk bytes come from a 64-bit build: array items `
      + `and closures' slots count 32 bytes here, 16 on the ESP32, so the last column is an upper bound.)\n`);
    const reg64 = device(registered) - device(loaded);
    const call96 = device(inCall) - device(loaded);
    const flowing = sent >= (callMs / 20) * 0.9 && received >= (callMs / 20) * 0.9;
    console.log(verdict(flowing, 'media flows both ways during the measured call', `${sent} RTP out, ${received} in`,
      `>= ${Math.floor((callMs / 20) * 0.9)} each way`));
    console.log(verdict(reg64 <= TARGET_REGISTERED, 'phone heap on the ESP32, registered idle', `${grouped(reg64)} B`,
      `<= ${grouped(TARGET_REGISTERED)} B`));
    console.log(verdict(call96 <= TARGET_CALL, 'phone heap on the ESP32, in a call with media', `${grouped(call96)} B`,
      `<= ${grouped(TARGET_CALL)} B`));
    return 0;
  } finally {
    await phone.worker.close().catch(() => phone.worker.terminate());
    await peers.worker.close().catch(() => peers.worker.terminate());
  }
}

process.exitCode = await main(process.argv.slice(2));
