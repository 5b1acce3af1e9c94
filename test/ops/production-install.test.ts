// The container image without a container: the files its final stage copies, a production-only
// `npm ci`, and `gatehouse serve` started from that tree against PostgreSQL (PGlite when no
// TEST_DATABASE_URL is given), ready on /readyz, metrics on their own port, stopped by SIGTERM.
// What this cannot check without an engine: the base image, USER, HEALTHCHECK and the compose file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/gatehouse-process.ts';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/stores.ts';
import { buildProductionTree, dockerIgnored, imageSources, REPO } from './production-install.ts';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("production install (the image's tree)", () => {
  let dir: string;
  let drop: (() => Promise<void>) | undefined;
  let server: GatehouseProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-prod-install-'));
    buildProductionTree(dir);
  });
  after(async () => {
    await server?.stop();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("holds the repository's code and production dependencies only", () => {
    assert.deepEqual(imageSources(), ['package.json', 'package-lock.json', 'bin', 'src', 'protocols']);
    assert.ok(existsSync(join(dir, 'src/cli/main.ts')) && existsSync(join(dir, 'bin/gatehouse.js')));
    assert.ok(!existsSync(join(dir, 'src/config.test.ts')), '.dockerignore keeps tests out');
    assert.ok(dockerIgnored()('.env') && dockerIgnored()('.gatehouse/pglite') && dockerIgnored()('src/x/y.test.ts'));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(pkg.dependencies))
      assert.ok(existsSync(join(dir, 'node_modules', name, 'package.json')), `${name} installed`);
    for (const name of Object.keys(pkg.devDependencies))
      assert.ok(!existsSync(join(dir, 'node_modules', name)), `dev dependency ${name} left out`);
  });

  it('serves from that tree: ready on /readyz, metrics only on METRICS_PORT, stops on SIGTERM', async () => {
    let database: Record<string, string>;
    if (TEST_DATABASE_URL) {
      const db = await createTestDatabase();
      drop = db.drop;
      database = { DATABASE_URL: db.url };
    } else {
      database = {};
    }
    server = await startGatehouseProcess(
      {
        ...database,
        NODE_ENV: 'production',
        GATEHOUSE_DATA_DIR: join(dir, 'data'),
        METRICS_PORT: '0',
        GATEHOUSE_SECRET: 'production-install-secret-0123456789-abcdef',
        WORKOS_WEBHOOK_SECRET: 'whsec_production_install_0123456789',
      },
      60_000,
      { cwd: dir, args: TEST_DATABASE_URL ? [] : ['--embedded'] },
    );
    const ready = await until('/readyz', async () => {
      const res = await fetch(`${server!.url}/readyz`);
      return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
    });
    assert.equal((ready as { status: string }).status, 'ready');
    const metricsUrl = await until(
      'the metrics listener',
      async () => server!.logs.find((l) => l.msg === 'metrics listening')?.url as string | undefined,
    );
    const scrape = await fetch(metricsUrl);
    assert.equal(scrape.status, 200);
    assert.match(await scrape.text(), /gatehouse_http_requests_total\{method="GET",route="\/readyz",status="200"\}/);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'the public port does not expose metrics');
    const exited = new Promise<number | null>((resolve) => server!.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(server.logs.some((l) => l.msg === 'stopped'));
  });
});
