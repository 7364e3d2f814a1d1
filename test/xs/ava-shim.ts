// The subset of ava that core tests may use, for the XS lane: esbuild aliases `ava` to this module.
// Tests register when their file loads; the XS runner takes them with takeRegistered() and runs
// them one after another with runFile(). Like ava, a failed assertion records the failure and
// throws, and a test that makes no assertion fails.
import { deepEqual, isLike } from './deep-equal.js';

export type Implementation = (t: ExecutionContext) => unknown;
export interface RegisteredTest {
  readonly title: string;
  readonly fn: Implementation | undefined;
  readonly skip: boolean;
}

/** What the runner gets from the engine host (the real XS globals, kept before they were hidden). */
export interface RunnerHost {
  now(): number;
  report(event: TestEvent): void;
}
export type TestEvent =
  | { type: 'pass'; file: string; title: string; ms: number; logs: string[] }
  | { type: 'fail'; file: string; title: string; ms: number; logs: string[]; error: string }
  | { type: 'skip'; file: string; title: string };

export interface ThrowsExpectation {
  instanceOf?: new (...args: never[]) => unknown;
  message?: string | RegExp | ((message: string) => boolean);
  name?: string;
  code?: unknown;
  is?: unknown;
  any?: boolean;
}

let registered: RegisteredTest[] = [];

function register(title: string, fn: Implementation | undefined, skip = false): void {
  if (typeof title !== 'string') throw new TypeError('ava shim: test(title, fn) needs a title');
  if (!skip && typeof fn !== 'function') throw new TypeError(`ava shim: test "${title}" has no implementation`);
  registered.push({ title, fn, skip });
}

interface TestFunction {
  (title: string, fn: Implementation): void;
  serial: TestFunction;
  skip(title: string, fn?: Implementation): void;
  todo(title: string): void;
}

const test = ((title: string, fn: Implementation) => register(title, fn)) as TestFunction;
test.serial = test;
test.skip = (title: string, fn?: Implementation) => register(title, fn, true);
test.todo = (title: string) => register(title, undefined, true);
export default test;

export function takeRegistered(): RegisteredTest[] {
  const tests = registered;
  registered = [];
  return tests;
}

/** Thrown by a failed assertion; the test is already marked failed when it propagates. */
export class AssertionFailure extends Error {
  override name = 'AssertionFailure';
}

export class ExecutionContext {
  readonly logs: string[] = [];
  assertions = 0;
  failure: string | undefined;
  private planned: number | undefined;
  private readonly teardowns: Array<() => unknown> = [];

  constructor(readonly title: string) {}

  private record(ok: boolean, message: string, detail?: string): void {
    this.assertions++;
    if (ok) return;
    const text = detail === undefined ? message : `${message}\n${detail}`;
    this.failure ??= text;
    throw new AssertionFailure(text);
  }

  pass(): void {
    this.record(true, '');
  }
  fail(message = 'Test failed via `t.fail()`'): void {
    this.record(false, message);
  }
  is(actual: unknown, expected: unknown, message = 'Values are not the same'): void {
    this.record(Object.is(actual, expected), message, difference(actual, expected));
  }
  not(actual: unknown, expected: unknown, message = 'Value is the same as'): void {
    this.record(!Object.is(actual, expected), message, show(actual));
  }
  deepEqual(actual: unknown, expected: unknown, message = 'Values are not deeply equal'): void {
    this.record(deepEqual(actual, expected), message, difference(actual, expected));
  }
  notDeepEqual(actual: unknown, expected: unknown, message = 'Values are deeply equal'): void {
    this.record(!deepEqual(actual, expected), message, show(actual));
  }
  like(actual: unknown, selector: unknown, message = 'Value is not like the selector'): void {
    this.record(isLike(actual, selector), message, difference(actual, selector));
  }
  true(actual: unknown, message = 'Value is not `true`'): void {
    this.record(actual === true, message, show(actual));
  }
  false(actual: unknown, message = 'Value is not `false`'): void {
    this.record(actual === false, message, show(actual));
  }
  truthy(actual: unknown, message = 'Value is not truthy'): void {
    this.record(Boolean(actual), message, show(actual));
  }
  falsy(actual: unknown, message = 'Value is not falsy'): void {
    this.record(!actual, message, show(actual));
  }
  regex(text: string, pattern: RegExp, message = 'Value must match expression'): void {
    this.record(typeof text === 'string' && pattern.test(text), message, `${show(text)} against ${String(pattern)}`);
  }
  notRegex(text: string, pattern: RegExp, message = 'Value must not match expression'): void {
    this.record(typeof text === 'string' && !pattern.test(text), message, `${show(text)} against ${String(pattern)}`);
  }

