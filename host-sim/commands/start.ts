/** `xsphone start` (what `npm start` runs): phones in a web page, alice and bob by default, peer-to-peer. */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, defaultConfig, loadConfig, type SimConfig } from '../config.js';
import { startControlServer } from '../control-server.js';
import { SimPhone } from '../sim-phone.js';
import { openPcap, type PcapTap } from '../pcap-option.js';

const USAGE = `usage: xsphone start [--config phones.json] [--port N] [--pcap FILE] [--data DIR] [--log-level L]

Runs simulated phones and serves their web page (default http://127.0.0.1:8080): alice and bob, who can call each
other at once, peer-to-peer. --config runs any set of phones instead (see README, "Simulator configuration").
Each phone keeps its call history in DIR/<phone> (default ./.xsphone).
--pcap FILE writes every phone's SIP and RTP to FILE (libpcap; Wireshark and tshark open it).
`;

export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, strict: true, options: { config: { type: 'string' }, port: { type: 'string' }, pcap: { type: 'string' }, 'log-level': { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    process.stderr.write(`xsphone start: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: SimConfig;
  try {
    config = values.config ? loadConfig(values.config) : defaultConfig();
    if (values.port !== undefined) {
      if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new ConfigError(`--port must be a port number, not '${values.port}'`);
      config.http.port = Number(values.port);
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`xsphone start: ${e.message}\n`);
    return 2;
  }
  // Call histories survive restarts: each phone keeps its records in a folder of its own.
  const dataRoot = resolve(values.data ?? '.xsphone');
  const level = (values['log-level'] ?? 'warn') as 'error' | 'warn' | 'info' | 'debug';
  const phones: SimPhone[] = [];
  let pcap: PcapTap | undefined;
  try {
    // One tap for all phones: a packet between two of them is then recorded once, not by both.
    if (values.pcap !== undefined) pcap = openPcap(values.pcap);
    for (const p of config.phones) {
      phones.push(await SimPhone.start({
        id: p.id, settings: p.settings, address: p.address, sipPort: p.sipPort, logLevel: level, dataDir: join(dataRoot, p.id), ...(pcap ? { network: pcap.network } : {}),
        ...(p.audioIn ? { audioIn: p.audioIn } : {}), ...(p.audioOut ? { audioOut: p.audioOut } : {}),
      }, (e) => process.stdout.write(`${JSON.stringify({ phone: p.id, ...e })}\n`)));
    }
    const server = await startControlServer(phones, config.http.port, config.http.address);
    process.stdout.write(`xsphone simulator: ${phones.map((p) => p.id).join(', ')} at ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await server.close();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const msg = err.code === 'EADDRINUSE' ? `a port is already in use (${err.message}); is another simulator running? Try --port` : err.message;
    process.stderr.write(`xsphone start: ${msg}\n`);
    await Promise.all(phones.map((p) => p.stop()));
    pcap?.close();
    return 1;
  }
  await Promise.all(phones.map((p) => p.stop()));
  pcap?.close();
  return 0;
}
