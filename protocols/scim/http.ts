// Request plumbing of a SCIM server's Users and Groups routes that only reads the request: the
// SCIM media type, JSON bodies, paging, `attributes`/`excludedAttributes` and the SearchRequest
// of POST /.search. Which directory a request is for is each server's own (its ScimEnv).
import type { Context } from 'hono';
import {
  type DiscoveryOptions,
  listResponse,
  MAX_PAGE_SIZE,
  resourceTypes,
  schemaDocuments,
  serviceProviderConfig,
} from './discovery.ts';
import { ScimError } from './errors.ts';

export const SCIM_MEDIA_TYPE = 'application/scim+json';

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': SCIM_MEDIA_TYPE, ...headers } });
}

export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ScimError(400, 'Request body is not valid JSON', 'invalidSyntax');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ScimError(400, 'Request body must be a JSON object', 'invalidSyntax');
  }
  return body as Record<string, unknown>;
}

export interface Page {
  startIndex: number;
  count: number;
}

/** RFC 7644 §3.4.2.4: 1-based startIndex (values below 1 mean 1), count capped, 0 allowed. */
export function readPage(c: Context): Page {
  const start = Number.parseInt(c.req.query('startIndex') ?? '1', 10);
  const count = Number.parseInt(c.req.query('count') ?? String(MAX_PAGE_SIZE), 10);
  return {
    startIndex: Number.isFinite(start) && start > 0 ? start : 1,
    count: Number.isFinite(count) ? Math.min(Math.max(count, 0), MAX_PAGE_SIZE) : MAX_PAGE_SIZE,
  };
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), from the query or a search body. */
export interface AttributeSelection {
  attributes: string[];
  excluded: string[];
}

const CORE_URN = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;
const list = (raw: unknown) =>
  (typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw.map(String) : [])
    .map((s) => s.trim())
    .filter(Boolean);

export function selection(attributes: unknown, excludedAttributes: unknown): AttributeSelection {
  return { attributes: list(attributes), excluded: list(excludedAttributes) };
}

export function querySelection(c: Context): AttributeSelection {
  return selection(c.req.query('attributes'), c.req.query('excludedAttributes'));
}

/**
 * An attribute reference as a path of keys: core URNs dropped, an extension URN kept as one key
 * (the whole extension when the reference is the URN alone, `…:2.0:User`).
 */
function pathOf(reference: string): string[] {
  const plain = reference.replace(CORE_URN, '');
  if (/^urn:/i.test(plain)) {
    const cut = plain.lastIndexOf(':');
    if (/:\d+(\.\d+)*$/.test(plain.slice(0, cut))) return [plain];
    return [plain.slice(0, cut), ...plain.slice(cut + 1).split('.')];
  }
  return plain.split('.');
}

function keyOf(object: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
}

function pick(source: Record<string, unknown>, target: Record<string, unknown>, path: string[]): void {
  const key = keyOf(source, path[0] ?? '');
  if (key === undefined) return;
  const value = source[key];
  if (path.length === 1 || !value || typeof value !== 'object') {
    target[key] = value;
    return;
  }
  if (Array.isArray(value)) {
    target[key] = value.map((item) => {
      const out: Record<string, unknown> = {};
      if (item && typeof item === 'object') pick(item as Record<string, unknown>, out, path.slice(1));
      return out;
    });
    return;
  }
  const inner = (target[key] as Record<string, unknown> | undefined) ?? {};
  pick(value as Record<string, unknown>, inner, path.slice(1));
  target[key] = inner;
}

function drop(resource: Record<string, unknown>, path: string[]): void {
  const key = keyOf(resource, path[0] ?? '');
  if (key === undefined) return;
  if (path.length === 1) {
    delete resource[key];
    return;
  }
  const value = resource[key];
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item && typeof item === 'object') drop(item as Record<string, unknown>, path.slice(1));
  }
}

/**
 * Applies `attributes` (only these, plus `id` and `schemas`, which are always returned) or
 * `excludedAttributes` (all but these). Names are case-insensitive and may be dotted
 * sub-attributes or fully qualified with their schema URN.
 */
export function project(resource: Record<string, unknown>, chosen: AttributeSelection): Record<string, unknown> {
  if (chosen.attributes.length > 0) {
    const out: Record<string, unknown> = {};
    for (const reference of ['schemas', 'id', ...chosen.attributes]) pick(resource, out, pathOf(reference));
    return out;
  }
  if (chosen.excluded.length === 0) return resource;
  const out = structuredClone(resource);
  for (const reference of chosen.excluded) {
    const path = pathOf(reference);
    if (path.length === 1 && ['id', 'schemas'].includes(path[0]!.toLowerCase())) continue;
    drop(out, path);
  }
  return out;
}

/** RFC 7644 §3.4.3: a POST to `.search` carries the query parameters in a SearchRequest body. */
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface SearchQuery {
  filter: string | undefined;
  page: Page;
  selection: AttributeSelection;
}

export function queryOf(c: Context): SearchQuery {
  return { filter: c.req.query('filter'), page: readPage(c), selection: querySelection(c) };
}

export async function searchBody(c: Context): Promise<SearchQuery> {
  const body = await readJsonObject(c);
  const schemas = Array.isArray(body.schemas) ? body.schemas : [];
  if (!schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw new ScimError(400, `A search request must declare the ${SEARCH_REQUEST_SCHEMA} schema`, 'invalidSyntax');
  }
  const start = Number(body.startIndex ?? 1);
  const count = Number(body.count ?? MAX_PAGE_SIZE);
  return {
    filter: typeof body.filter === 'string' ? body.filter : undefined,
    page: {
      startIndex: Number.isInteger(start) && start > 0 ? start : 1,
      count: Number.isInteger(count) ? Math.min(Math.max(count, 0), MAX_PAGE_SIZE) : MAX_PAGE_SIZE,
    },
    selection: selection(body.attributes, body.excludedAttributes),
  };
}

/**
 * The discovery routes (RFC 7644 §4) by path relative to a directory's SCIM base, which the
 * server sets as the `base` variable. An unknown id throws a 404 ScimError for the server's own
 * error answer to turn into a body.
 */
export function discoveryRoutes(options: DiscoveryOptions): Record<string, (c: Context) => Response> {
  const base = (c: Context) => c.get('base') as string;
  return {
    '/ServiceProviderConfig': (c) => scimJson(serviceProviderConfig(base(c), options)),
    '/ResourceTypes': (c) => {
      const types = resourceTypes(base(c));
      return scimJson(listResponse(types, types.length, 1));
    },
    '/ResourceTypes/:id': (c) => {
      const found = resourceTypes(base(c)).find((t) => t.id === c.req.param('id'));
      if (!found) throw new ScimError(404, `ResourceType ${c.req.param('id')} not found`);
      return scimJson(found);
    },
    '/Schemas': (c) => {
      const docs = schemaDocuments(base(c));
      return scimJson(listResponse(docs, docs.length, 1));
    },
    '/Schemas/:id': (c) => {
      const found = schemaDocuments(base(c)).find((s) => s.id === c.req.param('id'));
      if (!found) throw new ScimError(404, `Schema ${c.req.param('id')} not found`);
      return scimJson(found);
    },
  };
}
