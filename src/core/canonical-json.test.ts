import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, u: undefined }),
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
  });
  it('gives the same text for objects that differ only in key order', () => {
    assert.equal(canonicalJson({ x: 1, y: { b: 2, a: 1 } }), canonicalJson({ y: { a: 1, b: 2 }, x: 1 }));
  });
  it('refuses values JSON cannot carry', () => {
    assert.throws(() => canonicalJson(Number.NaN), TypeError);
    assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
  });
});
