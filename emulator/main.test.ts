// The CLI starts a working emulator, prints how to reach it, and stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

test('node emulator/main.ts prints the URL, key and client id, serves, and exits 0 on SIGTERM', async () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [main, '--port', '0', '--api-key', 'sk_test_cli', '--client-id', 'client_cli'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      // The SCIM line is printed last; stdout may arrive in several chunks.
      if (/SCIM \(Acme\): .*\n/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  // Whatever fails, the child must not outlive the test (its pipes would hold the runner open).
  try {
    await started;
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url, out);
    assert.match(out, /API key:\s+sk_test_cli/);
    assert.match(out, /Client ID:\s+client_cli/);
    assert.match(out, /SCIM \(Acme\): .*token acme-demo-scim-token-0123456789/, 'the demo seed is loaded by default');
    const res = await fetch(`${url}/organizations`, { headers: { authorization: 'Bearer sk_test_cli' } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { data: unknown[] }).data.length, 2);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
