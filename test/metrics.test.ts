// GET /metrics scraped over HTTP from a Gatehouse built by the composition root, after real traffic:
// a reconciliation against the emulator (provider calls), a sign-in through /auth/*, API requests
// with good and bad credentials, and a webhook WorkOS (the emulator) delivers. Checks the metric
// names and label sets, and that no label value carries an id, an email or a secret.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  startGatehouseServer,
  GATEHOUSE_TEST_SECRET,
  WEBHOOK_TEST_SECRET,
  type GatehouseServer,
} from './support/gatehouse-server.ts';
import { signIn } from './sign-in/in-process.ts';
import type { SignInWorld } from './sign-in/harness.ts';

let gh: GatehouseServer;
before(async () => {
  gh = await startGatehouseServer();
});
after(async () => {
  await gh?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

test('metrics: names and labels after real traffic, no ids, emails or secrets in any label', async () => {
  const world = {
    emulator: gh.emulator,
    gatehouse: gh.gatehouse,
    url: gh.url,
    org: gh.org,
    user: gh.user,
  } as unknown as SignInWorld;
  const { cookies } = await signIn(world, 'grace@globex.test');
  const cookie = Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  assert.equal((await fetch(`${gh.url}/api/v1/me`, { headers: { cookie } })).status, 200);
  assert.equal(
    (await fetch(`${gh.url}/api/v1/me`, { headers: { authorization: 'Bearer gth_live_not_a_real_key' } })).status,
    401,
  );
  assert.equal((await fetch(`${gh.url}/api/v1/me`)).status, 401);
  assert.equal((await fetch(`${gh.url}/no/such/route/${gh.org('Acme')}`)).status, 404);
  // A change at WorkOS reaches Gatehouse as a signed webhook.
  const acme = gh.org('Acme');
  const res = await fetch(`${gh.emulator.url}/organizations/${acme}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${gh.emulator.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Acme Renamed' }),
  });
  assert.equal(res.status, 200);
  await gh.webhooksIdle();

  const scrape = await fetch(`${gh.url}/metrics`);
  assert.equal(scrape.status, 200);
  assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await scrape.text();
  const samples = parseExposition(text);

  const apiRoute = find(samples, 'gatehouse_http_requests_total', {
    method: 'GET',
    route: '/api/v1/me',
    status: '200',
  });
  assert.equal(apiRoute.length, 1, 'requests counted by route template');
  assert.ok(
    find(samples, 'gatehouse_http_request_duration_seconds_bucket', { route: '/api/v1/me', status: '401' }).length > 0,
  );
  assert.ok(
    find(samples, 'gatehouse_http_requests_total', { status: '404' }).every((s) => !s.labels.route!.includes('org_')),
  );
  assert.equal(
    find(samples, 'gatehouse_access_decisions_total', { credential: 'session', outcome: 'allowed' })[0]?.value,
    1,
  );
  assert.ok(
    find(samples, 'gatehouse_access_decisions_total', { credential: 'api_key' }).some((s) =>
      s.labels.outcome!.startsWith('AUTH_'),
    ),
    'a refused key counts under its error code',
  );
  assert.equal(
    find(samples, 'gatehouse_access_decisions_total', { credential: 'none', outcome: 'AUTH_REQUIRED' })[0]?.value,
    1,
  );
  assert.equal(find(samples, 'gatehouse_sign_ins_total', { response_type: 'LOGIN_SUCCESSFUL' })[0]?.value, 1);
  assert.ok(
    (find(samples, 'gatehouse_webhook_events_total', { outcome: 'applied' })[0]?.value ?? 0) >= 1,
    'the webhook was applied',
  );
  assert.ok((find(samples, 'gatehouse_webhook_deliveries_total', { result: 'received' })[0]?.value ?? 0) >= 1);
  assert.equal(find(samples, 'gatehouse_webhook_apply_backlog')[0]?.value, 0);
  assert.ok(find(samples, 'gatehouse_webhook_apply_lag_seconds_count')[0]!.value >= 1);
  assert.equal(find(samples, 'gatehouse_reconcile_runs_total', { outcome: 'completed' })[0]?.value, 1);
  assert.ok(
    find(samples, 'gatehouse_reconcile_drift_total', { change: 'created' }).length > 0,
    'the first full run created the seeded rows',
  );
  assert.ok(find(samples, 'gatehouse_reconcile_last_success_timestamp_seconds')[0]!.value > 0);
  assert.equal(find(samples, 'gatehouse_revocation_bus_connected')[0]?.value, 1);
  const providerCalls = find(samples, 'gatehouse_provider_request_duration_seconds_count', { provider: 'workos' });
  assert.ok(
    providerCalls.length > 0 && providerCalls.every((s) => /^\/[a-z_/:]*$/.test(s.labels.endpoint!)),
    'provider calls by endpoint template',
  );
  assert.ok(
    find(samples, 'gatehouse_provider_request_duration_seconds_count', {
      endpoint: '/user_management/authenticate',
      status: '200',
    }).length === 1,
  );
  assert.ok(
    find(samples, 'gatehouse_process_cpu_seconds_total').length === 1,
    'process metrics under the gatehouse_ prefix',
  );

  // No label value is an id, an email or a secret; every label name is from the bounded vocabulary.
  const allowedLabels = new Set([
    'method',
    'route',
    'status',
    'le',
    'credential',
    'outcome',
    'response_type',
    'result',
    'kind',
    'change',
    'state',
    'provider',
    'endpoint',
    'table',
    'quantile',
    'type',
    'version',
    'major',
    'minor',
    'patch',
    'space',
  ]);
  const secrets = [GATEHOUSE_TEST_SECRET, WEBHOOK_TEST_SECRET, gh.emulator.apiKey, ...Object.values(cookies)];
  for (const s of samples) {
    for (const [name, value] of Object.entries(s.labels)) {
      assert.ok(allowedLabels.has(name), `unexpected label ${name} on ${s.name}`);
      assert.doesNotMatch(value, /@/, `${s.name} ${name} carries an email`);
      assert.doesNotMatch(
        value,
        /\b[a-z]+_(?=[0-9A-Za-z]*\d)[0-9A-Za-z]{10,}/,
        `${s.name} ${name}=${value} carries an id`,
      );
      for (const secret of secrets) assert.ok(!value.includes(secret), `${s.name} ${name} carries a secret`);
    }
  }
  for (const id of [acme, gh.org('Globex'), gh.user('grace@globex.test')])
    assert.ok(!text.includes(id), 'no id anywhere in the exposition');
});

test('metrics: each Gatehouse has its own registry (no module-level singleton)', async () => {
  const { createMetrics } = await import('../src/metrics/metrics.ts');
  const a = createMetrics();
  const b = createMetrics();
  a.signIns.inc({ response_type: 'LOGIN_SUCCESSFUL' });
  assert.match(await a.registry.metrics(), /gatehouse_sign_ins_total\{response_type="LOGIN_SUCCESSFUL"\} 1/);
  assert.doesNotMatch(await b.registry.metrics(), /gatehouse_sign_ins_total\{/);
});
