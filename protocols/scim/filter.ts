import SCIMMY from 'scimmy';
import { ScimError } from './errors.ts';
import type { ScimResource } from './resources.ts';

// SCIM filters (`userName eq "ana@acme.test"`, `externalId eq "00u1"`, `displayName eq "Eng"`,
// `and`/`or`/`not`, `pr`, `meta.lastModified gt "…"`, enterprise attributes by full URN) are
// parsed and evaluated by scimmy. scimmy compares strings exactly, but RFC 7643 makes
// userName and email values case-insensitive, and Okta looks users up by userName in whatever
// case the admin typed: so both the resources and the filter's operands are lower-cased for
// those attributes before matching.

const CASE_INSENSITIVE = new Set(['username', 'emails.value', 'displayname']);

function fold(node: unknown, path: string): unknown {
  if (Array.isArray(node)) {
    // A comparison is [operator, operand] (possibly preceded by "not"); fold only the operand.
    if (node.length > 0 && node.every((x) => !Array.isArray(x) && (typeof x !== 'object' || x === null))) {
      return CASE_INSENSITIVE.has(path)
        ? node.map((x, i) => (i > 0 && typeof x === 'string' ? x.toLowerCase() : x))
        : node;
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
    for (const [k, v] of Object.entries(node))
      out[k] = foldValue(v, path ? `${path}.${k.toLowerCase()}` : k.toLowerCase());
    return out;
  }
  return node;
}

function foldResource(resource: ScimResource): ScimResource {
  return foldValue(resource, '') as ScimResource;
}

/**
 * `attr eq "value"` on a top-level attribute: what Okta and Entra send before every create
 * (userName, externalId, displayName). Answered by a plain comparison so a directory of
 * thousands of users is not folded and re-matched on every lookup.
 */
function simpleEquality(parsed: unknown): { attribute: string; value: string } | null {
  if (!Array.isArray(parsed) || parsed.length !== 1) return null;
  const entries = Object.entries(parsed[0] as Record<string, unknown>);
  if (entries.length !== 1) return null;
  const [attribute, comparison] = entries[0] as [string, unknown];
  if (!Array.isArray(comparison) || comparison.length !== 2) return null;
  const [operator, value] = comparison as unknown[];
  if (typeof operator !== 'string' || operator.toLowerCase() !== 'eq' || typeof value !== 'string') return null;
  return { attribute: attribute.toLowerCase(), value };
}

/**
 * The exact form Okta and Entra send before every create, `userName eq "ana@acme.test"`, read
 * without scimmy's parser (most of a look-up's CPU time): a plain attribute name, one space each
 * side of `eq`, a quoted value with no escapes. Anything else goes through scimmy; both readings
 * agree (filter.test.ts checks it against scimmy over generated filters).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a value with control characters is left to scimmy
const PLAIN_EQUALITY = /^([A-Za-z][A-Za-z0-9]*) [eE][qQ] "([^"\\\x00-\x1f]*)"$/;

export function plainEquality(expression: string): { attribute: string; value: string } | null {
  const match = PLAIN_EQUALITY.exec(expression);
  return match ? { attribute: (match[1] as string).toLowerCase(), value: match[2] as string } : null;
}

function topLevel(view: ScimResource, attribute: string): unknown {
  for (const key in view) if (key.toLowerCase() === attribute) return view[key];
  return undefined;
}

const CORE_URN = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;
const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'pr', 'np']);

/**
 * RFC 7644 §3.10 lets a filter name an attribute by its schema URN. A core attribute
 * (`urn:…:core:2.0:User:userName`) is the plain attribute; an extension attribute
 * (`urn:…:enterprise:2.0:User:employeeNumber`) lives inside the extension's object, where the
 * stored resource keeps it, so the comparison is moved there.
 */
function qualify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? qualify(x) : x));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const inner = qualify(value);
    if (CORE_URN.test(key)) {
      out[key.replace(CORE_URN, '')] = inner;
    } else if (/^urn:/i.test(key) && key.lastIndexOf(':') > 4) {
      const schema = key.slice(0, key.lastIndexOf(':'));
      const attribute = key.slice(key.lastIndexOf(':') + 1);
      out[schema] = { ...(out[schema] as Record<string, unknown> | undefined), [attribute]: inner };
    } else {
      out[key] = inner;
    }
  }
  return out;
}

