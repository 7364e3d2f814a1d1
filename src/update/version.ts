/**
 * Version order for updates: dotted numbers compared numerically ("1.10" > "1.9"), missing parts are 0,
 * and a pre-release ("1.2.0-rc1") comes before its release. Returns <0, 0 or >0.
 */
export function compareVersions(a: string, b: string): number {
  const [an, ap] = split(a);
  const [bn, bp] = split(b);
  const n = Math.max(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const d = (an[i] ?? 0) - (bn[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  if (ap === bp) return 0;
  if (ap === undefined) return 1;
  if (bp === undefined) return -1;
  return ap < bp ? -1 : 1;
}

function split(v: string): [number[], string | undefined] {
  const dash = v.indexOf('-');
  const main = dash < 0 ? v : v.slice(0, dash);
  const pre = dash < 0 ? undefined : v.slice(dash + 1);
  return [main.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : 0)), pre];
}
