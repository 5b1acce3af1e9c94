import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../core/canonical-json.ts';
import { GENESIS_HASH, hashAuditEvent, verifyChain, type ChainedAuditEvent } from './chain.ts';

function chain(n: number): ChainedAuditEvent[] {
  const out: ChainedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = { organizationId: 'org_1', seq, id: `audit_${seq}`, type: 'member.added', actor: { type: 'system' as const, id: null }, target: null, data: { seq }, createdAt: new Date(1_700_000_000_000 + seq).toISOString(), prevHash: prev };
    const hash = hashAuditEvent(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, u: undefined }), '{"a":{"c":"x","d":[true,null]},"b":1}');
  });
  it('gives the same text for objects that differ only in key order', () => {
    assert.equal(canonicalJson({ x: 1, y: { b: 2, a: 1 } }), canonicalJson({ y: { a: 1, b: 2 }, x: 1 }));
  });
  it('refuses values JSON cannot carry', () => {
    assert.throws(() => canonicalJson(Number.NaN), TypeError);
    assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', async () => {
    const events = chain(5);
    assert.deepEqual(await verifyChain(events), { valid: true, count: 5, headHash: events[4]!.hash });
  });
  it('accepts an empty chain', async () => {
    assert.deepEqual(await verifyChain([]), { valid: true, count: 0, headHash: GENESIS_HASH });
  });
  const tampers: [string, (e: ChainedAuditEvent[]) => ChainedAuditEvent[], number][] = [
    ['changed data', (e) => e.map((x) => (x.seq === 3 ? { ...x, data: { seq: 99 } } : x)), 3],
    ['changed type', (e) => e.map((x) => (x.seq === 2 ? { ...x, type: 'member.removed' } : x)), 2],
    ['changed actor', (e) => e.map((x) => (x.seq === 4 ? { ...x, actor: { type: 'user' as const, id: 'user_evil' } } : x)), 4],
    ['removed entry', (e) => e.filter((x) => x.seq !== 3), 4],
    ['swapped entries', (e) => [e[0]!, e[2]!, e[1]!, e[3]!, e[4]!], 3],
    ['rehashed entry', (e) => e.map((x) => (x.seq === 2 ? { ...x, data: { seq: 7 }, hash: hashAuditEvent({ ...x, data: { seq: 7 } }) } : x)), 3],
    ['another organization', (e) => e.map((x) => (x.seq === 5 ? { ...x, organizationId: 'org_2' } : x)), 5],
  ];
  for (const [name, tamper, seq] of tampers) {
    it(`names the first broken seq after a ${name}`, async () => {
      const verdict = await verifyChain(tamper(chain(5)));
      assert.equal(verdict.valid, false);
      assert.equal(verdict.valid === false ? verdict.firstInvalidSeq : 0, seq);
    });
  }
});
