// The Merkle tree of an organization's audit log, exactly as RFC 9162 §2.1 (Certificate
// Transparency) defines it, with SHA-256:
//   leaf hash  = SHA-256(0x00 || entry bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n
// The 0x00/0x01 prefixes keep a leaf from ever being passed off as an interior node (second
// preimage). Inclusion proofs (PATH) and consistency proofs (PROOF) follow §2.1.3 and §2.1.4.
import { hash } from 'node:crypto';

export type Hash = Buffer;

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
export const EMPTY_ROOT: Hash = hash('sha256', '', 'buffer');

// One-shot hashing: a verifier of a million entries spends most of its time here.
export function leafHash(entry: string | Uint8Array): Hash {
  return typeof entry === 'string'
    ? hash('sha256', `\0${entry}`, 'buffer')
    : hash('sha256', Buffer.concat([LEAF, entry]), 'buffer');
}

function nodeHash(left: Hash, right: Hash): Hash {
  return hash('sha256', Buffer.concat([NODE, left, right], 65), 'buffer');
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first (one per set
 * bit of the size). Appending a leaf and reading the root of the current size both cost O(log n),
 * so a verifier streams any number of entries in constant memory.
 */
export class MerkleFrontier {
  private readonly stack: Hash[] = [];
  size = 0;

  push(leaf: Hash): void {
    let hash = leaf;
    for (let n = this.size; n % 2 === 1; n = Math.floor(n / 2)) hash = nodeHash(this.stack.pop()!, hash);
    this.stack.push(hash);
    this.size += 1;
  }

  root(): Hash {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let root = this.stack[this.stack.length - 1]!;
    for (let i = this.stack.length - 2; i >= 0; i--) root = nodeHash(this.stack[i]!, root);
    return root;
  }
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes (the recursive definition; callers with many leaves use MerkleFrontier). */
export function merkleRoot(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** PATH(m, D[n]): the audit path of leaf index m (0-based), bottom up. */
export function inclusionProof(leaves: readonly Hash[], m: number): Hash[] {
  if (!Number.isInteger(m) || m < 0 || m >= leaves.length)
    throw new RangeError(`leaf ${m} is not in a tree of ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...inclusionProof(leaves.slice(0, k), m), merkleRoot(leaves.slice(k))]
    : [...inclusionProof(leaves.slice(k), m - k), merkleRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]): proves the tree of the first m leaves is a prefix of the tree of all n. */
export function consistencyProof(leaves: readonly Hash[], m: number): Hash[] {
  if (!Number.isInteger(m) || m < 0 || m > leaves.length)
    throw new RangeError(`size ${m} is not within a tree of ${leaves.length}`);
  if (m === 0 || m === leaves.length) return [];
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Hash[], complete: boolean): Hash[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [merkleRoot(leaves)];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), merkleRoot(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), merkleRoot(leaves.slice(0, k))];
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (leafIndex < 0 || leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2, plus the trivial cases: equal sizes need equal roots, size 0 is a prefix of all. */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): boolean {
  if (size1 < 0 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0 && root1.equals(EMPTY_ROOT);
  if (proof.length === 0) return false;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
