// The OIDC client's edges against a real oidc-provider: which issuers are acceptable at all,
// discovery of a live provider (and the report "Test connection" shows), discovery of nothing
// (SSO_DISCOVERY_FAILED), and a provider gone after discovery answering as retryable
// PROVIDER_UNAVAILABLE rather than as a refused sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevIdp, type DevIdp } from '../../cli/dev-oidc-idp.ts';
import { AppError } from '../../core/errors.ts';
import { createOidcClients, parseIssuerUrl } from './oidc-client.ts';

describe('parseIssuerUrl', () => {
  it('accepts https anywhere and http on loopback only', () => {
    for (const ok of [
      'https://login.acme.com',
      'https://x.test/tenant/v2.0',
      'http://127.0.0.1:4000',
      'http://localhost',
    ])
      assert.ok(parseIssuerUrl(ok), ok);
    for (const bad of ['http://login.acme.com', 'ftp://x.test', 'javascript:alert(1)', 'not a url', '//x.test'])
      assert.equal(parseIssuerUrl(bad), null, bad);
  });
});

describe('createOidcClients against oidc-provider', () => {
  let idp: DevIdp;
  before(async () => {
    idp = await startDevIdp({
      clientId: 'c1',
      clientSecret: 's'.repeat(32),
      redirectUris: ['http://gatehouse.test/auth/oidc/callback'],
      accounts: [{ email: 'ada@a.test' }],
    });
  });
  after(() => idp?.close());

  it('discovers a live provider, and refuses nothing at all with SSO_DISCOVERY_FAILED', async () => {
    const clients = createOidcClients();
    const report = await clients.discover({ id: 'conn_1', issuer: idp.issuer, clientId: 'c1', clientSecret: 'x' });
    assert.equal(report.issuer, idp.issuer);
    assert.equal(report.issParameterSupported, true);
    assert.match(report.jwksUri ?? '', /^http:\/\/127\.0\.0\.1/);
    await assert.rejects(
      clients.discover({ id: 'conn_2', issuer: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 'x' }),
      (e: unknown) => e instanceof AppError && e.code === 'SSO_DISCOVERY_FAILED',
    );
    await assert.rejects(
      clients.discover({ id: 'conn_3', issuer: 'http://login.acme.com', clientId: 'c', clientSecret: 'x' }),
      (e: unknown) => e instanceof AppError && e.code === 'SSO_DISCOVERY_FAILED',
    );
  });

  it('answers a provider gone after discovery as retryable PROVIDER_UNAVAILABLE', async () => {
    const other = await startDevIdp({ clientId: 'c2', clientSecret: 't'.repeat(32), redirectUris: [], accounts: [] });
    const clients = createOidcClients();
    const endpoint = { id: 'conn_4', issuer: other.issuer, clientId: 'c2', clientSecret: 't'.repeat(32) };
    const url = new URL(
      await clients.authorizationUrl(endpoint, {
        redirectUri: 'http://gatehouse.test/auth/oidc/callback',
        state: 'st',
        nonce: 'n',
        codeChallenge: 'c'.repeat(43),
      }),
    );
    assert.equal(url.origin, other.issuer);
    await other.close();
    const callback = new URL('http://gatehouse.test/auth/oidc/callback?code=abc&state=st');
    callback.searchParams.set('iss', other.issuer);
    await assert.rejects(
      clients.redeem(endpoint, callback, { state: 'st', nonce: 'n', codeVerifier: 'v'.repeat(43) }),
      (e: unknown) => e instanceof AppError && e.code === 'PROVIDER_UNAVAILABLE' && e.retryable,
    );
  });
});
