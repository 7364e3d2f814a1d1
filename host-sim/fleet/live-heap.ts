/**
 * The heap still in use, after a full garbage collection: what the report's per-phone and per-call heap figures
 * compare (heapUsed alone also counts garbage not yet collected, so two samples can differ either way). Node starts
 * without `gc`; exposing it at run time serves new contexts, which is where it is taken from. A full collection of
 * a fleet's heap costs some tens of ms: taken three times a run, its CPU time is reported for subtraction.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;

function gc(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    collect = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

export interface HeapSample {
  /** process.memoryUsage() after the collection. */
  heapUsed: number;
  rss: number;
  /** Whether a full collection ran first (false: the figures include garbage). */
  collected: boolean;
  /** CPU the collection took, µs (user + system). */
  cpuUs: number;
}

export function liveHeap(): HeapSample {
  const run = gc();
  const cpu0 = process.cpuUsage();
  run?.();
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  return { heapUsed: mem.heapUsed, rss: mem.rss, collected: run !== null, cpuUs: cpu.user + cpu.system };
}
