/** `--pcap FILE` of `xsphone start` and `xsphone sim`: one PcapNetwork over the host network, writing to FILE. */
import { HostClock } from '../hal/host/clock.js';
import { HostNetwork } from '../hal/host/net.js';
import { PcapNetwork, PcapWriter } from './pcap.js';

export interface PcapTap {
  /** Give this to every phone: traffic between them is then recorded once. */
  readonly network: PcapNetwork;
  close(): void;
}

/** Opens FILE for writing; throws an Error in plain words when it cannot. */
export function openPcap(file: string): PcapTap {
  let writer: PcapWriter;
  try {
    writer = PcapWriter.toFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`--pcap: cannot write ${file} (${err.code ?? err.message})`);
  }
  return { network: new PcapNetwork(new HostNetwork(), writer, new HostClock()), close: () => writer.close() };
}
