// Checks real responses against the OpenAPI document the server publishes: every JSON body a
// test receives must match the schema declared for its operation and status.
import { Ajv2020 } from 'ajv/dist/2020.js';

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components: { schemas: Record<string, unknown> };
};

/** Ajv with the document's components and its compiled validators: built once per document text. */
interface CompiledDocument {
  doc: Doc;
  ajv: Ajv2020;
  routes: { method: string; template: string; regex: RegExp }[];
  // Compiled once per operation, status and content type: compiling is most of the checking cost.
  compiled: Map<string, ReturnType<Ajv2020['compile']>>;
}

// Every app a test process builds publishes the same document; compiling its schemas again for
// each one cost more CPU than the checks themselves.
const documents = new Map<string, CompiledDocument>();

function compiledDocument(text: string): CompiledDocument {
  let found = documents.get(text);
  if (!found) {
    const doc = JSON.parse(text) as Doc;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'components', ...doc.components }, 'components');
    const routes = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.keys(ops).map((method) => ({
        method,
        template,
        regex: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
      })),
    );
    found = { doc, ajv, routes, compiled: new Map() };
    documents.set(text, found);
  }
  return found;
}

export class ResponseChecker {
  readonly #doc: Doc;
  readonly #ajv: Ajv2020;
  readonly #routes: { method: string; template: string; regex: RegExp }[];
  readonly #compiled: Map<string, ReturnType<Ajv2020['compile']>>;
  checked = 0;

  /** `document`: the OpenAPI document as JSON text, or parsed. */
  constructor(document: string | Doc) {
    const compiled = compiledDocument(typeof document === 'string' ? document : JSON.stringify(document));
    this.#doc = compiled.doc;
    this.#ajv = compiled.ajv;
    this.#routes = compiled.routes;
    this.#compiled = compiled.compiled;
  }

  /** Throws when the body does not match; `path` is relative to the API base. */
  check(method: string, path: string, status: number, contentType: string | null, body: unknown): void {
    const route = this.#routes
      .filter((r) => r.method === method.toLowerCase() && r.regex.test(path.split('?')[0]!))
      .sort((a, b) => b.template.replace(/\{\w+\}/g, '').length - a.template.replace(/\{\w+\}/g, '').length)[0];
    if (!route) throw new Error(`no documented operation for ${method} ${path}`);
    const response = this.#doc.paths[route.template]![route.method]!.responses[String(status)];
    if (!response)
      throw new Error(`${method} ${route.template} answered ${status}, which the document does not declare`);
    const type = (contentType ?? '').split(';')[0]!;
    const schema = response.content?.[type]?.schema;
    if (!schema) {
      if (response.content && status !== 204)
        throw new Error(`${method} ${route.template} ${status}: undocumented content type ${type}`);
      return;
    }
    const key = `${route.method} ${route.template} ${status} ${type}`;
    let validate = this.#compiled.get(key);
    if (!validate) {
      const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/schemas/'));
      validate = this.#ajv.compile(resolved);
      this.#compiled.set(key, validate);
    }
    if (!validate(body))
      throw new Error(
        `${method} ${route.template} ${status} does not match the document: ${this.#ajv.errorsText(validate.errors)}`,
      );
    this.checked += 1;
  }
}

/**
 * Wraps an app's `request` so that every JSON answer under /api/v1 is checked against the OpenAPI
 * document the same app publishes, before the test sees it.
 */
export function checkedApi(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }) {
  let checker: ResponseChecker | undefined;
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    checker ??= new ResponseChecker(await (await app.request('/api/v1/openapi.json')).text());
    const res = await app.request(path, init);
    const type = res.headers.get('content-type');
    if (path.startsWith('/api/v1/') && /^application\/(problem\+)?json/.test(type ?? '') && res.status !== 204) {
      checker.check(init.method ?? 'GET', path.slice('/api/v1'.length), res.status, type, await res.clone().json());
    }
    return res;
  };
  return { request, checked: () => checker?.checked ?? 0 };
}
