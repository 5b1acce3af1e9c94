// A conformance harness: a fresh emulator on a free port, the unmodified @workos-inc/node SDK
// pointed at it over HTTP, and a recording fetch under the SDK that checks every response
// against the OpenAPI spec. Tests end with `assertConformant()`, so a response that drifts
// from the spec fails the test that provoked it.
import assert from 'node:assert/strict';
import { WorkOS } from '@workos-inc/node';
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../index.ts';
import { createOpenApiValidator, type OpenApiValidator } from './openapi-validator.ts';

export interface Exchange {
  method: string;
  path: string;
  status: number;
  body: unknown;
  /** The spec template validated against, or why the exchange was not validated. */
  validated: string;
}

/**
 * Emulator endpoints the spec has no operation for, and the component schema (if any) their
 * 2xx answers are checked against instead. Keep this list small and listed in the README.
 */
const EXTENSIONS: Array<{ method: string; regex: RegExp; component?: string; reason: string }> = [
  {
    method: 'GET',
    regex: /^\/webhook_endpoints\/[^/]+$/,
    component: 'WebhookEndpointJson',
    reason: 'extension: get one webhook endpoint',
  },
  {
    method: 'GET',
    regex: /^\/organizations\/[^/]+\/roles$/,
    component: 'RoleList',
    reason: "SDK's legacy organization roles path",
  },
  {
    method: 'GET',
    regex: /^\/authorization\/resources\/[^/]+\/organization_memberships\/[^/]+\/permissions$/,
    component: 'AuthorizationPermissionList',
    reason: "SDK's path for a membership's effective permissions on a resource",
  },
  {
    method: 'GET',
    regex: /^\/authorization\/(resources\/[^/]+|organizations\/[^/]+\/resources\/[^/]+\/[^/]+)\/role_assignments$/,
    component: 'RoleAssignmentList',
    reason: "SDK's path for the role assignments on one resource",
  },
  { method: 'POST', regex: /^\/oauth2\/token$/, reason: 'extension: M2M client_credentials (not in the spec)' },
  { method: '*', regex: /^\/_emulator\//, reason: 'emulator control surface' },
];

// Statuses a client can get from any operation although most operations do not document them
// (bad key, rate limit, and the server errors fault hooks inject).
const GLOBAL_STATUSES = new Set([401, 429, 500, 502, 503, 504]);

// Browser endpoints document only their redirects; WorkOS shows an error page for a bad
// request, which the emulator answers as a WorkOS error body (checked for its `message`).
const BROWSER_PATHS = new Set(['/user_management/authorize', '/sso/authorize']);

let validatorInstance: OpenApiValidator | undefined;

/** A failed event list names the events that do not match (a oneOf error alone says little). */
function explain(validator: OpenApiValidator, method: string, path: string, body: unknown, error: unknown): string {
  const message = String(error instanceof Error ? error.message : error);
  const events = (body as { data?: unknown[] } | null)?.data;
  if (method !== 'GET' || path !== '/events' || !Array.isArray(events)) return message;
  const detail: string[] = [];
  for (const event of events) {
    try {
      validator.validateEvent(event as { event?: unknown });
    } catch (e) {
      detail.push(String(e instanceof Error ? e.message : e).slice(0, 600));
    }
  }
  return detail.length > 0 ? `GET /events: events that do not match the spec:\n${detail.join('\n')}` : message;
}

export interface Harness {
  emulator: RunningEmulator;
  workos: WorkOS;
  validator: OpenApiValidator;
  exchanges: Exchange[];
  /** The recording fetch, for building more SDK clients (e.g. a public PKCE client). */
  fetch: typeof fetch;
  /** A raw request through the same recording fetch (for redirects, bad keys, control calls). */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string>; apiKey?: string | null },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  control(method: string, path: string, body?: unknown): Promise<any>;
  /** Fails with every spec mismatch recorded since the last call. */
  assertConformant(): void;
  /** Reads the whole event log through `GET /events` (validated per type); returns the count. */
  assertEventsConformant(): Promise<number>;
  close(): Promise<void>;
}

