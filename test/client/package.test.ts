// What an app installs: `npm pack` of packages/client (built by tsc), installed into a fresh app
// outside the repository, run on the pinned Node 24 and on Node 22 (the npm package node@22, like
// the pinned one) against a running Gatehouse. Proves the tarball holds built JavaScript and
// declarations, the exports map resolves every entry point, and nothing needs this repository.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';
import { IN_CI } from '../support/requirements.ts';

const NODE24 = resolve('node_modules/.bin/node');
// Beside the project's other caches: kept across runs (a test run's TMPDIR is its own, removed after).
const NODE22_DIR = resolve('node_modules/.cache/gatehouse-node22');
const NPM = 'npm';

const APP = `
import { createGatehouseClient } from '@gatehouse/client';
import { gatehouse } from '@gatehouse/client/express';
import { withGatehouse } from '@gatehouse/client/next';
const logger = { warn() {}, info() {} };
const client = createGatehouseClient({ url: process.env.GATEHOUSE_URL, credential: process.env.APP_KEY, logger });
await client.ready;
const auth = await client.authenticate({ headers: { cookie: 'gatehouse_session=' + process.env.USER_COOKIE } });
const refused = await client.authenticate({ headers: {} }).catch((e) => e.code);
client.close();
const canRead = auth.can('members:read');
console.log(JSON.stringify({ node: process.version, org: auth.organizationId, canRead, refused,
  middleware: [typeof gatehouse, typeof withGatehouse] }));
`;

/** Node 22 from the npm registry (the `node` package), cached in git-ignored node_modules/.cache. */
function node22(): string | null {
  const bin = join(NODE22_DIR, 'node_modules', '.bin', 'node');
  if (existsSync(bin)) return bin;
  try {
    mkdirSync(NODE22_DIR, { recursive: true });
    writeFileSync(join(NODE22_DIR, 'package.json'), '{"name":"gatehouse-node22","private":true}');
    execFileSync(NPM, ['install', '--no-audit', '--no-fund', 'node@22'], {
      cwd: NODE22_DIR,
      stdio: 'ignore',
      timeout: 300_000,
    });
    return existsSync(bin) ? bin : null;
  } catch (error) {
    if (IN_CI) throw error;
    return null;
  }
}

describe('the packed @gatehouse/client in a fresh app', () => {
  let world: AppWorld;
  let app: string;

  before(async () => {
    world = await startAppWorld();
    execFileSync(NODE24, ['node_modules/typescript/bin/tsc', '-p', 'packages/client/tsconfig.json']);
    app = mkdtempSync(join(tmpdir(), 'gatehouse-client-app-'));
    execFileSync(NPM, ['pack', '--ignore-scripts', '--pack-destination', app], {
      cwd: 'packages/client',
      stdio: 'ignore',
    });
    const tarball = readdirSync(app).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'notes-app', private: true, type: 'module' }));
    // No registry needed: the package has no runtime dependencies.
    execFileSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`], {
      cwd: app,
      stdio: 'ignore',
    });
    writeFileSync(join(app, 'app.js'), APP);
  });
  after(async () => {
    await world?.close();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  // Asynchronously: the Gatehouse it talks to runs in this process and must keep answering.
  const run = async (node: string) =>
    JSON.parse(
      (
        await promisify(execFile)(node, ['app.js'], {
          cwd: app,
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            GATEHOUSE_URL: world.url,
            APP_KEY: world.appKeys.acme,
            USER_COOKIE: world.members.bob.cookie,
          },
        })
      ).stdout,
    );

  it('ships built JavaScript and declarations only', () => {
    const files = execFileSync('tar', ['-tzf', readdirSync(app).find((f) => f.endsWith('.tgz'))!], {
      cwd: app,
      encoding: 'utf8',
    }).split('\n');
    assert.ok(files.includes('package/dist/index.js') && files.includes('package/dist/index.d.ts'));
    assert.ok(
      !files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
      'no TypeScript source runs from node_modules',
    );
  });

  for (const [label, pick] of [
    ['Node 24 (pinned)', () => NODE24],
    ['Node 22 (npm package node@22)', node22],
  ] as const) {
    it(`resolves a caller on ${label}`, async (t) => {
      const node = pick();
      if (!node) {
        // Under CI=true the Node 22 half must run: a missing runtime fails instead of skipping.
        if (IN_CI) assert.fail('node@22 could not be installed from the npm registry');
        return t.skip('node@22 could not be installed from the registry (offline?)');
      }
      const out = await run(node);
      assert.match(out.node, label.startsWith('Node 24') ? /^v24\./ : /^v22\./);
      assert.deepEqual(
        { ...out, node: undefined },
        {
          node: undefined,
          org: world.orgs.acme,
          canRead: true,
          refused: 'AUTH_REQUIRED',
          middleware: ['function', 'function'],
        },
      );
    });
  }
});
