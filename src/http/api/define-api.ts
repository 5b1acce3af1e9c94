// The admin and app JSON API under /api/v1. Each route is declared once — method, path, zod
// schemas for params, query, body and responses, the permission it needs — and that single
// declaration both serves the request and writes the route into the OpenAPI document, so the
// document cannot drift from what the server accepts.
//
// Who may call is decided by the access decision point (src/access/access-decision.ts): credential
// (401) → organization in the path must be the caller's (404, never 403, for another tenant's id)
// → permission (403) → impersonation (403). This file only feeds it the route's declaration; path
// ids are validated first (422) so the decision sees a well-formed organization id, and query and
// body (400/415/422) are read only once the caller may act here.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { AuthContext } from '../../core/auth-context.ts';
import { requestInvalid } from '../../core/errors.ts';
import { authorizeAccess } from '../../access/access-decision.ts';
import type { Permission } from '../../core/permissions.ts';
import { readJson } from '../json-body.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteInput<P, Q, B> {
  auth: AuthContext;
  params: P;
  query: Q;
  body: B;
  c: Context;
}

export interface ApiRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: Method;
  /** OpenAPI-style path relative to /api/v1, e.g. `/organizations/{orgId}/roles`. */
  path: string;
  summary: string;
  tag: string;
  /** Permission required in the caller's organization; `null` means any signed-in caller. */
  permission: Permission | null;
  /** Only super-admins (members of GATEHOUSE_SUPERADMIN_ORG). */
  superAdminOnly?: boolean;
  /** Changes someone's role (refused to an impersonated session, whatever the permission). */
  changesRoles?: boolean;
  /** Only in the caller's own organization: a super-admin does not enter for this. */
  ownOrganizationOnly?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Documented responses; the first 2xx is the success schema. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler(
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
  ): Promise<Response | { status: number; body: unknown }>;
}

export interface ApiDeps {
  /** Resolves the caller's credential to an AuthContext or throws a 401 AppError (the access verifier). */
  authenticate(c: Context): Promise<AuthContext>;
  /** Called when a super-admin acts inside an organization that is not their own (audited). */
  onSuperAdminEntry?(auth: AuthContext, organizationId: string, c: Context): Promise<void>;
}

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

function parseInput<S extends z.ZodType>(
  schema: S | undefined,
  raw: unknown,
  where: 'body' | 'query' | 'path',
): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const result = schema.safeParse(raw);
  if (!result.success) throw requestInvalid(where, result.error.issues);
  return result.data;
}

export class Api {
  readonly router = new Hono();
  readonly #deps: ApiDeps;
  readonly #routes: ApiRoute<AnyObject, AnyObject, z.ZodType>[] = [];

  constructor(deps: ApiDeps) {
    this.#deps = deps;
  }

  add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(route: ApiRoute<P, Q, B>): this {
    this.#routes.push(route as unknown as ApiRoute<AnyObject, AnyObject, z.ZodType>);
    const honoPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    this.router.on(route.method.toUpperCase(), honoPath, async (c) => {
      const auth = await this.#deps.authenticate(c);
      const params = parseInput(route.params, c.req.param(), 'path');
      const orgId = (params as { orgId?: string } | undefined)?.orgId;
      const { superAdminEntry } = await authorizeAccess({
        credential: async () => auth,
        method: route.method,
        organizationId: orgId,
        permission: route.permission,
        superAdminOnly: route.superAdminOnly,
        changesRoles: route.changesRoles,
        ownOrganizationOnly: route.ownOrganizationOnly,
      });
      if (superAdminEntry && orgId !== undefined) await this.#deps.onSuperAdminEntry?.(auth, orgId, c);
      // Input is read only once the caller may act here, so another tenant learns nothing from it.
      const query = parseInput(route.query ?? (z.strictObject({}) as unknown as Q), c.req.query(), 'query');
      const body = route.body ? await readJson(c, route.body) : undefined;
      const result = await route.handler({ auth, params, query, body, c } as RouteInput<
        z.output<P>,
        z.output<Q>,
        z.output<B>
      >);
      if (result instanceof Response) return result;
      if (result.status === 204) return c.body(null, 204);
      return c.json(result.body, result.status as ContentfulStatusCode);
    });
    return this;
  }

  /** The OpenAPI 3.1 document of every route added so far. */
  openApiDocument(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schemaOf = (s: z.ZodType, io: 'input' | 'output') => {
      const { $schema: _ignored, ...json } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<
        string,
        unknown
      >;
      return json;
    };
    for (const r of this.#routes) {
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', r.params],
        ['query', r.query],
      ] as const) {
        if (!schema) continue;
        for (const [name, field] of Object.entries(schema.shape)) {
          const f = field as z.ZodType;
          parameters.push({
            name,
            in: where,
            required: where === 'path' || !f.safeParse(undefined).success,
            schema: schemaOf(f, 'input'),
          });
        }
      }
      const responses: Record<string, unknown> = {};
      for (const [status, res] of Object.entries(r.responses)) {
        responses[status] = res.schema
          ? {
              description: res.description,
              content: { [res.contentType ?? 'application/json']: { schema: schemaOf(res.schema, 'output') } },
            }
          : { description: res.description };
      }
      const errorStatuses = [
        '401',
        '404',
        '422',
        '503',
        ...(r.permission ? ['403'] : []),
        ...(r.body ? ['400', '413'] : []),
      ];
      for (const s of errorStatuses) {
        responses[s] ??= {
          description: 'Problem',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
      (paths[r.path] ??= {})[r.method] = {
        operationId: `${r.method}${r.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
        summary: r.summary,
        tags: [r.tag],
        security: [{ bearer: [] }, { session: [] }],
        ...(r.permission ? { 'x-permission': r.permission } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(r.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } }
          : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        schemas: { Problem: schemaOf(problemSchema, 'output') },
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A WorkOS access token, an API key (gth_live_…/gth_test_…) or an M2M token',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'gatehouse_session' },
        },
      },
    };
  }
}
