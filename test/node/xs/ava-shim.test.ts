// The XS lane's ava shim must judge like ava: the expectations in these tables are what ava 7's
// own t.deepEqual and t.throws answer for the same values.
import test from 'ava';
import { deepEqual } from '../../xs/deep-equal.js';
import { ExecutionContext, runFile, type RegisteredTest, type TestEvent } from '../../xs/ava-shim.js';

class Animal {
  constructor(readonly legs: number) {}
}

const equalCases: Array<[string, unknown, unknown, boolean]> = [
  ['a key holding undefined differs from a missing key', { a: undefined }, {}, false],
  ['0 and -0 differ', 0, -0, false],
  ['NaN equals NaN', NaN, NaN, true],
  ['same typed arrays', new Uint8Array([1, 2]), new Uint8Array([1, 2]), true],
  ['typed arrays of another type', new Uint8Array([1, 2]), new Int8Array([1, 2]), false],
  ['typed array and array', new Uint8Array([1, 2]), [1, 2], false],
  ['typed arrays with other contents', new Uint16Array([1, 2]), new Uint16Array([1, 3]), false],
  ['typed array views compare their window', new Uint8Array([9, 1, 2]).subarray(1), new Uint8Array([1, 2]), true],
  ['Map entry order matters', new Map([[1, 2], [3, 4]]), new Map([[3, 4], [1, 2]]), false],
  ['Set order matters', new Set([1, 2]), new Set([2, 1]), false],
  ['Maps with equal nested values', new Map([['k', { v: [1] }]]), new Map([['k', { v: [1] }]]), true],
  ['class instance and plain object', new Animal(4), { legs: 4 }, false],
  ['class instances', new Animal(4), new Animal(4), true],
  ['null prototype and plain object', Object.assign(Object.create(null), { x: 1 }), { x: 1 }, true],
  ['a hole equals undefined', [, 1], [undefined, 1], true],
  ['extra array property', Object.assign([1], { p: 1 }), [1], false],
  ['key order does not matter', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
  ['dates', new Date(5), new Date(5), true],
  ['different dates', new Date(5), new Date(6), false],
  ['errors with the same message', new Error('x'), new Error('x'), true],
  ['symbol keys count', { [Symbol.for('s')]: 1 }, {}, false],
  ['non-enumerable keys do not', Object.defineProperty({}, 'x', { value: 1 }), {}, true],
  ['nested difference', { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } }, false],
];

for (const [title, a, b, expected] of equalCases) {
  test(`deepEqual: ${title}`, (t) => {
    t.is(deepEqual(a, b), expected);
  });
}

test('deepEqual handles cycles', (t) => {
  const a: { self?: unknown } = {};
  a.self = a;
  const b: { self?: unknown } = {};
  b.self = b;
  t.true(deepEqual(a, b));
});

async function runOne(fn: (t: ExecutionContext) => unknown): Promise<TestEvent> {
  const events: TestEvent[] = [];
  const tests: RegisteredTest[] = [{ title: 'x', fn, skip: false }];
  await runFile('f', tests, { now: () => 0, report: (e) => events.push(e) });
  return events[0]!;
}

test('a failed assertion fails the test even when the test catches it, as in ava', async (t) => {
  const event = await runOne((tt) => {
    try {
      tt.is(1, 2);
    } catch {
      // ignored on purpose
    }
    tt.pass();
  });
  t.is(event.type, 'fail');
});

test('throws checks instanceOf and message and returns the error', async (t) => {
  t.is((await runOne((tt) => {
    const e = tt.throws(() => {
      throw new TypeError('boom');
    }, { instanceOf: TypeError, message: 'boom' });
    tt.is(e.message, 'boom');
  })).type, 'pass');
  t.is((await runOne((tt) => tt.throws(() => {
    throw new TypeError('boom');
  }, { instanceOf: RangeError }))).type, 'fail');
  t.is((await runOne((tt) => tt.throws(() => 1))).type, 'fail');
  t.is((await runOne((tt) => tt.throws(() => {
    throw new Error('other');
  }, { message: /boom/ }))).type, 'fail');
});

test('no assertion, a thrown error and a failed plan fail; t.log is kept', async (t) => {
  t.is((await runOne(() => {})).type, 'fail');
  const thrown = await runOne(() => {
    throw new Error('oops');
  });
  t.is(thrown.type, 'fail');
  t.regex(thrown.type === 'fail' ? thrown.error : '', /oops/);
  t.is((await runOne((tt) => {
    tt.plan(2);
    tt.pass();
  })).type, 'fail');
  const logged = await runOne((tt) => {
    tt.log('hello', { a: 1 });
    tt.pass();
  });
  t.deepEqual(logged.type === 'pass' ? logged.logs : [], ['hello {a: 1}']);
});

test('truthiness, regex and async assertions', async (t) => {
  t.is((await runOne((tt) => {
    tt.true(true);
    tt.false(false);
    tt.truthy(1);
    tt.falsy('');
    tt.regex('abc', /b/);
    tt.not(1, 2);
    tt.notDeepEqual([1], [2]);
    tt.notThrows(() => 1);
  })).type, 'pass');
  t.is((await runOne((tt) => tt.true(1 as unknown as boolean))).type, 'fail');
  t.is((await runOne(async (tt) => {
    await tt.throwsAsync(Promise.reject(new Error('no')), { message: 'no' });
  })).type, 'pass');
  t.is((await runOne(async (tt) => {
    await tt.throwsAsync(Promise.resolve(1));
  })).type, 'fail');
});
