/** Shared bits of the call interop tests: a private Kamailio per test file, and registered `xsphone sim` phones. */
import { execFileSync } from 'node:child_process';
import { SimProcess, type SimOptions } from '../support/sim-process.js';
import { ensurePeersIn, privatePeers, stopPeer } from './peers.js';

export interface PrivateKamailio {
  port: number;
  registrar: string;
  env: NodeJS.ProcessEnv;
  /** kamcmd against this Kamailio. */
  kamcmd(...args: string[]): string;
  /** Contacts registered for a user here. */
  contacts(user: string): string[];
  /** Drops every registration of these users (left by a phone that was killed). */
  clear(...users: string[]): void;
  stop(): void;
}

/**
 * A Kamailio of the calling test file's own (own port and run folder), so tests running in parallel never see each
 * other's registrations and a test may stop it.
 */
export function privateKamailio(name: string, port: number): PrivateKamailio {
  const env = privatePeers(name, port);
  ensurePeersIn(env, 'kamailio');
  const kamcmd = (...args: string[]) =>
    execFileSync('kamcmd', ['-s', `unix:${env['SIP_PEERS_DIR']}/kamailio.ctl`, ...args], { encoding: 'utf8', timeout: 10_000 });
  const contacts = (user: string): string[] => {
    try {
      return [...kamcmd('ul.lookup', 'location', user).matchAll(/Address:\s*(\S+)/g)].map((m) => m[1]!);
    } catch {
      return [];
    }
  };
  return {
    port, env, kamcmd, contacts,
    registrar: `sip:127.0.0.1:${port}`,
    clear: (...users) => {
      for (const u of users) {
        try {
          kamcmd('ul.rm', 'location', u);
        } catch {
          // not registered
        }
      }
    },
    stop: () => stopPeer('kamailio', env),
  };
}

/** Starts a phone registered with its own password (`<user>pw`) and waits for `registered`. */
export async function registeredPhone(kam: PrivateKamailio, o: SimOptions, ms = 15_000): Promise<SimProcess> {
  const p = await SimProcess.start({ registrar: kam.registrar, password: `${o.user}pw`, ...o });
  try {
    await p.waitFor('registered', ms);
  } catch (e) {
    p.kill();
    throw e;
  }
  return p;
}

/** Resolves after ms. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
