// The WorkOS spelling of role slugs is a bijection for any set of custom roles an organization can
// hold (no twins): every role reads back to itself, no two share a WorkOS slug, and every custom
// role is an organization role at WorkOS (`org-` prefix) while built-in roles stay environment roles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { gatehouseRoleSlug, isBuiltInRoleSlug, providerRoleSlug, twinRoleSlug } from './role-slugs.ts';

const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const slug = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{1,12}$/),
  fc.stringMatching(/^[a-z][a-z0-9-]{1,8}$/).map((s) => `org-${s}`),
  fc.constantFrom('admin', 'member', 'org-admin', 'org-member', 'org-org-x', 'org-x', 'x'),
);

/** What createRole lets an organization end with: a sequence of creations, twins and built-ins refused. */
function admit(attempts: string[]): Set<string> {
  const held = new Set<string>();
  for (const s of attempts) {
    if (isBuiltInRoleSlug(s) || held.has(s)) continue;
    const twin = twinRoleSlug(s);
    if (twin && held.has(twin)) continue;
    held.add(s);
  }
  return held;
}

describe('role slugs at WorkOS', () => {
  it('read back to the same Gatehouse role, never collide, and custom roles carry the org- prefix', () => {
    fc.assert(
      fc.property(fc.array(slug, { maxLength: 12 }), (attempts) => {
        const held = new Set<string>();
        for (const s of attempts) {
          // After every creation the rule holds for everything the organization now has.
          for (const r of admit([...held, s])) held.add(r);
          const known = (x: string) => held.has(x);
          const spelled = new Map<string, string>();
          for (const r of [...held, 'admin', 'member']) {
            const p = providerRoleSlug(r);
            assert.equal(gatehouseRoleSlug(p, known), r, `${r} -> ${p} reads back`);
            assert.equal(spelled.get(p), undefined, `${r} and ${spelled.get(p)} share ${p}`);
            spelled.set(p, r);
            if (!isBuiltInRoleSlug(r)) assert.ok(p.startsWith('org-'), `${r} is an organization role`);
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keeps a WorkOS slug Gatehouse does not know as WorkOS spells it', () => {
    assert.equal(
      gatehouseRoleSlug('org-auditor', () => false),
      'org-auditor',
    );
    assert.equal(
      gatehouseRoleSlug('org-auditor', (s) => s === 'auditor'),
      'auditor',
    );
    assert.equal(
      gatehouseRoleSlug('org-admin', () => true),
      'org-admin',
    );
    assert.equal(
      gatehouseRoleSlug('admin', () => true),
      'admin',
    );
    assert.equal(twinRoleSlug('org-admin'), null);
    assert.equal(twinRoleSlug('billing'), 'org-billing');
  });
});
