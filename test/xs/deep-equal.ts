// Structural equality with ava's (concordance's) rules, for the XS lane's ava shim: the same
// prototype, the same own enumerable keys (a key holding `undefined` still counts), Object.is for
// primitives (so NaN equals NaN and 0 differs from -0), typed arrays by type and elements, Maps and
// Sets by entries in insertion order. Plain objects with a null prototype equal plain objects.

type Pairs = Array<[object, object]>;

export function deepEqual(actual: unknown, expected: unknown): boolean {
  return equal(actual, expected, []);
}

/** ava's t.like: every own key of `selector` is deep-equal in `actual`, recursing into plain objects. */
export function isLike(actual: unknown, selector: unknown): boolean {
  if (!isPlainObject(selector)) return deepEqual(actual, selector);
  if (typeof actual !== 'object' || actual === null) return false;
  const source = actual as Record<PropertyKey, unknown>;
  const pattern = selector as Record<PropertyKey, unknown>;
  return ownKeys(pattern).every((key) => key in source && isLike(source[key], pattern[key]));
}

function equal(a: unknown, b: unknown, seen: Pairs): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  for (const [x, y] of seen) if (x === a && y === b) return true;
  if (!sameKind(a, b)) return false;
  seen.push([a, b]);
  try {
    return equalContents(a, b, seen) && equalProperties(a, b, seen);
  } finally {
    seen.pop();
  }
}

function sameKind(a: object, b: object): boolean {
  if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  const pa = Object.getPrototypeOf(a);
  const pb = Object.getPrototypeOf(b);
  return pa === pb || (isObjectOrNullProto(pa) && isObjectOrNullProto(pb));
}

function isObjectOrNullProto(proto: unknown): boolean {
  return proto === null || proto === Object.prototype;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && isObjectOrNullProto(Object.getPrototypeOf(value));
}

/** The parts of built-in objects that are not own enumerable properties. */
function equalContents(a: object, b: object, seen: Pairs): boolean {
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], bb[i], seen)) return false;
    return true;
  }
  if (ArrayBuffer.isView(a)) return sameBytes(a, b as ArrayBufferView);
  if (a instanceof ArrayBuffer) return sameBytes(new Uint8Array(a), new Uint8Array(b as ArrayBuffer));
  if (a instanceof Map) {
    const bb = b as Map<unknown, unknown>;
    if (a.size !== bb.size) return false;
    const other = [...bb];
    let i = 0;
    for (const [key, value] of a) {
      const [otherKey, otherValue] = other[i++]!;
      if (!equal(key, otherKey, seen) || !equal(value, otherValue, seen)) return false;
    }
    return true;
  }
  if (a instanceof Set) {
    const bb = b as Set<unknown>;
    if (a.size !== bb.size) return false;
    const other = [...bb];
    let i = 0;
    for (const value of a) if (!equal(value, other[i++], seen)) return false;
    return true;
  }
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp) return a.source === (b as RegExp).source && a.flags === (b as RegExp).flags;
  if (a instanceof Error) return a.name === (b as Error).name && a.message === (b as Error).message;
  if (a instanceof Number || a instanceof String || a instanceof Boolean) {
    return Object.is(a.valueOf(), (b as Number | String | Boolean).valueOf());
  }
  return true;
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function ownKeys(value: object): PropertyKey[] {
  const keys: PropertyKey[] = [];
  const isList = Array.isArray(value) || ArrayBuffer.isView(value);
  for (const key of Reflect.ownKeys(value)) {
    if (!Object.prototype.propertyIsEnumerable.call(value, key)) continue;
    if (isList && typeof key === 'string' && isIndex(key)) continue;
    keys.push(key);
  }
  return keys;
}

function isIndex(key: string): boolean {
  return key !== '' && String(Number(key) >>> 0) === key;
}

function equalProperties(a: object, b: object, seen: Pairs): boolean {
  const keysA = ownKeys(a);
  const keysB = ownKeys(b);
  if (keysA.length !== keysB.length) return false;
  const ra = a as Record<PropertyKey, unknown>;
  const rb = b as Record<PropertyKey, unknown>;
  for (const key of keysA) {
    if (!Object.prototype.propertyIsEnumerable.call(b, key)) return false;
    if (!equal(ra[key], rb[key], seen)) return false;
  }
  return true;
}
