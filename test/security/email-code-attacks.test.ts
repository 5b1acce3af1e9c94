// Attacks on the built-in email-code sign-in (AUTH_PROVIDER=local), each row printing
// `tried N accepted 0`: wrong, brute-forced, expired, reused and superseded codes, a code for one
// email used for another, account enumeration through the answers and through the work done, and
// an email code for an organization that enforces SSO. Through the real composition root, with
// codes read from a real SMTP server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import {
  createEmailCodes,
  CODE_TTL_MS,
  MAX_CODES_PER_EMAIL,
  MAX_CODES_PER_SOURCE,
} from '../../src/identity/local/email-codes.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { orgWithMember, TEST_SECRET } from '../support/access-fixtures.ts';
import { testEngines } from '../support/stores.ts';
import { cookiesOf, form, json, openLocalWorld, type LocalWorld } from '../sign-in/local-world.ts';

const SESSION = 'gatehouse_session';

for (const engine of testEngines()) {
  describe(`email-code attacks on ${engine.name}`, () => {
    let world: LocalWorld;
    before(async () => {
      world = await openLocalWorld(engine.open);
    });
    after(() => world?.close());

    const ask = async (email: string, ip?: string) => {
      const before = world.mail.length;
      const res = await world.send('/auth/email', json({ email }), ip);
      assert.equal(res.status, 200);
      return (await world.codeFor(email, before)).code;
    };
    /** One try; true when it signed anyone in. */
    const accepted = async (email: string, code: string) => {
      const res = await world.send('/auth/email/verify', json({ email, code }));
      const body = (await res.json()) as { responseType?: string };
      return body.responseType === 'LOGIN_SUCCESSFUL' || Boolean(cookiesOf(res)[SESSION]);
    };
    const wrong = (real: string, i: number) => String((Number(real) + 1 + i) % 1_000_000).padStart(6, '0');
    const member = async (name: string) =>
      await orgWithMember(world.store.db, 'member', `${name}-${engine.name}@acme.test`);
    const email = (name: string) => `${name}-${engine.name}@acme.test`;

    it('refuses every attack on codes, answers and SSO enforcement', async () => {
      const rows: Array<[string, () => Promise<{ tried: number; accepted: number }>]> = [
        [
          'wrong codes',
          async () => {
            await member('wrong');
            const real = await ask(email('wrong'));
            let ok = 0;
            for (let i = 0; i < 4; i++) if (await accepted(email('wrong'), wrong(real, i))) ok++;
            return { tried: 4, accepted: ok };
          },
        ],
        [
          'brute force (45 guesses; the 5th wrong one kills the code; then the real one)',
          async () => {
            await member('brute');
            const real = await ask(email('brute'));
            let ok = 0;
            let tried = 0;
            for (let i = 0; i < 45; i++, tried++) if (await accepted(email('brute'), wrong(real, i))) ok++;
            tried++;
            if (await accepted(email('brute'), real)) ok++;
            return { tried, accepted: ok };
          },
        ],
        [
          'expired code (10 minutes)',
          async () => {
            await member('expired');
            const real = await ask(email('expired'));
            world.advance(CODE_TTL_MS);
            const res = await world.send('/auth/email/verify', json({ email: email('expired'), code: real }));
            assert.equal(((await res.json()) as { responseType: string }).responseType, 'LINK_EXPIRED');
            return { tried: 1, accepted: 0 };
          },
        ],
        [
          'reused code',
          async () => {
            await member('reused');
            const real = await ask(email('reused'));
            assert.equal(await accepted(email('reused'), real), true); // the owner's one use
            let ok = 0;
            for (let i = 0; i < 3; i++) if (await accepted(email('reused'), real)) ok++;
            return { tried: 3, accepted: ok };
          },
        ],
        [
          'superseded code (a newer one was sent)',
          async () => {
            await member('older');
            const first = await ask(email('older'));
            let second = await ask(email('older'));
            while (second === first) second = await ask(email('older'));
            return { tried: 1, accepted: Number(await accepted(email('older'), first)) };
          },
        ],
        [
          'a code for one email used for another',
          async () => {
            await member('victim');
            await member('attacker');
            await ask(email('victim'));
            const mine = await ask(email('attacker'));
            let ok = 0;
            if (await accepted(email('victim'), mine)) ok++;
            if (await accepted(email('never-asked'), mine)) ok++;
            return { tried: 2, accepted: ok };
          },
        ],
        [
          'enumeration through answers (status, headers, body)',
          async () => {
            await member('known');
            let differ = 0;
            let tried = 0;
            for (const init of [json, form]) {
              const answers = [];
              for (const who of [email('known'), email('unknown')]) {
                const res = await world.send('/auth/email', init({ email: who }));
                answers.push({
                  status: res.status,
                  type: res.headers.get('content-type'),
                  cache: res.headers.get('cache-control'),
                  cookies: res.headers.getSetCookie().length,
                  body: (await res.text()).replaceAll(who, '<email>'),
                });
              }
              tried++;
              if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1])) differ++;
            }
            return { tried, accepted: differ };
          },
        ],
        [
          'enumeration through work done (statements and mail)',
          async () => {
            await member('worked');
            const shapes: string[] = [];
            const recorder: KyselyPlugin = {
              transformQuery: ({ node }) => {
                shapes.push(JSON.stringify(node, (k, v) => (k === 'value' || k === 'values' ? '?' : v)));
                return node;
              },
              transformResult: async ({ result }) => result,
            };
            const codes = createEmailCodes({ db: world.store.db.withPlugin(recorder), secret: TEST_SECRET });
            const workOf = async (who: string) => {
              shapes.length = 0;
              await codes.issue(who, '192.0.2.7');
              return [...shapes];
            };
            const known = await workOf(email('worked'));
            const unknown = await workOf(email('not-worked'));
            assert.ok(known.length >= 4);
            let differ = JSON.stringify(known) === JSON.stringify(unknown) ? 0 : 1;
            if (differ)
              console.log(
                known.filter((k, i) => k !== unknown[i]),
                unknown.filter((k, i) => k !== known[i]),
              );
            // Through HTTP: one code row and one delivered message for each, known or not.
            const mailBefore = world.mail.length;
            await ask(email('worked'));
            await ask(email('not-worked-either'));
            const rows = await asSystem(world.store.db, 'test', (tx) =>
              tx
                .selectFrom('email_sign_in_codes')
                .select(['email'])
                .where('email', 'in', [email('worked'), email('not-worked-either')])
                .execute(),
            );
            if (
              rows.filter((r) => r.email === email('worked')).length !== 2 ||
              rows.filter((r) => r.email !== email('worked')).length !== 1
            )
              differ++;
            const mailed = (who: string) => world.mail.slice(mailBefore).filter((m) => m.to === who).length;
            if (mailed(email('worked')) !== 1 || mailed(email('not-worked-either')) !== 1) differ++;
            return { tried: 3, accepted: differ };
          },
        ],
        [
          'email code for an organization that enforces SSO',
          async () => {
            const { organizationId } = await member('enforced');
            await inTenant(world.store.db, organizationId, (tx) =>
              tx
                .insertInto('sso_configs')
                .values({ organization_id: organizationId, enabled: true, enforced: true, connection_id: 'conn_acme' })
                .execute(),
            );
            const real = await ask(email('enforced'));
            const res = await world.send('/auth/email/verify', json({ email: email('enforced'), code: real }));
            const body = (await res.json()) as Record<string, unknown>;
            assert.equal(body.responseType, 'SSO_REQUIRED');
            const audited = await inTenant(world.store.db, organizationId, (tx) =>
              tx.selectFrom('audit_events').select('type').where('type', '=', 'auth.sso_required').execute(),
            );
            assert.equal(audited.length, 1);
            // A session from before enforcement ends at its next request.
            const { organizationId: later } = await member('later');
            const code = await ask(email('later'));
            const signedIn = await world.send('/auth/email/verify', json({ email: email('later'), code }));
            const cookie = cookiesOf(signedIn)[SESSION]!;
            assert.ok(cookie);
            await inTenant(world.store.db, later, (tx) =>
              tx
                .insertInto('sso_configs')
                .values({ organization_id: later, enabled: true, enforced: true, connection_id: 'conn_later' })
                .execute(),
            );
            const me = await world.send('/api/v1/me', { cookies: { [SESSION]: cookie } });
            const problem = (await me.json()) as { code: string };
            assert.equal(me.status, 401);
            assert.equal(problem.code, 'SESSION_SSO_REQUIRED');
            const signedInAnyway = [String(body.responseType) === 'LOGIN_SUCCESSFUL', me.ok].filter(Boolean).length;
            return { tried: 2, accepted: signedInAnyway };
          },
        ],
      ];
      let total = 0;
      for (const [name, run] of rows) {
        const { tried, accepted: n } = await run();
        total += tried;
        console.log(`${engine.name} ${name}: tried ${tried} accepted ${n}`);
        assert.equal(n, 0, name);
      }
      console.log(`${engine.name} email-code attacks: tried ${total} accepted 0`);
    });

    it('limits code requests per email and per source address', async () => {
      const target = email('limited');
      for (let i = 0; i < MAX_CODES_PER_EMAIL; i++)
        assert.equal((await world.send('/auth/email', json({ email: target }))).status, 200);
      const limited = await world.send('/auth/email', json({ email: target }));
      assert.equal(limited.status, 429);
      assert.equal(((await limited.json()) as { code: string }).code, 'AUTH_CODE_RATE_LIMITED');
      const ip = '198.51.100.9';
      for (let i = 0; i < MAX_CODES_PER_SOURCE; i++)
        assert.equal((await world.send('/auth/email', json({ email: email(`src${i}`) }), ip)).status, 200);
      const fromSource = await world.send('/auth/email', json({ email: email('one-more') }), ip);
      assert.equal(fromSource.status, 429);
      console.log(
        `rate limits: ${MAX_CODES_PER_EMAIL} codes per email, ${MAX_CODES_PER_SOURCE} per source, per 15 minutes`,
      );
    });
  });
}
