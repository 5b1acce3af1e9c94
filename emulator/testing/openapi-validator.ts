// Validates emulator responses against @workos/openapi-spec: the schema the spec gives for the
// operation (method + path template) and status. The spec is parsed once per process
// (workos-spec.ts) and handed to Ajv once per validator; each response schema compiles on first
// use and is cached.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { workosSpec } from './workos-spec.ts';

// ajv-formats is CommonJS; its default export arrives as the module object under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

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

export function createOpenApiValidator(): OpenApiValidator {
  const spec = workosSpec() as { paths: Record<string, Record<string, OpenApiOperation>> };
  // strict: false because an OpenAPI document carries keywords (example, discriminator,
  // paths…) that are not JSON Schema; they are ignored, the schema keywords are enforced.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(spec as object, 'spec');

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

  const compile = (pointer: string) => {
    let fn = compiled.get(pointer);
    if (!fn) {
      fn = ajv.compile({ $ref: `spec#${pointer}` });
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