/** scimmy accepts some malformed filters (`userName eq` with no value, a dangling `and`). */
function assertWellFormed(expression: string, node: unknown): void {
  if (/\b(and|or|not)\s*\)?\s*$/i.test(expression.trim()))
    throw new ScimError(400, `Filter ends in an operator: ${expression}`, 'invalidFilter');
  const walk = (n: unknown): void => {
    if (!Array.isArray(n)) {
      if (n && typeof n === 'object') for (const v of Object.values(n)) walk(v);
      return;
    }
    if (n.length > 0 && n.every((x) => !Array.isArray(x) && (typeof x !== 'object' || x === null))) {
      const [first, ...rest] = n[0] === 'not' ? n.slice(1) : n;
      const operator = String(first).toLowerCase();
      if (!OPERATORS.has(operator) || (operator !== 'pr' && operator !== 'np' && rest.length !== 1)) {
        throw new ScimError(400, `Malformed comparison in filter: ${expression}`, 'invalidFilter');
      }
      return;
    }
    n.forEach(walk);
  };
  walk(node);
}

/**
 * The `attr eq "value"` a filter is, if it is only that (the lookup IdPs send before a create),
 * so the caller can narrow candidates by an index before matching. Throws invalidFilter.
 */
export function equalityOf(expression: string | undefined): { attribute: string; value: string } | null {
  if (!expression || expression.trim() === '') return null;
  return plainEquality(expression) ?? simpleEquality(parseFilter(expression));
}

function parseFilter(expression: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(JSON.stringify(new SCIMMY.Types.Filter(expression))) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ScimError(400, `Invalid filter: ${message}`, 'invalidFilter');
  }
  assertWellFormed(expression, parsed);
  return qualify(parsed);
}

/**
 * The items whose SCIM view matches `expression` (all of them when there is no filter).
 * `view` may return a shallow object: it is only read.
 */
export function selectMatching<T>(
  items: readonly T[],
  expression: string | undefined,
  view: (item: T) => ScimResource,
): T[] {
  if (!expression || expression.trim() === '') return [...items];
  const plain = plainEquality(expression);
  const parsed = plain ? null : parseFilter(expression);
  const simple = plain ?? simpleEquality(parsed);
  if (simple) {
    const fold = CASE_INSENSITIVE.has(simple.attribute);
    const wanted = fold ? simple.value.toLowerCase() : simple.value;
    return items.filter((item) => {
      const actual = topLevel(view(item), simple.attribute);
      return typeof actual === 'string' && (fold ? actual.toLowerCase() : actual) === wanted;
    });
  }
  // Expression objects survive a JSON round trip; scimmy accepts them back in its constructor.
  const folded = new SCIMMY.Types.Filter(fold(parsed, '') as never);
  const views = items.map((item) => foldResource(view(item)));
  try {
    const matched = new Set(folded.match(views));
    return items.filter((_, i) => matched.has(views[i] as ScimResource));
  } catch {
    // scimmy throws on a resource lacking an object the filter descends into (`meta.created`,
    // an extension): such a resource simply does not match, so decide one at a time.
    return items.filter((_, i) => {
      try {
        return folded.match([views[i] as ScimResource]).length === 1;
      } catch {
        return false;
      }
    });
  }
}

/** Returns the resources matching `expression` (all of them when there is no filter). */
export function filterResources<T extends ScimResource>(resources: readonly T[], expression: string | undefined): T[] {
  return selectMatching(resources, expression, (r) => r);
}
