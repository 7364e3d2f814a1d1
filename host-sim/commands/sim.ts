/**
 * `xsphone sim`: one headless phone in this process, for tests and operators. Prints one JSON event per line on
 * stdout (registered, registration-failed, incoming, ringing, answered, ended, error); on SIGTERM or SIGINT it
 * unregisters and exits 0.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AppEvent } from '../../src/phone/app.js';
import type { LogLevel } from '../../src/log.js';
import { SimPhone, settingsFor } from '../sim-phone.js';
import { openPcap, type PcapTap } from '../pcap-option.js';

const USAGE = `usage: xsphone sim --user NAME [options]

  --user NAME            SIP user (required)
  --sip-port N           local SIP port, UDP and TCP (default 5060; 0 picks a free one)
  --address A            local address to bind and advertise (default 127.0.0.1)
  --transport T          udp, tcp or tls (default udp)
  --ca FILE              PEM CA bundle to validate TLS servers against (sips: or --transport tls)
  --domain D             SIP domain (default the registrar's host, or the address)
  --registrar URI        register there, e.g. sip:127.0.0.1:5070 (default: no registration, peer-to-peer)
  --password P           password for digest authentication
  --auto-answer [MS]     answer incoming calls, after MS milliseconds (default 0)
  --call URI             call this URI once registered (or at once without a registrar)
  --hangup-after S       hang up S seconds after a call is answered
  --audio-in FILE.wav    use this WAV as the microphone (default: a 440 Hz tone)
  --audio-out FILE.wav   record what the speaker plays
  --pcap FILE            write this phone's SIP and RTP to FILE (libpcap; Wireshark and tshark open it)
  --log-level L          error, warn, info or debug (default warn; logs go to stderr)
`;

class UsageError extends Error {}

/** `--auto-answer` takes an optional value: give it an explicit one so parseArgs can read it. */
function normalise(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--auto-answer' && !/^\d+$/.test(args[i + 1] ?? '')) out.push('--auto-answer=0');
    else out.push(a);
  }
  return out;
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not '${v}'`);
  return Number(v);
}

export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: normalise(args),
      strict: true,
      options: {
        user: { type: 'string' }, 'sip-port': { type: 'string' }, address: { type: 'string' }, transport: { type: 'string' }, ca: { type: 'string' },
        domain: { type: 'string' }, registrar: { type: 'string' }, password: { type: 'string' }, 'auto-answer': { type: 'string' },
        call: { type: 'string' }, 'hangup-after': { type: 'string' }, 'audio-in': { type: 'string' }, 'audio-out': { type: 'string' }, pcap: { type: 'string' },
        'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`xsphone sim: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let phone: SimPhone;
  let hangupAfter: number | undefined;
  let pcap: PcapTap | undefined;
  try {
    if (!values.user) throw new UsageError('--user is required');
    const transport = values.transport ?? 'udp';
    if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw new UsageError(`--transport must be udp, tcp or tls, not '${transport}'`);
    let tlsCa: string | undefined;
    if (values.ca !== undefined) {
      try {
        tlsCa = readFileSync(values.ca, 'utf8');
      } catch (e) {
        throw new UsageError(`--ca: cannot read ${values.ca} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      if (!tlsCa.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca: ${values.ca} holds no PEM certificate`);
    }
    const level = values['log-level'] ?? 'warn';
    if (!['error', 'warn', 'info', 'debug'].includes(level)) throw new UsageError(`--log-level must be error, warn, info or debug, not '${level}'`);
    if (values.registrar && !/^sips?:/.test(values.registrar)) throw new UsageError(`--registrar must be a sip: URI, e.g. sip:127.0.0.1:5070`);
    if (values.call && !/^(sips?|tel):/.test(values.call)) throw new UsageError(`--call must be a sip: or tel: URI`);
    const sipPort = int('sip-port', values['sip-port'], 0, 65535) ?? 5060;
    const autoAnswer = int('auto-answer', values['auto-answer'], 0, 600_000);
    hangupAfter = int('hangup-after', values['hangup-after'], 0, 86_400);
    const address = values.address ?? '127.0.0.1';
    const domain = values.domain ?? (values.registrar ? values.registrar.replace(/^sips?:/, '').replace(/[;?].*$/, '').replace(/:\d+$/, '') : address);
    const settings = settingsFor({
      user: values.user, domain, transport,
      ...(values.password !== undefined ? { password: values.password } : {}),
      ...(values.registrar ? { registrar: values.registrar } : {}),
      ...(autoAnswer !== undefined ? { autoAnswerMs: autoAnswer } : {}),
    });
    const print = (e: AppEvent | Record<string, unknown>) => process.stdout.write(`${JSON.stringify(e)}\n`);
    if (values.pcap !== undefined) pcap = openPcap(values.pcap);
    phone = await SimPhone.start(
      {
        id: values.user, settings, address, sipPort, logLevel: level as LogLevel, ...(tlsCa !== undefined ? { tlsCa } : {}),
        ...(pcap ? { network: pcap.network } : {}),
        ...(values['audio-in'] ? { audioIn: values['audio-in'] } : {}),
        ...(values['audio-out'] ? { audioOut: values['audio-out'] } : {}),
      },
      (e) => {
        print(e);
        if (e.type === 'answered' && hangupAfter !== undefined) {
          const call = e.call;
          setTimeout(() => {
            if (phone.app.phone.calls.some((c) => c.id === call)) phone.app.phone.press('hook');
          }, hangupAfter * 1000);
        }
        if ((e.type === 'registered' || e.type === 'registration-failed') && values.call && !placed) {
          placed = true;
          phone.app.phone.dial(values.call);
        }
      },
    );
    print({ type: 'started', user: values.user, address, sipPort: phone.app.ua.transport.localPort('UDP') ?? sipPort });
    if (values.call && !values.registrar) {
      placed = true;
      phone.app.phone.dial(values.call);
    }
  } catch (e) {
    pcap?.close();
    if ((e as Error).name === 'WavError') {
      process.stderr.write(`xsphone sim: cannot use that audio file: ${(e as Error).message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`xsphone sim: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`xsphone sim: ${(e as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await phone.stop();
  pcap?.close();
  process.stdout.write(`${JSON.stringify({ type: 'stopped' })}\n`);
  return 0;
}

let placed = false;

