// `gatehouse serve` with the WorkOS provider fails closed without a webhook secret: exit 2 and one
// line naming WORKOS_WEBHOOK_SECRET, before anything listens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';

describe('gatehouse serve and the webhook secret', () => {
  it('refuses to start with AUTH_PROVIDER=workos and no WORKOS_WEBHOOK_SECRET', async () => {
    const r = await runCli(['serve', '--embedded'], {
      AUTH_PROVIDER: 'workos',
      GATEHOUSE_SECRET: 'x'.repeat(40),
      DATABASE_URL: '',
      WORKOS_WEBHOOK_SECRET: '',
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /WORKOS_WEBHOOK_SECRET/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  });
});
