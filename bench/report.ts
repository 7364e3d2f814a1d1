// Shared output helpers for the benchmarks: aligned tables and PASS/MISS verdicts on targets.
// Benchmarks never fail the build on a missed target; they say so.

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Prints `PASS` or `MISS` with the measured value against its target. */
export function verdict(ok: boolean, what: string, measured: string, target: string): string {
  return `${ok ? 'PASS' : 'MISS'}  ${what}: ${measured} (target ${target})`;
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

export function grouped(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
