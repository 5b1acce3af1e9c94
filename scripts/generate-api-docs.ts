// `npm run docs`: rewrites docs/api.md from the OpenAPI document the server publishes.
import { writeFileSync } from 'node:fs';
import { renderApiMarkdown } from '../src/http/api/api-docs.ts';
import { createHttpApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { openStore } from '../src/store/store.ts';

const store = await openStore({ engine: 'pglite' });
try {
  const app = createHttpApp({ store, logger: createLogger('silent') });
  const doc = await (await app.request('/api/v1/openapi.json')).json();
  writeFileSync('docs/api.md', renderApiMarkdown(doc));
  console.log(`docs/api.md: ${Object.keys(doc.paths).length} paths`);
} finally {
  await store.close();
}
