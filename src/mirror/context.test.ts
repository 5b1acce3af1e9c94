import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccessRevoker } from './access-revoker.ts';
import { runDeferred, type ApplyContext } from './context.ts';

describe('work deferred until after commit', () => {
  it('runs every task even when one fails, then rethrows that failure', async () => {
    const ran: number[] = [];
    const boom = new Error('sessions store down');
    const tasks = [1, 2, 3].map((n) => async () => {
      ran.push(n);
      if (n === 2) throw boom;
    });
    await assert.rejects(runDeferred(tasks), (error) => error === boom);
    assert.deepEqual(ran, [1, 2, 3]);
  });

  it('gathers several failures into one AggregateError', async () => {
    const fail = (m: string) => async () => {
      throw new Error(m);
    };
    await assert.rejects(
      runDeferred([fail('a'), fail('b')]),
      (error: unknown) => error instanceof AggregateError && error.errors.map((e: Error) => e.message).join() === 'a,b',
    );
  });

  it('reports a failed session revocation after deprovisioning with the user and organization', async () => {
    const deferred: Array<() => Promise<unknown>> = [];
    const reported: unknown[] = [];
    const failure = new Error('connection reset');
    const revoker = createAccessRevoker({
      publish: async () => undefined,
      // The fault: the session store refuses after the mirror transaction committed.
      sessions: {
        revokeAllForUser: async () => {
          throw failure;
        },
      },
      onSessionRevocationFailed: (error, at) => reported.push({ error, ...at }),
    });
    const ctx = {
      event: { id: 'evt_1' },
      defer: (task: () => Promise<unknown>) => deferred.push(task),
    } as unknown as ApplyContext;
    await revoker.revokeCredentials!(ctx, {
      organizationId: 'org_1',
      userId: 'user_1',
      reason: 'directory user deleted',
    });
    await runDeferred(deferred);
    assert.deepEqual(reported, [
      { error: failure, organizationId: 'org_1', userId: 'user_1', reason: 'directory user deleted' },
    ]);
  });

  it('rethrows a failed session revocation when nothing is wired to report it', async () => {
    const deferred: Array<() => Promise<unknown>> = [];
    const revoker = createAccessRevoker({
      publish: async () => undefined,
      sessions: {
        revokeAllForUser: async () => {
          throw new Error('connection reset');
        },
      },
    });
    const ctx = {
      event: { id: 'evt_1' },
      defer: (task: () => Promise<unknown>) => deferred.push(task),
    } as unknown as ApplyContext;
    await revoker.revokeCredentials!(ctx, { organizationId: 'org_1', userId: 'user_1', reason: 'removed' });
    await assert.rejects(runDeferred(deferred), /connection reset/);
  });
});
