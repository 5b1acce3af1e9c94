// The tree the container image runs, built without a Docker engine: the final stage's COPY sources
// (read from the Dockerfile itself, so the two cannot drift), minus .dockerignore, plus the same
// `npm ci --omit=dev` the image's first stage runs.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');

/** Sources of the final stage's `COPY` lines that copy from the build context (not `--from`). */
export function imageSources(dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8')): string[] {
  const stages = dockerfile.split(/^FROM /m);
  const final = stages.at(-1)!;
  return final
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !/--from=/.test(line))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));
}

/** The production `npm ci` line of the image's dependency stage. */
export function imageInstallCommand(dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8')): string[] {
  const run = /^RUN (npm ci [^&\n]*)/m.exec(dockerfile)?.[1];
  if (!run) throw new Error('the Dockerfile has no `RUN npm ci` line');
  return run.trim().split(/\s+/).slice(1);
}

/** .dockerignore as a predicate over repository-relative paths (the subset of syntax it uses). */
export function dockerIgnored(patterns = readFileSync(join(REPO, '.dockerignore'), 'utf8')): (path: string) => boolean {
  const rules = patterns
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return (path) =>
    rules.some((rule) => {
      if (rule.startsWith('**/')) return matchName(basename(path), rule.slice(3));
      return path === rule || path.startsWith(`${rule}/`) || (rule.includes('*') && matchName(path, rule));
    });
}

function matchName(name: string, glob: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return re.test(name);
}

/** Copies what the image copies into `dir` and installs production dependencies there. */
export function buildProductionTree(dir: string): void {
  const ignored = dockerIgnored();
  for (const source of imageSources()) {
    cpSync(join(REPO, source), join(dir, source), {
      recursive: true,
      filter: (from) => !ignored(relative(REPO, from)),
    });
  }
  execFileSync('npm', [...imageInstallCommand(), '--prefer-offline'], {
    cwd: dir,
    stdio: 'pipe',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}
