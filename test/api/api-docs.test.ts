// docs/api.md must be what `npm run docs` renders from today's OpenAPI document.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderApiMarkdown } from '../../src/http/api/api-docs.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { openPgliteTestStore } from '../support/stores.ts';

it('docs/api.md matches the published OpenAPI document (run `npm run docs` after changing a route)', async () => {
  const store = await openPgliteTestStore();
  try {
    const doc = await (
      await createHttpApp({ store, logger: createLogger('silent') }).request('/api/v1/openapi.json')
    ).json();
    assert.equal(readFileSync('docs/api.md', 'utf8'), renderApiMarkdown(doc));
  } finally {
    await store.close();
  }
});
