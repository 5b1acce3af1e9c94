// Forward auth end to end: the real Debian nginx, running the documented snippet
// (docs/forward-auth/nginx.conf), in front of an app written in Python's standard library that
// echoes the headers it receives, with Gatehouse answering nginx's auth_request subrequests.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { startAppWorld, type AppWorld } from '../support/app-world.ts';
import { freePort } from '../support/ports.ts';
import { NGINX_PATH, requireNginx } from '../support/requirements.ts';

const ECHO_APP = `
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 10_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('forward auth through nginx auth_request', {
  skip: requireNginx('the forward-auth suite runs the real nginx'),
}, () => {
  let world: AppWorld;
  let python: ChildProcess;
  let nginx: ChildProcess;
  let dir: string;
  let proxy: string;

  before(async () => {
    world = await startAppWorld();
    python = spawn('python3', ['-c', ECHO_APP], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(python.stdout!, 'data')) as [Buffer];
    const upstream = `http://127.0.0.1:${line.toString().trim()}`;
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
    mkdirSync(join(dir, 'tmp'));
    const port = await freePort();
    const snippet = readFileSync('docs/forward-auth/nginx.conf', 'utf8')
      .replaceAll('GATEHOUSE_URL', world.url)
      .replaceAll('UPSTREAM_URL', upstream);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path ${dir}/tmp/${t};`)
      .join('\n');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;
events { worker_connections 64; }
http {\n access_log off;\n ${temp}\n server {\n  listen 127.0.0.1:${port};\n${snippet}\n }\n}\n`,
    );
    nginx = spawn(NGINX_PATH, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: 'inherit',
    });
    proxy = `http://127.0.0.1:${port}`;
    await until('nginx', async () => ((await fetch(`${proxy}/`)).status > 0 ? true : undefined));
  });

  after(async () => {
    nginx?.kill('SIGTERM');
    python?.kill('SIGTERM');
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${proxy}${path}`, { headers, redirect: 'manual' });
  const cookie = (value: string) => ({ cookie: `gatehouse_session=${value}` });

  it('refuses an API call without a credential with 401, and never reaches the app', async () => {
    const res = await get('/api/notes', { accept: 'application/json' });
    assert.equal(res.status, 401);
  });

  it('sends a page navigation without a credential to sign in, returning to the same path', async () => {
    const res = await get('/notes?tab=mine', { accept: 'text/html' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.pathname, '/auth/login');
    assert.equal(location.searchParams.get('returnTo'), '/notes?tab=mine');
  });

  it('passes the identity of a session to the app and overwrites identity headers the client forged', async () => {
    const { ada, bob } = world.members;
    const res = await get('/notes', {
      ...cookie(bob.cookie),
      'x-gatehouse-role': 'admin',
      'x-gatehouse-user-id': ada.userId,
    });
    assert.equal(res.status, 200);
    const seen = (await res.json()) as Record<string, string>;
    assert.equal(seen['x-gatehouse-user-id'], bob.userId);
    assert.equal(seen['x-gatehouse-organization-id'], bob.organizationId);
    assert.equal(seen['x-gatehouse-role'], 'member');
    assert.deepEqual(seen['x-gatehouse-permissions']!.split(' ').sort(), ['members:read', 'organization:read']);
    assert.equal(seen['x-gatehouse-session-id'], bob.sessionId);
  });

  it('drops a forged header Gatehouse did not set (no session id behind an API key)', async () => {
    const res = await get('/notes', {
      authorization: `Bearer ${world.appKeys.acme}`,
      'x-gatehouse-session-id': 'ses_forged',
    });
    assert.equal(res.status, 200);
    const seen = (await res.json()) as Record<string, string>;
    assert.equal(seen['x-gatehouse-organization-id'], world.orgs.acme);
    assert.equal(seen['x-gatehouse-session-id'], undefined);
  });

  it('refuses a session at the proxy once it is revoked', async () => {
    const fresh = await world.signIn(world.members.ada);
    assert.equal((await get('/notes', cookie(fresh.cookie))).status, 200);
    await world.revokeSession(fresh);
    await until(
      'refusal',
      async () => ((await get('/api/x', cookie(fresh.cookie))).status === 401 ? true : undefined),
      1000,
    );
  });
});
