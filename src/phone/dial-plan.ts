/**
 * Digit maps in the style of MGCP (RFC 3435 §2.1.5), as desk phones use them:
 * alternatives separated by '|'; 'x' any digit 0-9; '[1-5]' or '[135]' a set; '.' repeats the previous element zero
 * or more times; '*' and '#' literal. "x.T" style timers are implicit: a partial match waits the inter-digit time-out.
 */
export type DialVerdict = 'complete' | 'partial' | 'no-match';

type Element = { set: string; repeat: boolean };

/** A compiled digit map: each alternative is a list of elements. */
export type DigitMap = readonly (readonly Element[])[];

export class DialPlanError extends Error {}

export function compileDigitMap(text: string): DigitMap {
  const source = text.replace(/\s+/g, '').replace(/^\(|\)$/g, '');
  if (!source) throw new DialPlanError('dial plan is empty');
  return source.split('|').map((alt) => {
    const elements: Element[] = [];
    for (let i = 0; i < alt.length; i++) {
      const c = alt[i]!;
      if (c === '.') {
        const last = elements[elements.length - 1];
        if (!last) throw new DialPlanError(`dial plan '${alt}': '.' must follow a digit, 'x' or a set`);
        last.repeat = true;
      } else if (c === 'x' || c === 'X') {
        elements.push({ set: '0123456789', repeat: false });
      } else if (c === '[') {
        const end = alt.indexOf(']', i);
        if (end < 0) throw new DialPlanError(`dial plan '${alt}': '[' without ']'`);
        elements.push({ set: expandSet(alt.slice(i + 1, end), alt), repeat: false });
        i = end;
      } else if (c === 'T' || c === 't') {
        // Timer marker: a partial match already waits for the inter-digit time-out.
      } else if ('0123456789*#ABCDabcd'.includes(c)) {
        elements.push({ set: c.toUpperCase(), repeat: false });
      } else {
        throw new DialPlanError(`dial plan '${alt}': unexpected '${c}'`);
      }
    }
    if (elements.length === 0) throw new DialPlanError('dial plan has an empty alternative');
    return elements;
  });
}

function expandSet(body: string, alt: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const from = c.charCodeAt(0);
      const to = body.charCodeAt(i + 2);
      if (to < from) throw new DialPlanError(`dial plan '${alt}': bad range ${c}-${body[i + 2]}`);
      for (let k = from; k <= to; k++) out += String.fromCharCode(k);
      i += 2;
    } else out += c;
  }
  if (!out) throw new DialPlanError(`dial plan '${alt}': empty set`);
  return out;
}

/** Classifies the digits dialled so far against the map. */
export function matchDigits(map: DigitMap, digits: string): DialVerdict {
  let partial = false;
  for (const alt of map) {
    const r = matchAlternative(alt, digits.toUpperCase());
    if (r === 'complete') return 'complete';
    if (r === 'partial') partial = true;
  }
  return partial ? 'partial' : 'no-match';
}

/** 'complete' only when the digits match and no longer string could match this alternative. */
function matchAlternative(alt: readonly Element[], digits: string): DialVerdict {
  // states: set of element indexes reachable after consuming i digits (NFA simulation).
  let states = closure(alt, [0]);
  for (const d of digits) {
    const next: number[] = [];
    for (const s of states) {
      const e = alt[s];
      if (!e || !e.set.includes(d)) continue;
      next.push(e.repeat ? s : s + 1);
    }
    states = closure(alt, next);
    if (states.length === 0) return 'no-match';
  }
  const done = states.includes(alt.length);
  const more = states.some((s) => s < alt.length);
  if (done && !more) return 'complete';
  // A repeat at the end ("x.") can always take more digits: the time-out or '#' ends it.
  return 'partial';
}

function closure(alt: readonly Element[], states: number[]): number[] {
  const out = new Set<number>();
  const stack = [...states];
  while (stack.length) {
    const s = stack.pop()!;
    if (out.has(s)) continue;
    out.add(s);
    if (alt[s]?.repeat) stack.push(s + 1);
  }
  return [...out].sort((a, b) => a - b);
}
