// The client's cache never outlives a revocation: generated sequences of sign-ins, lookups
// (which fill the cache) and revocations against a running Gatehouse; after every step each live
// session is accepted and each revoked one is refused by the app within a second. PGlite, one
// world, fixed seed (PROPERTY_RUNS / PROPERTY_SEED for longer runs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createGatehouseClient, type GatehouseClient } from '../../packages/client/src/index.ts';
import { startAppWorld, type AppWorld, type Member } from '../support/app-world.ts';

type Op = { kind: 'signIn' } | { kind: 'lookup'; index: number } | { kind: 'revoke'; index: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'signIn' as const }),
  fc.record({ kind: fc.constant('lookup' as const), index: fc.nat(7) }),
  fc.record({ kind: fc.constant('revoke' as const), index: fc.nat(7) }),
);

describe('@gatehouse/client cache and revocations', () => {
  let world: AppWorld;
  let client: GatehouseClient;

  before(async () => {
    world = await startAppWorld();
    client = createGatehouseClient({
      url: world.url,
      credential: world.appKeys.acme,
      logger: { warn() {}, info() {} },
    });
    await client.ready;
  });
  after(async () => {
    client?.close();
    await world?.close();
  });

  const accepted = (m: Member) =>
    client.authenticate({ headers: { cookie: `gatehouse_session=${m.cookie}` } }).then(
      () => true,
      () => false,
    );

  it('accepts every live session and refuses every revoked one within a second, after every step', async () => {
    const runs = Number(process.env.PROPERTY_RUNS ?? 4);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 8 }), async (ops) => {
        const sessions: { member: Member; revoked: boolean }[] = [
          { member: await world.signIn(world.members.ada), revoked: false },
        ];
        for (const o of ops) {
          if (o.kind === 'signIn')
            sessions.push({ member: await world.signIn(world.members.bob, 'member'), revoked: false });
          const target = o.kind === 'signIn' ? undefined : sessions[o.index % sessions.length]!;
          if (o.kind === 'lookup') await accepted(target!.member);
          if (o.kind === 'revoke' && !target!.revoked) {
            await world.revokeSession(target!.member);
            target!.revoked = true;
          }
          for (const s of sessions) {
            if (!s.revoked) {
              assert.equal(await accepted(s.member), true, 'a live session is accepted');
              continue;
            }
            const deadline = Date.now() + 1000;
            while (await accepted(s.member)) {
              assert.ok(Date.now() < deadline, 'a revoked session was still accepted after 1 s');
              await new Promise((r) => setTimeout(r, 10));
            }
          }
        }
      }),
      { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 14) },
    );
  });
});
