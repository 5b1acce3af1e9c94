// The error contract as a test: every code registered in src/core/errors.ts is listed in
// docs/errors.md with the same status, the table lists no code that is not registered, and every
// registered code is thrown (or mapped to) somewhere in production code — a code nothing raises
// is a promise to API clients that nothing keeps.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AppError, ERROR_CODES, requestInvalid } from '../../src/core/errors.ts';

const registered = Object.entries(ERROR_CODES) as Array<[string, number]>;

function documented(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const m of readFileSync('docs/errors.md', 'utf8').matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) {
    rows.set(m[1]!, Number(m[2]));
  }
  return rows;
}

function productionText(): string {
  return globSync('src/**/*.ts')
    .filter((f) => !f.endsWith('.test.ts') && f !== 'src/core/errors.ts')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

describe('the error contract', () => {
  it('documents every registered code with its status, and nothing else', () => {
    const table = documented();
    const missing = registered.filter(([code]) => !table.has(code)).map(([code]) => code);
    assert.deepEqual(missing, [], 'codes missing from docs/errors.md');
    const wrong = registered.filter(([code, status]) => table.get(code) !== status).map(([code]) => code);
    assert.deepEqual(wrong, [], 'codes whose documented status differs from src/core/errors.ts');
    const unknown = [...table.keys()].filter((code) => !Object.hasOwn(ERROR_CODES, code));
    assert.deepEqual(unknown, [], 'documented codes that are not registered');
  });

  it('throws every registered code somewhere in src/', () => {
    const text = productionText();
    const never = registered.filter(([code]) => !text.includes(`'${code}'`)).map(([code]) => code);
    assert.deepEqual(never, [], 'registered codes that nothing throws');
  });

  it('fixes the status per code and maps validation issues to one field-path style', () => {
    for (const [code, status] of registered)
      assert.equal(new AppError(code as keyof typeof ERROR_CODES, 'm').status, status);
    const error = requestInvalid('body', [{ path: ['members', 0, 'role'], message: 'Required' }]);
    assert.equal(error.code, 'REQUEST_INVALID');
    assert.equal(error.status, 422);
    assert.deepEqual(error.details, { errors: [{ path: 'body.members.0.role', message: 'Required' }] });
  });
});
