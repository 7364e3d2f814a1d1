/**
 * A private Kamailio with the TLS module for the TLS tests: the shared lab config plus kamailio-tls.cfg, with one
 * TLS listener per certificate case (good, wrong name, expired, unknown CA). Started in its own process group in a
 * temporary folder and stopped by its pid; it never touches the shared peers' Kamailio.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCa } from '../../support/test-ca.js';
import { SHARED, waitFor } from '../peers.js';

/** This folder in the source tree (the .cfg files are not copied to dist/). */
const SOURCE = fileURLToPath(new URL('../../../../test/interop/kamailio-tls/', import.meta.url));
/** The shared lab config (registrar + proxy). */
export const SHARED_CFG = `${SHARED}peers/kamailio/kamailio.cfg`;

export interface TlsKamailio {
  sipPort: number;
  /** good, wrong-name, expired, untrusted. */
  tlsPorts: { good: number; wrongName: number; expired: number; untrusted: number };
  log: string;
  kamcmd(...args: string[]): string;
  /** Replies Kamailio has sent statelessly so far (every REGISTER gets one: 401, 200...); NaN if unknown. */
  answered(): number;
  stop(): Promise<void>;
}

export interface KamailioProcess {
  kamcmd(...args: string[]): string;
  log: string;
  stop(): Promise<void>;
}

/**
 * Runs Kamailio with a config in dir (control socket dir/kamailio.ctl), in its own process group, until stop().
 * defines are passed with -A (e.g. SIP_ADDR, SIP_PORT of the shared config).
 */
export async function startKamailio(cfg: string, dir: string, defines: Record<string, string | number>): Promise<KamailioProcess> {
  mkdirSync(dir, { recursive: true });
  const ctl = join(dir, 'kamailio.ctl');
  const log = join(dir, 'kamailio.log');
  const out = openSync(log, 'w');
  const child: ChildProcess = spawn('kamailio', [
    '-f', cfg, '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-m', '32', '-M', '8',
    '-A', `CTL_SOCK="unix:${ctl}"`, '-A', 'DBG_LEVEL=2', ...Object.entries(defines).flatMap(([k, v]) => ['-A', `${k}=${v}`]),
  ], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const kamcmd = (...args: string[]): string => execFileSync('kamcmd', ['-s', `unix:${ctl}`, ...args], { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`kamailio exited (${child.exitCode}):\n${readFileSync(log, 'utf8').slice(-2000)}`);
      try {
        kamcmd('core.version');
        return true;
      } catch {
        return false;
      }
    }, 15_000, 'kamailio to start');
  } catch (e) {
    await stop();
    throw e;
  }
  return { kamcmd, log, stop };
}

/** Kamailio on sipPort (UDP, TCP), TLS with the good certificate on goodTlsPort, the bad ones on badTlsPort, +1, +2. */
export async function startTlsKamailio(ca: TestCa, sipPort: number, goodTlsPort: number, badTlsPort: number): Promise<TlsKamailio> {
  const dir = join(ca.dir, 'kamailio');
  mkdirSync(dir, { recursive: true });
  const ports = [goodTlsPort, badTlsPort, badTlsPort + 1, badTlsPort + 2];
  const fill = (text: string): string =>
    ports.reduce((t, p, i) => t.replaceAll(`@TLS_PORT${i}@`, String(p)), text)
      .replaceAll('@SHARED_CFG@', SHARED_CFG)
      .replaceAll('@TLS_CFG@', join(dir, 'tls.cfg'))
      .replaceAll('@DIR@', ca.dir);
  writeFileSync(join(dir, 'kamailio.cfg'), fill(readFileSync(`${SOURCE}kamailio-tls.cfg`, 'utf8')));
  writeFileSync(join(dir, 'tls.cfg'), fill(readFileSync(`${SOURCE}tls.cfg`, 'utf8')));
  const { kamcmd, log, stop } = await startKamailio(join(dir, 'kamailio.cfg'), dir, { SIP_PORT: sipPort });
  return {
    sipPort,
    tlsPorts: { good: ports[0]!, wrongName: ports[1]!, expired: ports[2]!, untrusted: ports[3]! },
    log,
    kamcmd,
    answered: () => {
      const m = /sl:sent_replies = (\d+)/.exec(kamcmd('stats.get_statistics', 'sl:'));
      return m ? Number(m[1]) : NaN;
    },
    stop,
  };
}
