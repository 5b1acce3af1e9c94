// The Merkle tree against RFC 9162: the published test vectors of Certificate Transparency, then
// properties over generated logs: every proof the log gives verifies, and any changed hash, size
// or position makes it fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  merkleRoot,
  MerkleFrontier,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const runs = Number(process.env.PROPERTY_RUNS ?? 60);
const params = { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261130) };

// Leaves and roots of the reference tree in certificate-transparency's merkle tree tests.
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`entry ${i}`));
const flip = (h: Buffer) => Buffer.from(h.map((b, i) => (i === 0 ? b ^ 1 : b)));

describe('Merkle tree (RFC 9162)', () => {
  it('reproduces the reference roots, recursively and streamed', () => {
    assert.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const leaves = INPUTS.map((hex) => leafHash(Buffer.from(hex, 'hex')));
    const frontier = new MerkleFrontier();
    leaves.forEach((leaf, i) => {
      frontier.push(leaf);
      assert.equal(merkleRoot(leaves.slice(0, i + 1)).toString('hex'), ROOTS[i], `MTH of ${i + 1}`);
      assert.equal(frontier.root().toString('hex'), ROOTS[i], `streamed root of ${i + 1}`);
    });
  });

  it('every inclusion proof verifies, and fails for another leaf, index, root or proof', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (n, pick) => {
        const leaves = leavesOf(n);
        const root = merkleRoot(leaves);
        const m = pick % n;
        const proof = inclusionProof(leaves, m);
        assert.ok(verifyInclusion(m, n, leaves[m]!, proof, root));
        assert.ok(!verifyInclusion(m, n, flip(leaves[m]!), proof, root), 'another leaf');
        assert.ok(!verifyInclusion(m, n, leaves[m]!, proof, flip(root)), 'another root');
        if (n > 1) assert.ok(!verifyInclusion((m + 1) % n, n, leaves[m]!, proof, root), 'another index');
        if (proof.length > 0)
          assert.ok(
            !verifyInclusion(m, n, leaves[m]!, [...proof.slice(0, -1), flip(proof.at(-1)!)], root),
            'a changed proof',
          );
      }),
      params,
    );
  });

  it('a log that grows by appends proves consistency from every earlier size; a rewrite cannot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (n, a, b) => {
        const leaves = leavesOf(n);
        const m = a % (n + 1);
        const root1 = merkleRoot(leaves.slice(0, m));
        const root2 = merkleRoot(leaves);
        const proof = consistencyProof(leaves, m);
        assert.ok(verifyConsistency(m, n, root1, root2, proof), `from ${m} to ${n}`);
        if (m > 0) {
          // History rewritten below m: the new log's proof cannot link the old root to the new one.
          const rewritten = [...leaves];
          rewritten[b % m] = leafHash('forged');
          assert.ok(
            !verifyConsistency(m, n, root1, merkleRoot(rewritten), consistencyProof(rewritten, m)),
            'rewritten before the checkpoint',
          );
          if (m < n) assert.ok(!verifyConsistency(m, n, flip(root1), root2, proof), 'another old root');
        }
      }),
      params,
    );
  });

  it('the streamed root equals MTH at every size (generated append sequences)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 80 }), (entries) => {
        const frontier = new MerkleFrontier();
        const leaves: Buffer[] = [];
        for (const e of entries) {
          frontier.push(leafHash(e));
          leaves.push(leafHash(e));
          assert.ok(frontier.root().equals(merkleRoot(leaves)));
        }
      }),
      params,
    );
  });
});
