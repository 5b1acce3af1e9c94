import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

it('redacts credentials wherever they appear in a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
  const logger = createLogger('info', sink);
  logger.info(
    {
      req: { headers: { authorization: 'Bearer eyJsecret', cookie: '__Host-gh=abc.def' } },
      body: { password: 'hunter2', code: '123456', token: 'tok_1', email: 'a@b.test' },
    },
    'x',
  );
  const out = lines.join('');
  for (const secret of ['eyJsecret', 'abc.def', 'hunter2', '123456', 'tok_1'])
    assert.ok(!out.includes(secret), `${secret} leaked`);
  assert.ok(out.includes('a@b.test'));
});
