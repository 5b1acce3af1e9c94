// `gatehouse dev`'s offline WorkOS: the emulator runs as a child process (`node emulator/main.ts`),
// because src/ never imports emulator/ (DESIGN.md §1) — Gatehouse talks to it over HTTP with the
// official SDK, exactly as it talks to api.workos.com. The demo sign-ins printed at start come from
// the emulator's seed file, read as data.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { EMULATOR_MAIN } from './emulator.ts';
import { loadConfig } from '../../config.ts';

const DEMO_SEED = fileURLToPath(new URL('../../../emulator/seed/demo-seed.yaml', import.meta.url));

export interface EmulatorProcess {
  url: string;
  port: number;
  apiKey: string;
  clientId: string;
  /** True when the emulator loaded its world from the state folder instead of the seed. */
  restored: boolean;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the emulator on a free port and resolves once it printed where it listens. Its world is
 * kept in `<GATEHOUSE_DATA_DIR>/emulator` (seeded on the first start only), so a restarted dev
 * finds the same organizations, users and connections — the ids Gatehouse's data points at.
 */
export function startEmulatorProcess(
  options: { seed?: string; timeoutMs?: number; stateDir?: string } = {},
): Promise<EmulatorProcess> {
  const stateDir = options.stateDir ?? join(loadConfig().GATEHOUSE_DATA_DIR, 'emulator');
  const args = [EMULATOR_MAIN, '--port', '0', '--seed', options.seed ?? DEMO_SEED, '--state-dir', stateDir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the WorkOS emulator did not start within ${options.timeoutMs ?? 30_000} ms:\n${out}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const apiKey = /API key:\s+(\S+)/.exec(out)?.[1];
      const clientId = /Client ID:\s+(\S+)/.exec(out)?.[1];
      const state = /State:\s+.* \((restored|new)\)/.exec(out)?.[1];
      if (!url || !apiKey || !clientId || !state) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
      resolve({
        url,
        port: Number(new URL(url).port),
        apiKey,
        clientId,
        restored: state === 'restored',
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the WorkOS emulator exited with ${code} before it was ready:\n${out}`));
    });
  });
}

export interface DemoSignIn {
  email: string;
  how: string;
}

/** The seed's users as "sign in as" lines: password, or SSO through the test IdP. */
export function demoSignIns(seedPath: string = DEMO_SEED): DemoSignIn[] {
  const seed = parseYaml(readFileSync(seedPath, 'utf8')) as {
    organizations?: Array<{ name: string; domains?: string[]; connections?: Array<{ state?: string }> }>;
    users?: Array<{ email: string; password?: string; memberships?: Array<{ organization: string; role?: string }> }>;
  };
  const ssoDomains = new Set(
    (seed.organizations ?? [])
      .filter((o) => (o.connections ?? []).some((c) => (c.state ?? 'active') === 'active'))
      .flatMap((o) => o.domains ?? []),
  );
  return (seed.users ?? []).map((u) => {
    const orgs = (u.memberships ?? []).map((m) => `${m.organization}${m.role ? ` (${m.role})` : ''}`).join(', ');
    const viaSso = ssoDomains.has(u.email.split('@')[1] ?? '');
    const how = viaSso
      ? 'SSO: pick the user on the test identity provider page'
      : u.password
        ? `password ${u.password}`
        : 'magic code (emulator outbox)';
    return { email: u.email, how: `${how}${orgs ? ` — ${orgs}` : ''}` };
  });
}

/** Registers Gatehouse's webhook receiver with the emulator (its WorkOS API, plus the emulator's
 * extension of a caller-chosen signing secret), subscribed to `events`. */
export async function registerWebhookEndpoint(
  emulator: EmulatorProcess,
  endpoint: { url: string; secret: string; events: readonly string[] },
): Promise<void> {
  const headers = { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' };
  // A restored world holds the endpoints of earlier runs, on whatever port each run had: those
  // would keep retrying deliveries to a port nobody listens on. Dev's emulator is dev's own, so
  // every Gatehouse receiver it knows is replaced by this run's.
  const listed = await fetch(`${emulator.url}/webhook_endpoints?limit=100`, { headers });
  const existing = listed.ok
    ? ((await listed.json()) as { data: Array<{ id: string; endpoint_url: string }> }).data
    : [];
  const path = new URL(endpoint.url).pathname;
  for (const e of existing.filter((x) => URL.canParse(x.endpoint_url) && new URL(x.endpoint_url).pathname === path)) {
    await fetch(`${emulator.url}/webhook_endpoints/${e.id}`, { method: 'DELETE', headers });
  }
  const res = await fetch(`${emulator.url}/webhook_endpoints`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ endpoint_url: endpoint.url, events: [...endpoint.events], secret: endpoint.secret }),
  });
  if (!res.ok) throw new Error(`the emulator refused the webhook endpoint (HTTP ${res.status})`);
}

/** Has the hosted sign-in leave a multi-organization user's choice to Gatehouse's own picker. */
export async function leaveOrganizationChoiceToGatehouse(emulator: EmulatorProcess): Promise<void> {
  const res = await fetch(`${emulator.url}/_emulator/settings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ hosted_organization_selection: false }),
  });
  if (!res.ok) throw new Error(`the emulator refused its settings (HTTP ${res.status})`);
}
