import SCIMMY from 'scimmy';
import type { ScimResource } from './mapping.ts';

// SCIM filters (`userName eq "ana@acme.test"`, `externalId eq "00u1"`, `displayName eq "Eng"`)
// are parsed and evaluated by scimmy. scimmy compares strings exactly, but RFC 7643 makes
// userName and email values case-insensitive, and Okta looks users up by userName in whatever
// case the admin typed: so both the resources and the filter's operands are lower-cased for
// those attributes before matching.

const CASE_INSENSITIVE = new Set(['username', 'emails.value', 'displayname']);

function fold(node: unknown, path: string): unknown {
  if (Array.isArray(node)) {
    // A comparison is [operator, operand] (possibly preceded by "not"); fold only the operand.
    if (node.length > 0 && node.every((x) => !Array.isArray(x) && (typeof x !== 'object' || x === null))) {
      return CASE_INSENSITIVE.has(path) ? node.map((x, i) => (i > 0 && typeof x === 'string' ? x.toLowerCase() : x)) : node;
    }
    return node.map((x) => fold(x, path));
  }
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = fold(v, path ? `${path}.${k.toLowerCase()}` : k.toLowerCase());
    return out;
  }
  return node;
}

function foldValue(node: unknown, path: string): unknown {
  if (typeof node === 'string') return CASE_INSENSITIVE.has(path) ? node.toLowerCase() : node;
  if (Array.isArray(node)) return node.map((x) => foldValue(x, path));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = foldValue(v, path ? `${path}.${k.toLowerCase()}` : k.toLowerCase());
    return out;
  }
  return node;
}

function foldResource(resource: ScimResource): ScimResource {
  return foldValue(resource, '') as ScimResource;
}

/** Returns the resources matching `expression` (all of them when there is no filter). */
export function filterResources<T extends ScimResource>(resources: readonly T[], expression: string | undefined): T[] {
  if (!expression || expression.trim() === '') return [...resources];
  const parsed = new SCIMMY.Types.Filter(expression);
  // Expression objects survive a JSON round trip; scimmy accepts them back in its constructor.
  const folded = new SCIMMY.Types.Filter(fold(JSON.parse(JSON.stringify(parsed)), ''));
  const views = resources.map(foldResource);
  const matched = new Set(folded.match(views));
  return resources.filter((_, i) => matched.has(views[i] as ScimResource));
}
