// Loaded into every test process by scripts/run-tests.ts (--import). Once the process's last test
// has ended, nothing its tests left behind may keep it running: an idle keep-alive socket of
// fetch (held for 4 s), a listening server, a timer. The runner does not use node:test's
// forceExit for this: forceExit calls process.exit() before the process's last test events have
// reached the runner through the pipe, and the runner then counts the tests it never heard of as
// neither passed nor failed (it loses them in silence). Here the process ends the ordinary way,
// after its output is written.
import { after } from 'node:test';

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
