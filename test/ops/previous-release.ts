// The previous release's server tree for the rolling-upgrade test: its bin/ and src/ from git
// (`git archive`, so it works in any clone whose history reaches the commit), and node_modules —
// the current ones when the old lockfile pins nothing the current one does not (the usual case:
// a release adds dependencies), else its own `npm ci --omit=dev`.
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './production-install.ts';

/**
 * The release instances upgrade from. A tag names it where tags are fetched; the commit is the
 * fallback a fresh clone always has (it is an ancestor of HEAD). Move both on every release.
 * From 0.1.0 (cac32ec) the upgrade is stop-migrate-start, once: its instances append to the audit
 * log directly, which the Merkle log's migration forbids (docs/operations.md). The baseline is the
 * first commit with the Merkle log.
 */
export const PREVIOUS_RELEASE = { tag: '', commit: 'f59de5d' };

function git(args: string[]): string {
  return execFileSync('git', ['-C', REPO, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function resolvePreviousRelease(): string {
  for (const ref of [process.env.UPGRADE_FROM, PREVIOUS_RELEASE.tag, PREVIOUS_RELEASE.commit]) {
    if (!ref) continue;
    try {
      return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      // not in this clone; try the next name
    }
  }
  throw new Error(
    `the previous release (${PREVIOUS_RELEASE.tag} / ${PREVIOUS_RELEASE.commit}) is not in this clone: ` +
      'fetch with history (git fetch --unshallow) or set UPGRADE_FROM',
  );
}

type Lock = { packages: Record<string, { version?: string; dev?: boolean }> };

/** True when every production package the old lockfile pins is in the current one at the same version. */
export function currentModulesServe(oldLock: Lock, currentLock: Lock): boolean {
  return Object.entries(oldLock.packages).every(
    ([path, p]) => path === '' || p.dev === true || currentLock.packages[path]?.version === p.version,
  );
}

export function buildPreviousRelease(commit: string): { dir: string; reusedModules: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'gh-previous-release-'));
  execSync(
    `git -C "${REPO}" archive --format=tar ${commit} bin src package.json package-lock.json | tar -x -C "${dir}"`,
    { stdio: 'pipe' },
  );
  const oldLock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as Lock;
  const currentLock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as Lock;
  if (currentModulesServe(oldLock, currentLock)) {
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { dir, reusedModules: true };
  }
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    stdio: 'pipe',
  });
  return { dir, reusedModules: false };
}
