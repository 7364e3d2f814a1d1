/** Splits a header value at the commas that separate list elements (not inside quotes, <> or auth params). */
export function splitList(value: string, out: string[]): void {
  let start = 0;
  let quoted = false;
  let angle = false;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === 44 && !angle) {
      pushTrimmed(value, start, i, out);
      start = i + 1;
    }
  }
  pushTrimmed(value, start, n, out);
}

function pushTrimmed(v: string, s: number, e: number, out: string[]): void {
  while (s < e && isWs(v.charCodeAt(s))) s++;
  while (e > s && isWs(v.charCodeAt(e - 1))) e--;
  if (e > s) out.push(v.slice(s, e));
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}
