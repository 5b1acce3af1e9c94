// docs/api.md is rendered from the OpenAPI document, so the human reference cannot drift from the
// routes (test/api/api-docs.test.ts fails when it does; `npm run docs` rewrites it).

interface Operation {
  summary?: string;
  tags?: string[];
  'x-permission'?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { description: string }>;
}

export function renderApiMarkdown(doc: { paths: Record<string, Record<string, Operation>> }): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'Other';
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const body = op.requestBody?.content['application/json']?.schema;
      const fields = body?.properties
        ? Object.keys(body.properties).map((k) => (body.required?.includes(k) ? k : `${k}?`))
        : [];
      const ok = Object.entries(op.responses)
        .filter(([s]) => s.startsWith('2'))
        .map(([s]) => s)
        .join(', ');
      const row = `| \`${method.toUpperCase()} /api/v1${path}\` | ${op.summary ?? ''} | ${op['x-permission'] ? `\`${op['x-permission']}\`` : 'signed in'} | ${query.length ? query.map((q) => `\`${q}\``).join(' ') : ''}${fields.length ? `${query.length ? '; ' : ''}body: ${fields.map((f) => `\`${f}\``).join(' ')}` : ''} | ${ok} |`;
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(row);
    }
  }
  const sections = [...byTag.entries()].map(([tag, rows]) =>
    [
      `## ${tag}`,
      '',
      '| route | what it does | permission | input | success |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
  return [
    '# Gatehouse API v1',
    '',
    'Generated from `GET /api/v1/openapi.json` by `npm run docs`; do not edit by hand.',
    '',
    'Every route takes a bearer credential (`Authorization: Bearer <WorkOS access token | gth_live_… API key | M2M token>`) or the session cookie; state changes with the cookie need a same-origin request (`Origin` or `Sec-Fetch-Site`).',
    "Checks run in this order: credential (401), path ids (422), the organization in the path is the caller's (404 otherwise — a super-admin may act in a tenant once they entered it by `POST /api/v1/admin/organizations/{tenantId}/enter`, audited), permission (403), the permission ceiling on grants (403), query and body (400/415/422).",
    'Errors are `application/problem+json` with a stable `code`; a route whose service is not configured answers 503 `PROVIDER_UNAVAILABLE`. Lists take `limit` and `cursor` and answer `{ data, nextCursor }`.',
    '',
    ...sections,
  ].join('\n');
}
