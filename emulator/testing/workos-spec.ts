// The WorkOS OpenAPI document (@workos/openapi-spec), parsed once per process. Its YAML (1.1 MB)
// takes about a second of CPU to parse and its JSON form 5 ms, so the first process to read a
// given version writes the JSON beside the other caches in node_modules/.cache, keyed by the
// YAML's hash, and every later one reads that. A cache that cannot be written or read is skipped.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/gatehouse/', import.meta.url));

let parsed: Record<string, unknown> | undefined;
let key: string | undefined;

/** The parsed document; callers must not change it (it is shared by the whole process). */
export function workosSpec(): Record<string, unknown> {
  parsed ??= load();
  return parsed;
}

/** A short hash of the document's text: a key for what is derived from it and cached. */
export function workosSpecKey(): string {
  workosSpec();
  return key!;
}

/** Where caches derived from the spec live (git-ignored, beside the project's other caches). */
export const SPEC_CACHE_DIR = CACHE_DIR;

function load(): Record<string, unknown> {
  const yaml = readFileSync(createRequire(import.meta.url).resolve('@workos/openapi-spec/spec'), 'utf8');
  key = createHash('sha256').update(yaml).digest('hex').slice(0, 16);
  const cached = join(CACHE_DIR, `workos-openapi-${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8')) as Record<string, unknown>;
  } catch {
    // Not cached yet (or unreadable): parse, and keep the JSON for the next process.
  }
  const spec = parseYaml(yaml) as Record<string, unknown>;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Written under a name of its own, then renamed: a reader never sees half a file.
    const staging = `${cached}.${process.pid}.tmp`;
    writeFileSync(staging, JSON.stringify(spec));
    renameSync(staging, cached);
  } catch {
    // A read-only node_modules: every process parses the YAML.
  }
  return spec;
}
