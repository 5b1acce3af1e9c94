// Loaded into every test process by scripts/run-tests.ts (--import). Two jobs: node:test's
// bookkeeping of which test is running without its costly async hook (below), and a process that
// ends when its tests have (at the end). Once the process's last test has ended, nothing its tests left behind may keep it running: an idle keep-alive socket of
// fetch (held for 4 s), a listening server, a timer. The runner does not use node:test's
// forceExit for this: forceExit calls process.exit() before the process's last test events have
// reached the runner through the pipe, and the runner then counts the tests it never heard of as
// neither passed nor failed (it loses them in silence). Here the process ends the ordinary way,
// after its output is written.
import asyncHooks, { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getCallSites } from 'node:util';

// node:test finds the test that a `test()`/`describe()`/hook call or an uncaught error belongs to
// through an async hook with a destroy callback, enabled for the whole process. Such a hook makes
// V8 track every promise until it is collected: an await costs ten to thirty times more, a sixth of
// the CPU of a store-heavy test file. Node's AsyncLocalStorage follows the same async context at
// almost no cost, so here it does that job:
// - the harness's hook is never enabled (its init still registers each test as it first runs);
// - each test runs inside the storage, which then names the test whose context this is;
// - the registering functions, and node:test's handlers of uncaught errors, run in the scope of
//   the test whose context called them, where the harness finds that test as before.
type TestLike = AsyncResource & { name: string; finished?: boolean };
const currentTest = new AsyncLocalStorage<TestLike>();
let harnessInit: ((asyncId: number, type: string, triggerAsyncId: number, resource: object) => void) | undefined;

const AsyncHookPrototype = Object.getPrototypeOf(asyncHooks.createHook({})) as { enable(): unknown };
const enable = AsyncHookPrototype.enable;
AsyncHookPrototype.enable = function (this: Record<symbol, unknown>) {
  const callbacks = Object.getOwnPropertySymbols(this).map((key) => this[key]);
  const init = callbacks.find((f) => typeof f === 'function' && String(f).includes('testResources'));
  if (!init) return enable.call(this);
  harnessInit = init as typeof harnessInit;
  return this;
};

// node:test's Test (and its Suite and hook classes) extend AsyncResource and run every function
// through runInAsyncScope.
const isTest = (resource: object): resource is TestLike => {
  for (let p = Object.getPrototypeOf(resource); p && p !== AsyncResource.prototype; p = Object.getPrototypeOf(p))
    if (p.constructor?.name === 'Test') return true;
  return false;
};
const registered = new WeakSet<object>();
const runInAsyncScope = AsyncResource.prototype.runInAsyncScope;
AsyncResource.prototype.runInAsyncScope = function (
  this: AsyncResource,
  fn: (...args: unknown[]) => unknown,
  thisArg?: unknown,
  ...args: unknown[]
) {
  if (!harnessInit || !isTest(this)) return runInAsyncScope.call(this, fn, thisArg, ...args);
  const test = this;
  if (!registered.has(test)) {
    registered.add(test);
    harnessInit(test.asyncId(), 'Test', test.triggerAsyncId(), test);
  }
  return runInAsyncScope.call(
    test,
    function (this: unknown, ...inner: unknown[]) {
      return currentTest.run(test, () => Reflect.apply(fn, this, inner));
    },
    thisArg,
    ...args,
  );
} as typeof runInAsyncScope;