export async function openHarness(options: StartEmulatorOptions = {}): Promise<Harness> {
  // Parsing the spec takes about a second; one validator serves every harness in a process.
  validatorInstance ??= createOpenApiValidator();
  const validator = validatorInstance;
  const emulator = await startEmulator({ seed: false, ...options });
  const exchanges: Exchange[] = [];
  let failures: string[] = [];

  const record = (method: string, path: string, status: number, body: unknown) => {
    const ext = EXTENSIONS.find((e) => (e.method === '*' || e.method === method) && e.regex.test(path));
    let validated: string;
    try {
      if (ext) {
        if (ext.component && status < 300) validator.validateComponent(ext.component, body);
        validated = ext.reason;
      } else if (
        (GLOBAL_STATUSES.has(status) || (BROWSER_PATHS.has(path) && status >= 400)) &&
        validator.matchPath(method, path)
      ) {
        try {
          validated = validator.validateResponse(method, path, status, body);
        } catch (error) {
          if (!String(error).includes('not documented')) throw error;
          // Undocumented for this operation: hold it to WorkOS's generic error shape.
          assert.equal(
            typeof (body as { message?: unknown })?.message,
            'string',
            `${method} ${path} ${status} must carry a message`,
          );
          validated = `generic ${status}`;
        }
      } else {
        validated = validator.validateResponse(method, path, status, body);
      }
    } catch (error) {
      failures.push(explain(validator, method, path, body, error));
      validated = 'FAILED';
    }
    exchanges.push({ method, path, status, body, validated });
  };

  const recordingFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request, { redirect: 'manual' });
    const text = await response.clone().text();
    let body: unknown = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    record(request.method, new URL(request.url).pathname, response.status, body);
    return response;
  };

  const workos = new WorkOS(emulator.apiKey, {
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    clientId: emulator.clientId,
    fetchFn: recordingFetch,
  });

  const request: Harness['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.apiKey === undefined ? emulator.apiKey : options.apiKey;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string') {
        body = options.body;
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    const res = await recordingFetch(`${emulator.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  const harness: Harness = {
    emulator,
    workos,
    validator,
    exchanges,
    fetch: recordingFetch,
    request,
    async control(method, path, body) {
      const res = await request(method, `/_emulator${path}`, body === undefined ? {} : { body });
      assert.ok(res.status < 300, `control ${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    assertConformant() {
      const current = failures;
      failures = [];
      assert.deepEqual(current, [], `responses that do not match the OpenAPI spec:\n${current.join('\n')}`);
    },
    async assertEventsConformant() {
      let after: string | null = null;
      let count = 0;
      do {
        const res = await request('GET', `/events?limit=100${after ? `&after=${after}` : ''}`);
        assert.equal(res.status, 200);
        count += (res.body.data as unknown[]).length;
        after = res.body.list_metadata.after as string | null;
      } while (after);
      assert.equal(count, emulator.world.events.length, 'GET /events lists every emitted event');
      harness.assertConformant();
      return count;
    },
    async close() {
      // What this suite checked: responses valid against the spec, and how many spec operations they cover.
      const valid = exchanges.filter((x) => x.validated !== 'FAILED').length;
      const operations = new Set(
        exchanges.filter((x) => x.validated.startsWith('/')).map((x) => `${x.method} ${x.validated}`),
      );
      console.log(
        `conformance: valid ${valid}/${exchanges.length} responses, ${operations.size} spec operations exercised`,
      );
      // Optional coverage log: which spec operations a run exercised (see README, Conformance).
      const log = process.env.EMULATOR_COVERAGE_FILE;
      if (log) {
        const { appendFileSync } = await import('node:fs');
        appendFileSync(log, exchanges.map((x) => `${x.method} ${x.validated}\n`).join(''));
      }
      await emulator.close();
    },
  };
  return harness;
}
