// How a test run is split into processes (scripts/run-tests.ts). Starting a test process costs
// about a second of CPU before its first assertion (Node, the app's modules, PGlite's
// WebAssembly); paid by each of 160 files, that was a third of a run on two cores. So short files
// share processes: bundles, each importing its files one after another. A file runs alone when it
// is long (it would unbalance a bundle, and a lone process starts it at once), when it has no
// recorded duration yet, or when it asks to (`test-isolation: process` in its first lines, for a
// file that changes process-wide state it cannot put back).

export interface PlanInput {
  /** Repository-relative test files. */
  files: string[];
  /** Recorded seconds per file (test/durations.json); a file without a record counts as long. */
  seconds: Record<string, number>;
  /** Whether a file asks for a process of its own. */
  wantsOwnProcess: (file: string) => boolean;
  /** Processes the runner keeps busy at once. */
  concurrency: number;
  /** A file recorded at this or longer runs alone; bundles are filled to about this size. */
  bundleSeconds: number;
}

export interface PlannedEntry {
  /** One file run alone, or several run in one process. */
  files: string[];
  seconds: number;
}

/** The processes of a run, longest first: a long one started last would run alone at the end. */
export function planTestRun(input: PlanInput): PlannedEntry[] {
  const { files, seconds, wantsOwnProcess, concurrency, bundleSeconds } = input;
  const isAlone = (f: string) => seconds[f] === undefined || seconds[f] >= bundleSeconds || wantsOwnProcess(f);
  const entries: PlannedEntry[] = files
    .filter(isAlone)
    .map((f) => ({ files: [f], seconds: seconds[f] ?? Number.POSITIVE_INFINITY }));
  const shared = files.filter((f) => !isAlone(f)).sort((a, b) => seconds[b]! - seconds[a]! || a.localeCompare(b));
  const total = shared.reduce((sum, f) => sum + seconds[f]!, 0);
  // At least one bundle per process slot, so short files alone still spread over the cores.
  const count = Math.min(shared.length, Math.max(concurrency, Math.ceil(total / bundleSeconds)));
  const bundles: PlannedEntry[] = Array.from({ length: count }, () => ({ files: [], seconds: 0 }));
  // Longest file first into the lightest bundle: bundles end within one file of each other.
  for (const f of shared) {
    const lightest = bundles.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    lightest.files.push(f);
    lightest.seconds += seconds[f]!;
  }
  return [...entries, ...bundles].sort((a, b) => b.seconds - a.seconds || a.files[0]!.localeCompare(b.files[0]!));
}
