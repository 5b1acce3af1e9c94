// Attacks on the direct OIDC sign-in (AUTH_PROVIDER=oidc), each row printing `tried N accepted 0`,
// beside the email-code table (email-code-attacks.test.ts): ID tokens with a wrong nonce,
// audience, issuer or algorithm (none, HS256 keyed with the client secret), expired; a code from
// organization B's identity provider presented in organization A's flow (mix-up, RFC 9207), a
// state from another browser, a replayed callback; an email outside the connection's domains or
// not verified; an email code for an organization that enforces SSO. Two real `oidc-provider`
// instances and, for the tokens no honest provider issues, a rogue provider whose discovery and
// JWKS are real; Gatehouse's openid-client does all the checking.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { orgWithMember } from '../support/access-fixtures.ts';
import { testEngines } from '../support/stores.ts';
import { authorizeAt } from '../sign-in/idp-driver.ts';
import { cookiesOf, json } from '../sign-in/local-world.ts';
import { openOidcWorld, SESSION, type OidcWorld } from '../sign-in/oidc-world.ts';
import { startRogueIdp, type Forgery, type RogueIdp } from '../sign-in/rogue-idp.ts';

for (const engine of testEngines()) {
  describe(`direct OIDC attacks on ${engine.name}`, () => {
    let world: OidcWorld;
    let rogue: RogueIdp;
    before(async () => {
      world = await openOidcWorld(engine.open);
      rogue = await startRogueIdp();
      // The rogue provider is organization R's connection, added through the API like any other.
      const { organizationId } = await orgWithMember(world.store.db, 'admin', 'admin@r.test');
      const adminCookie = await world.emailCodeSession('admin@r.test');
      const res = await world.addConnection(
        { organizationId, adminCookie },
        { issuer: rogue.issuer, clientId: rogue.clientId, clientSecret: rogue.clientSecret, domains: ['r.test'] },
      );
      assert.equal(res.status, 201, await res.clone().text());
    });
    after(async () => {
      await rogue?.close();
      await world?.close();
    });

    /** Why each refused answer was refused (LINK_INVALID's reason), for the row's assertion. */
    let reasons: string[] = [];
    /** True when the answer signed anyone in. */
    const signedIn = async (res: Response) => {
      const cookie = cookiesOf(res)[SESSION];
      const body = (await res.json().catch(() => ({}))) as { responseType?: string; reason?: string };
      if (body.responseType !== 'LOGIN_SUCCESSFUL')
        reasons.push(body.reason ?? body.responseType ?? String(res.status));
      return body.responseType === 'LOGIN_SUCCESSFUL' || Boolean(cookie);
    };
    /** A flow started at the rogue provider's organization, answered with a token forged as asked. */
    const forged = async (forgery: Forgery, nonceOverride?: string) => {
      const { authorizationUrl, loginCookie } = await world.startSso('mallory@r.test');
      const params = new URL(authorizationUrl).searchParams;
      const code = await rogue.codeFor(nonceOverride ?? params.get('nonce')!, forgery);
      const cb = new URL(world.redirectUri);
      cb.search = new URLSearchParams({ code, state: params.get('state')!, iss: rogue.issuer }).toString();
      return world.callback(cb, loginCookie);
    };
    const one = async (res: Promise<Response>) => ({ tried: 1, accepted: Number(await signedIn(await res)) });

    it('refuses every attack on ID tokens, codes, domains and SSO enforcement', async () => {
      // Controls, not counted: the honest flows through the real provider and the rogue one work,
      // so every refusal below is the check under test and not a broken setup.
      assert.equal(await signedIn(await world.signInThrough('ada@a.test')), true);
      assert.equal(await signedIn(await forged({})), true);

      const now = Math.floor(Date.now() / 1000);
      // Each row: what is tried, the attack, and why each try must be refused (the answer's reason).
      const rows: Array<[string, () => Promise<{ tried: number; accepted: number }>, string[]]> = [
        [
          'ID token with a wrong nonce (rogue provider)',
          () => one(forged({}, 'not-the-sealed-nonce')),
          ['nonce_mismatch'],
        ],
        [
          'ID token with a wrong nonce (real provider, authorization request rewritten)',
          async () => {
            const { authorizationUrl, loginCookie } = await world.startSso('ada@a.test');
            const url = new URL(authorizationUrl);
            url.searchParams.set('nonce', 'attacker-chosen-nonce');
            return one(world.callback(await authorizeAt(url.href, 'ada@a.test', world.redirectUri), loginCookie));
          },
          ['nonce_mismatch'],
        ],
        [
          'ID token for another audience',
          () => one(forged({ claims: { aud: 'some-other-client' } })),
          ['audience_mismatch'],
        ],
        [
          'ID token from another issuer (claims to be organization A’s provider)',
          () => one(forged({ claims: { iss: world.a.idp.issuer } })),
          ['issuer_mismatch'],
        ],
        ['ID token with alg none', () => one(forged({ alg: 'none' })), ['algorithm_refused']],
        [
          'ID token with alg HS256 keyed by the client secret',
          () => one(forged({ alg: 'HS256' })),
          ['algorithm_refused'],
        ],
        ['expired ID token', () => one(forged({ claims: { iat: now - 3600, exp: now - 1800 } })), ['id_token_expired']],
        [
          'mix-up: a code from B’s provider in A’s flow (B’s iss, no iss, iss forged as A)',
          async () => {
            const flowB = await world.startSso('bob@b.test');
            const fromB = await authorizeAt(flowB.authorizationUrl, 'bob@b.test', world.redirectUri);
            let accepted = 0;
            for (const iss of [world.b.idp.issuer, null, world.a.idp.issuer]) {
              const flowA = await world.startSso('ada@a.test');
              const cb = new URL(world.redirectUri);
              cb.searchParams.set('code', fromB.searchParams.get('code')!);
              cb.searchParams.set('state', new URL(flowA.authorizationUrl).searchParams.get('state')!);
              if (iss) cb.searchParams.set('iss', iss);
              accepted += Number(await signedIn(await world.callback(cb, flowA.loginCookie)));
            }
            return { tried: 3, accepted };
          },
          ['iss_parameter_mismatch', 'iss_parameter_mismatch', 'code_invalid'],
        ],
        [
          'a callback carrying another browser’s state',
          async () => {
            const victim = await world.startSso('ada@a.test');
            const attacker = await world.startSso('ada@a.test');
            const cb = await authorizeAt(victim.authorizationUrl, 'ada@a.test', world.redirectUri);
            return one(world.callback(cb, attacker.loginCookie));
          },
          ['state_mismatch'],
        ],
        [
          'a replayed callback (same cookie, spent code)',
          async () => {
            const flow = await world.startSso('ada@a.test');
            const cb = await authorizeAt(flow.authorizationUrl, 'ada@a.test', world.redirectUri);
            assert.equal(await signedIn(await world.callback(cb, flow.loginCookie)), true);
            return one(world.callback(cb, flow.loginCookie));
          },
          ['code_invalid'],
        ],
        [
          'email outside the connection’s domains (A’s provider asserting elsewhere.test and b.test)',
          async () => {
            let accepted = 0;
            for (const login of ['eve@elsewhere.test', 'bob@b.test']) {
              const flow = await world.startSso('ada@a.test');
              const cb = await authorizeAt(flow.authorizationUrl, login, world.redirectUri);
              const res = await world.callback(cb, flow.loginCookie);
              const body = (await res.clone().json()) as { reason?: string };
              assert.equal(body.reason, 'email_domain_not_allowed');
              accepted += Number(await signedIn(res));
            }
            accepted += Number(await signedIn(await forged({ claims: { email: 'ada@a.test' } })));
            return { tried: 3, accepted };
          },
          Array(3).fill('email_domain_not_allowed'),
        ],
        [
          'email_verified false or missing',
          async () => {
            const flow = await world.startSso('unverified@a.test');
            const cb = await authorizeAt(flow.authorizationUrl, 'unverified@a.test', world.redirectUri);
            let accepted = Number(await signedIn(await world.callback(cb, flow.loginCookie)));
            accepted += Number(await signedIn(await forged({ claims: { email_verified: false } })));
            accepted += Number(await signedIn(await forged({ claims: { email_verified: 'true' } })));
            return { tried: 3, accepted };
          },
          Array(3).fill('email_unverified'),
        ],
        [
          'email code for an organization that enforces SSO',
          async () => {
            const admin = world.a.adminCookie;
            const sso = `/api/v1/organizations/${world.a.organizationId}/sso`;
            const put = (path: string, body: object) =>
              world.send(path, {
                ...json({}),
                method: 'PUT',
                body: JSON.stringify(body),
                cookies: { [SESSION]: admin },
              });
            assert.equal((await put(sso, { connectionId: world.a.connectionId, provider: 'GenericOIDC' })).status, 200);
            assert.equal((await put(`${sso}/enforcement`, { enforced: true, acknowledgeLockout: true })).status, 200);
            const before = world.mail.length;
            await world.send('/auth/email', json({ email: 'admin@a.test' }));
            const { code } = await world.codeFor('admin@a.test', before);
            const res = await world.send('/auth/email/verify', json({ email: 'admin@a.test', code }));
            assert.equal(((await res.clone().json()) as { responseType: string }).responseType, 'SSO_REQUIRED');
            return { tried: 1, accepted: Number(await signedIn(res)) };
          },
          ['SSO_REQUIRED'],
        ],
      ];
      let total = 0;
      for (const [name, run, why] of rows) {
        reasons = [];
        const { tried, accepted } = await run();
        assert.deepEqual(reasons, why, `${name}: refused for the wrong reason`);
        total += tried;
        console.log(`${engine.name} ${name}: tried ${tried} accepted ${accepted}`);
        assert.equal(accepted, 0, name);
      }
      console.log(`${engine.name} direct OIDC attacks: tried ${total} accepted 0`);
    });
  });
}
