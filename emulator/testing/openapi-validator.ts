// Validates emulator responses against @workos/openapi-spec: the schema the spec gives for the
// operation (method + path template) and status. The spec is parsed once per process
// (workos-spec.ts) and handed to Ajv once per validator; each response schema compiles on first
// use and is cached, in the process and as Ajv's standalone code on disk: the event list's schema
// alone takes 1.5 s of CPU to compile, and every test process that reads events needed it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import { SPEC_CACHE_DIR, workosSpecKey, workosSpec } from './workos-spec.ts';

// ajv-formats is CommonJS; its default export arrives as the module object under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;
// CommonJS too: its default export arrives as the module object.
const toStandalone = ((standaloneCode as unknown as { default?: unknown }).default ?? standaloneCode) as (
  ajv: Ajv2020,
  validate: ValidateFunction,
) => string;

const requireHere = createRequire(import.meta.url);
const AJV_VERSION = (requireHere('ajv/package.json') as { version: string }).version;

/** A validator compiled by an earlier process (its standalone module), or undefined. */
function loadCompiled(file: string): ValidateFunction | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const module = { exports: {} as unknown };
  try {
    new Function('require', 'module', 'exports', source)(requireHere, module, module.exports);
  } catch {
    return undefined; // Damaged: compiled again and rewritten.
  }
  return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
}

function keepCompiled(file: string, ajv: Ajv2020, validate: ValidateFunction): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    // Written under a name of its own, then renamed: a reader never sees half a file.
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, toStandalone(ajv, validate));
    renameSync(staging, file);
  } catch {
    // A read-only node_modules: later processes compile again.
  }
}

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface OpenApiValidator {
  /** The path template the spec uses for a concrete path, e.g. `/users/{id}` for `/users/user_01…`. */
  matchPath(method: string, path: string): string | undefined;
  /** Throws an Error describing every mismatch; returns the template validated against. */
  validateResponse(method: string, path: string, status: number, body: unknown): string;
  /** Validates against a named component schema (for emulator endpoints the spec lacks). */
  validateComponent(name: string, body: unknown): void;
  /** Validates one event against the `EventSchema` variant for its type, for precise errors. */
  validateEvent(event: { event?: unknown }): void;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function createOpenApiValidator(options: { cacheDir?: string } = {}): OpenApiValidator {
  const spec = workosSpec() as { paths: Record<string, Record<string, OpenApiOperation>> };
  // Made on the first schema no earlier process compiled: taking in the spec costs Ajv 0.3 s.
  let ajv: Ajv2020 | undefined;
  const compiler = () => {
    if (!ajv) {
      // strict: false because an OpenAPI document carries keywords (example, discriminator,
      // paths…) that are not JSON Schema; they are ignored, the schema keywords are enforced.
      ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, code: { source: true } });
      addFormats(ajv);
      ajv.addSchema(spec as object, 'spec');
    }
    return ajv;
  };

  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }));
  const compiled = new Map<string, ValidateFunction>();

  const matchPath = (method: string, path: string) => {
    const m = method.toLowerCase();
    // The most literal template wins: `/users/external_id/{x}` over `/users/{id}/{y}`.
    return templates
      .filter((t) => t.regex.test(path) && spec.paths[t.template]?.[m])
      .sort((a, b) => a.params - b.params)[0]?.template;
  };

  const cacheDir = options.cacheDir ?? join(SPEC_CACHE_DIR, `workos-openapi-${workosSpecKey()}-ajv-${AJV_VERSION}`);
  const compile = (pointer: string) => {
    let fn = compiled.get(pointer);
    if (!fn) {
      const file = join(cacheDir, `${createHash('sha256').update(pointer).digest('hex').slice(0, 24)}.cjs`);
      fn = loadCompiled(file);
      if (!fn) {
        fn = compiler().compile({ $ref: `spec#${pointer}` });
        keepCompiled(file, compiler(), fn);
      }
      compiled.set(pointer, fn);
    }
    return fn;
  };

  const check = (fn: ValidateFunction, body: unknown, label: string) => {
    if (fn(body)) return;
    const detail = (fn.errors ?? [])
      .slice(0, 8)
      .map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`)
      .join('; ');
    throw new Error(
      `${label}: response does not match the OpenAPI schema: ${detail}\nbody: ${JSON.stringify(body).slice(0, 800)}`,
    );
  };

  return {
    matchPath,
    validateResponse(method, path, status, body) {
      const template = matchPath(method, path);
      if (!template) throw new Error(`${method} ${path}: no such operation in the OpenAPI spec`);
      const op = spec.paths[template]![method.toLowerCase()]!;
      const label = `${method} ${template} -> ${status}`;
      const response = op.responses?.[String(status)];
      if (!response) throw new Error(`${label}: status ${status} is not documented for this operation`);
      const json = response.content?.['application/json'];
      if (!json?.schema) {
        if (body !== null && body !== undefined && body !== '')
          throw new Error(`${label}: the spec documents no body, got ${JSON.stringify(body).slice(0, 200)}`);
        return template;
      }
      const pointer = [
        '',
        'paths',
        escapePointer(template),
        method.toLowerCase(),
        'responses',
        String(status),
        'content',
        escapePointer('application/json'),
        'schema',
      ].join('/');
      check(compile(pointer), body, label);
      return template;
    },
    validateComponent(name, body) {
      check(compile(`/components/schemas/${escapePointer(name)}`), body, `component ${name}`);
    },
    validateEvent(event) {
      const variants = (
        spec as unknown as {
          components: {
            schemas: {
              EventSchema: { allOf: [unknown, { oneOf: Array<{ properties: { event: { const: string } } }> }] };
            };
          };
        }
      ).components.schemas.EventSchema.allOf[1].oneOf;
      const index = variants.findIndex((v) => v.properties.event.const === event.event);
      if (index === -1) throw new Error(`event type ${String(event.event)} is not in the OpenAPI spec`);
      check(compile(`/components/schemas/EventSchema/allOf/0`), event, `event ${String(event.event)}`);
      check(compile(`/components/schemas/EventSchema/allOf/1/oneOf/${index}`), event, `event ${String(event.event)}`);
    },
  };
}