const nodeTest = createRequire(import.meta.url)('node:test') as Record<string, unknown>;
// The harness records where each test was declared as the caller of the function that made it,
// which is now the wrapper below: the tests and hooks a call makes are caught as they are
// constructed (an init hook enabled for that call only) and given their caller's place.
type Location = { line: number; column: number; file: string };
let made: Array<{ loc?: Location }> | undefined;
const construction = asyncHooks.createHook({
  init(_id, type, _trigger, resource) {
    if (type === 'Test') made?.push(resource as { loc?: Location });
  },
});
const ownFile = fileURLToPath(import.meta.url);
// A registering function called in a test's async context runs in that test's scope, where the
// harness looks for the parent (synchronously, by the scope's async id).
const inTestScope = <F extends (...args: never[]) => unknown>(fn: F): F => {
  const wrapped = function (this: unknown, ...args: Parameters<F>) {
    const caller = getCallSites(2)[1];
    const test = currentTest.getStore();
    const outer = made;
    made = [];
    if (!outer) construction.enable();
    try {
      if (!test || asyncHooks.executionAsyncId() === test.asyncId()) return Reflect.apply(fn, this, args);
      return test.runInAsyncScope(() => Reflect.apply(fn, this, args));
    } finally {
      if (!outer) construction.disable();
      if (caller)
        for (const declared of made)
          if (declared.loc?.file === ownFile)
            declared.loc = {
              __proto__: null,
              line: caller.lineNumber,
              column: caller.columnNumber,
              file: caller.scriptName.startsWith('file:') ? fileURLToPath(caller.scriptName) : caller.scriptName,
            } as Location;
      made = outer;
    }
  } as F;
  // Its variants (test.skip, describe.only…) register too; the rest (test.mock…) is copied as is.
  const own = fn as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(own))
    (wrapped as unknown as Record<string, unknown>)[key] = ['skip', 'todo', 'only', 'expectFailure'].includes(key)
      ? inTestScope(value as F)
      : value;
  return wrapped;
};
// The named exports (test files import these; the default export, the bare `test`, stays as is).
for (const name of ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'])
  if (typeof nodeTest[name] === 'function') nodeTest[name] = inTestScope(nodeTest[name] as () => unknown);
syncBuiltinESMExports();

const { after } = await import('node:test');

// Timers are not listed among the active handles; remember the ones created here (weakly).
const timers = new Set<WeakRef<NodeJS.Timeout>>();
type TimerFunction = (...args: unknown[]) => NodeJS.Timeout;
const timerFunctions = globalThis as unknown as Record<'setTimeout' | 'setInterval', TimerFunction>;
for (const name of ['setTimeout', 'setInterval'] as const) {
  const original = timerFunctions[name];
  // Keeps the original's own properties (setTimeout's promisified form).
  timerFunctions[name] = Object.assign((...args: unknown[]) => {
    const timer = original(...args);
    timers.add(new WeakRef(timer));
    return timer;
  }, original);
}

interface MaybeRefed {
  unref?: () => unknown;
}

// A root-level after hook: node:test runs it when every top-level test of the process has ended.
after(() => {
  const stdio = new Set<unknown>([process.stdin, process.stdout, process.stderr]);
  const handles = (process as unknown as { _getActiveHandles(): MaybeRefed[] })._getActiveHandles();
  for (const handle of handles) if (!stdio.has(handle)) handle.unref?.();
  for (const timer of timers) timer.deref()?.unref();
});

// The root after hook above made node:test set up its process handlers.
type Listener = (...args: unknown[]) => void;
const events = process as unknown as {
  listeners(event: string): Listener[];
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
};
const handlerWrappers = new Map<Listener, Listener>();
for (const event of ['uncaughtException', 'unhandledRejection']) {
  const handler = events.listeners(event).find((l) => String(l).includes('testResources'));
  if (!handler || !harnessInit) continue;
  const wrapper: Listener = (...args) => {
    const test = currentTest.getStore();
    if (test) test.runInAsyncScope(() => Reflect.apply(handler, process, args));
    else Reflect.apply(handler, process, args);
  };
  handlerWrappers.set(handler, wrapper);
  events.removeListener(event, handler);
  events.on(event, wrapper);
}
// node:test removes its handlers when its tests are done; the wrappers go with them.
const removeListener = events.removeListener;
events.removeListener = function (this: unknown, event: string, listener: Listener) {
  return removeListener.call(this, event, handlerWrappers.get(listener) ?? listener);
};