  throws(fn: () => unknown, expectation?: ThrowsExpectation, message = 'Function should throw'): any {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      this.checkThrown(error, expectation, message);
      return error;
    }
    const hint = isThenable(result) ? ' (it returned a promise: use t.throwsAsync)' : '';
    this.record(false, `${message}: it returned ${show(result)}${hint}`);
  }

  async throwsAsync(thrower: (() => PromiseLike<unknown>) | PromiseLike<unknown>, expectation?: ThrowsExpectation,
    message = 'Promise should reject'): Promise<any> {
    try {
      const result = await (typeof thrower === 'function' ? thrower() : thrower);
      this.record(false, `${message}: it resolved with ${show(result)}`);
    } catch (error) {
      if (error instanceof AssertionFailure) throw error;
      this.checkThrown(error, expectation, message);
      return error;
    }
  }

  notThrows(fn: () => unknown, message = 'Function threw'): void {
    try {
      fn();
    } catch (error) {
      this.record(false, message, show(error));
    }
    this.record(true, '');
  }

  async notThrowsAsync(thrower: (() => PromiseLike<unknown>) | PromiseLike<unknown>, message = 'Promise rejected'): Promise<void> {
    try {
      await (typeof thrower === 'function' ? thrower() : thrower);
    } catch (error) {
      this.record(false, message, show(error));
    }
    this.record(true, '');
  }

  log(...values: unknown[]): void {
    this.logs.push(values.map((v) => (typeof v === 'string' ? v : show(v))).join(' '));
  }
  plan(count: number): void {
    this.planned = count;
  }
  teardown(fn: () => unknown): void {
    this.teardowns.push(fn);
  }
  timeout(): void {}

  /** Called by the runner once the implementation has settled. */
  async finish(): Promise<void> {
    for (const fn of this.teardowns.reverse()) await fn();
    if (this.failure !== undefined) return;
    if (this.planned !== undefined && this.planned !== this.assertions) {
      this.failure = `Planned for ${this.planned} assertions, but got ${this.assertions}`;
    } else if (this.assertions === 0) {
      this.failure = 'Test finished without running any assertions';
    }
  }

  private checkThrown(error: unknown, expectation: ThrowsExpectation | undefined, message: string): void {
    const problems: string[] = [];
    const e = error as { message?: unknown; name?: unknown; code?: unknown } | null;
    if (expectation?.any !== true && !(error instanceof Error)) problems.push(`threw a non-error: ${show(error)}`);
    if (expectation?.instanceOf && !(error instanceof expectation.instanceOf)) {
      problems.push(`expected instance of ${expectation.instanceOf.name}, got ${show(error)}`);
    }
    const expected = expectation?.message;
    if (expected !== undefined) {
      const actual = String(e?.message);
      const ok = typeof expected === 'string' ? actual === expected
        : expected instanceof RegExp ? expected.test(actual) : expected(actual);
      if (!ok) problems.push(`message ${show(actual)} does not match ${show(expected)}`);
    }
    if (expectation?.name !== undefined && e?.name !== expectation.name) problems.push(`name is ${show(e?.name)}`);
    if (expectation && 'code' in expectation && e?.code !== expectation.code) problems.push(`code is ${show(e?.code)}`);
    if (expectation && 'is' in expectation && error !== expectation.is) problems.push('not the expected error object');
    this.record(problems.length === 0, message, problems.join('\n'));
  }
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Runs one file's tests in order and reports each result. */
export async function runFile(file: string, tests: RegisteredTest[], host: RunnerHost): Promise<void> {
  for (const { title, fn, skip } of tests) {
    if (skip || fn === undefined) {
      host.report({ type: 'skip', file, title });
      continue;
    }
    const t = new ExecutionContext(title);
    const start = host.now();
    try {
      await fn(t);
    } catch (error) {
      if (!(error instanceof AssertionFailure)) t.failure ??= `Error thrown in test: ${describeError(error)}`;
    }
    try {
      await t.finish();
    } catch (error) {
      t.failure ??= `Error thrown in teardown: ${describeError(error)}`;
    }
    const ms = host.now() - start;
    if (t.failure === undefined) host.report({ type: 'pass', file, title, ms, logs: t.logs });
    else host.report({ type: 'fail', file, title, ms, logs: t.logs, error: t.failure });
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = typeof error.stack === 'string' ? error.stack : '';
    const head = `${error.name}: ${error.message}`;
    return stack.includes(error.message) ? stack : `${head}\n${stack}`.trim();
  }
  return show(error);
}

function difference(actual: unknown, expected: unknown): string {
  return `- ${show(actual)}\n+ ${show(expected)}`;
}

/** A compact, bounded rendering of a value for failure messages. */
export function show(value: unknown, depth = 0): string {
  const text = render(value, depth);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'bigint': return `${value}n`;
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'undefined': case 'boolean': case 'symbol': return String(value);
    case 'function': return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return 'null';
  if (depth > 4) return '[…]';
  const d = depth + 1;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value)) return `[${value.map((v) => render(v, d)).join(', ')}]`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number>, (v) => render(v, d));
    return `${value.constructor.name} [${items.join(', ')}]`;
  }
  if (value instanceof Map) return `Map {${[...value].map(([k, v]) => `${render(k, d)} => ${render(v, d)}`).join(', ')}}`;
  if (value instanceof Set) return `Set {${[...value].map((v) => render(v, d)).join(', ')}}`;
  if (value instanceof Date) return `Date ${value.toISOString()}`;
  if (value instanceof RegExp) return String(value);
  const proto = Object.getPrototypeOf(value);
  const name = proto && proto !== Object.prototype ? `${proto.constructor?.name ?? ''} ` : '';
  const record = value as Record<PropertyKey, unknown>;
  const fields = Reflect.ownKeys(value as object)
    .filter((key) => Object.prototype.propertyIsEnumerable.call(value, key))
    .map((key) => `${String(key)}: ${render(record[key], d)}`);
  return `${name}{${fields.join(', ')}}`;
}
