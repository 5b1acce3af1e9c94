import SCIMMY from 'scimmy';
import { scimBoolean, type ScimResource } from './resources.ts';
import { ensureEnterpriseExtension } from './discovery.ts';

// SCIM PATCH goes through scimmy's PatchOp (paths, value filters, multi-valued add/remove).
// Microsoft Entra deviates from RFC 7644 in ways every SCIM server has to tolerate, so each
// operation is normalized first:
//   - `op` in any case ("Replace", "Add", "Remove");
//   - booleans as strings ("True", "False") for `active` and `primary`;
//   - a path-less `value` object whose keys are paths ("name.givenName", "emails[type eq
//     \"work\"].value"): split into one operation per key;
//   - a value-filtered path whose target does not exist yet (`emails[type eq "work"].value` on a
//     user without a work email): turned into an `add` of that element;
//   - `remove` of a filtered target that is already gone: nothing to do, not an error;
//   - the enterprise `manager` as a bare id string instead of `{ "value": id }`.

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Operation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

const SERVER_KEYS = new Set(['id', 'meta', 'schemas']);
const FILTERED_PATH = /^([A-Za-z][\w$-]*)\[\s*type\s+eq\s+"([^"]*)"\s*\]\.([A-Za-z][\w$-]*)$/i;

function coerceBooleans(path: string | undefined, value: unknown): unknown {
  const last = path?.split(/[.:]/).pop()?.toLowerCase();
  if (last === 'active' || last === 'primary') return scimBoolean(value, value as boolean);
  if (last === 'manager' && typeof value === 'string') return { value };
  if (Array.isArray(value)) return value.map((v) => coerceBooleans(undefined, v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = k.toLowerCase();
      out[k] = key === 'active' || key === 'primary' ? scimBoolean(v, v as boolean) : coerceBooleans(undefined, v);
    }
    return out;
  }
  return value;
}

function hasTypedElement(resource: ScimResource, attribute: string, type: string): boolean {
  const key = Object.keys(resource).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const items = key ? resource[key] : undefined;
  return (
    Array.isArray(items) && items.some((i) => i && typeof i === 'object' && (i as { type?: unknown }).type === type)
  );
}

function normalize(raw: unknown, resource: ScimResource): Operation[] {
  if (!raw || typeof raw !== 'object') return [raw as Operation];
  const { op, path, value } = raw as { op?: unknown; path?: unknown; value?: unknown };
  const verb = (typeof op === 'string' ? op.toLowerCase() : op) as Operation['op'];
  const p = typeof path === 'string' && path.trim() !== '' ? path : undefined;
  if (!p && verb !== 'remove' && value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value)
      .filter(([k]) => !SERVER_KEYS.has(k))
      .flatMap(([k, v]) => normalize({ op: verb, path: k, value: v }, resource));
  }
  const filtered = p ? FILTERED_PATH.exec(p) : null;
  if (filtered && !hasTypedElement(resource, filtered[1] as string, filtered[2] as string)) {
    if (verb === 'remove') return [];
    const element = { type: filtered[2], [filtered[3] as string]: coerceBooleans(filtered[3], value) };
    return [{ op: 'add', path: filtered[1] as string, value: [element] }];
  }
  return [{ op: verb, ...(p ? { path: p } : {}), ...(value !== undefined ? { value: coerceBooleans(p, value) } : {}) }];
}

/**
 * Applies a SCIM PatchOp request body to a User or Group resource and returns the patched
 * resource as plain JSON. Throws scimmy's SCIMError (400 invalidPath/invalidValue/...) when the
 * request is malformed; errors.ts turns that into the SCIM error body.
 */
export async function applyScimPatch(
  kind: 'User' | 'Group',
  resource: ScimResource,
  body: unknown,
): Promise<ScimResource> {
  const request = body as { schemas?: unknown; Operations?: unknown };
  if (!request || typeof request !== 'object' || !Array.isArray(request.Operations)) {
    throw new SCIMMY.Types.Error(400, 'invalidSyntax', 'PatchOp request must contain an Operations array');
  }
  // RFC 7644 §3.5.2: the body is a PatchOp message; one that does not say so is not one.
  if (!Array.isArray(request.schemas) || !request.schemas.includes(PATCH_OP_SCHEMA)) {
    throw new SCIMMY.Types.Error(400, 'invalidSyntax', `PatchOp request must declare the ${PATCH_OP_SCHEMA} schema`);
  }
  const operations = request.Operations.flatMap((op) => normalize(op, resource));
  if (operations.length === 0) return resource;
  ensureEnterpriseExtension();
  const schema = kind === 'User' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
  const instance = new schema(resource, 'in');
  const message = new SCIMMY.Messages.PatchOp({ schemas: [PATCH_OP_SCHEMA], Operations: operations });
  const patched = await message.apply(instance, async (value) => value);
  // scimmy answers nothing when no operation changed the resource.
  return patched ? (JSON.parse(JSON.stringify(patched)) as ScimResource) : resource;
}
