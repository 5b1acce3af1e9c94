// `gatehouse doctor`: checks a live configuration and says what to fix (DESIGN.md §3.7). Each
// check prints ok / warn / FAIL with one line of advice; any FAIL exits 1. It never prints a
// secret: only whether one is set and whether WorkOS accepted it.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../config.ts';
import { createWorkosClient, workosSignInOptions } from '../../identity/workos/sdk-client.ts';
import { parseWebhookSecrets } from '../../webhooks/signature.ts';
import { HANDLED_EVENT_TYPES } from '../../mirror/handlers.ts';
import { currentVersion, LATEST_MIGRATION } from '../../store/migrator.ts';
import { openStore, storeLocationFor } from '../../store/store.ts';
import { devDefaults, readDevState } from '../dev-state.ts';

export type Verdict = 'ok' | 'warn' | 'FAIL';
export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
}

async function checkDatabase(config: Config): Promise<Check[]> {
  // The embedded database belongs to the one process that opened it: beside a running `dev`,
  // ask dev's readiness endpoint (which checks the database) instead of opening it a second time.
  const dev = config.DATABASE_URL ? null : readDevState(config.GATEHOUSE_DATA_DIR);
  if (dev) {
    const ready = await fetch(`${dev.publicUrl}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.ok,
      () => false,
    );
    return [
      ready
        ? {
            name: 'database reachable',
            verdict: 'ok',
            detail: `embedded PGlite in ${config.GATEHOUSE_DATA_DIR}, open in \`gatehouse dev\` (pid ${dev.pid}), which reports ready`,
          }
        : {
            name: 'database reachable',
            verdict: 'FAIL',
            detail: `\`gatehouse dev\` (pid ${dev.pid}) holds the embedded database but ${dev.publicUrl}/readyz does not answer ready`,
          },
    ];
  }
  try {
    const store = await openStore(storeLocationFor(config), { migrate: false });
    try {
      const version = await currentVersion(store.owner);
      return [
        {
          name: 'database reachable',
          verdict: 'ok',
          detail:
            store.engine === 'postgres'
              ? 'PostgreSQL (DATABASE_URL)'
              : `embedded PGlite in ${config.GATEHOUSE_DATA_DIR}`,
        },
        version >= LATEST_MIGRATION
          ? { name: 'database migrated', verdict: 'ok', detail: `at migration ${version}` }
          : {
              name: 'database migrated',
              verdict: 'FAIL',
              detail: `at migration ${version} of ${LATEST_MIGRATION}: run \`gatehouse migrate\``,
            },
      ];
    } finally {
      await store.close();
    }
  } catch (error) {
    return [
      {
        name: 'database reachable',
        verdict: 'FAIL',
        detail: `cannot open the database (${(error as Error).message.split('\n')[0]}); check DATABASE_URL`,
      },
    ];
  }
}

async function checkWorkos(config: Config): Promise<Check[]> {
  const options = workosSignInOptions(config);
  if (!options) {
    return [
      {
        name: 'WorkOS credentials',
        verdict: 'FAIL',
        detail: 'set WORKOS_API_KEY and WORKOS_CLIENT_ID (sign-in, admin and directory sync need them)',
      },
    ];
  }
  const workos = createWorkosClient(options, 10_000);
  const checks: Check[] = [];
  try {
    await workos.organizations.listOrganizations({ limit: 1 });
    checks.push({
      name: 'WorkOS reachable, API key accepted',
      verdict: 'ok',
      detail: config.WORKOS_API_HOSTNAME ?? 'api.workos.com',
    });
  } catch (error) {
    const status = (error as { status?: number }).status;
    checks.push({
      name: 'WorkOS reachable, API key accepted',
      verdict: 'FAIL',
      detail:
        status === 401
          ? 'WorkOS refused WORKOS_API_KEY'
          : `cannot reach WorkOS at ${config.WORKOS_API_HOSTNAME ?? 'api.workos.com'} (check WORKOS_API_HOSTNAME/PORT/HTTPS)`,
    });
    return checks;
  }
  const expected = `${config.PUBLIC_URL}/webhooks/workos`;
  try {
    const endpoints = await (await workos.webhooks.listWebhookEndpoints()).autoPagination();
    const mine = endpoints.find((e) => e.endpointUrl === expected);
    checks.push(
      !mine
        ? {
            name: 'webhook endpoint registered',
            verdict: 'FAIL',
            detail: `no WorkOS webhook endpoint for ${expected}; add one (directory sync depends on it)`,
          }
        : mine.status !== 'enabled'
          ? {
              name: 'webhook endpoint registered',
              verdict: 'FAIL',
              detail: `the endpoint for ${expected} is ${mine.status}`,
            }
          : {
              name: 'webhook endpoint registered',
              verdict: 'ok',
              detail: `${expected} (${mine.events.length} event types)`,
            },
    );
    if (mine) checks.push(checkSubscriptions(mine.events));
  } catch {
    checks.push({
      name: 'webhook endpoint registered',
      verdict: 'warn',
      detail: `could not list webhook endpoints; make sure WorkOS sends webhooks to ${expected}`,
    });
  }
  checks.push({
    name: 'redirect URI',
    verdict: 'warn',
    detail: `WorkOS does not expose its redirect URIs to check: make sure ${config.WORKOS_REDIRECT_URI} is registered`,
  });
  return checks;
}

/** Every event type Gatehouse applies must be sent: a missing one is drift only reconciliation repairs, late. */
function checkSubscriptions(subscribed: readonly string[]): Check {
  const have = new Set(subscribed);
  const missing = HANDLED_EVENT_TYPES.filter((type) => !have.has(type));
  return missing.length === 0
    ? {
        name: 'webhook event types',
        verdict: 'ok',
        detail: `all ${HANDLED_EVENT_TYPES.length} event types Gatehouse handles are subscribed`,
      }
    : {
        name: 'webhook event types',
        verdict: 'FAIL',
        detail: `the endpoint does not subscribe to ${missing.length} event type(s) Gatehouse handles: ${missing.join(', ')}`,
      };
}

function checkSettings(config: Config): Check[] {
  const secrets = parseWebhookSecrets(config.WORKOS_WEBHOOK_SECRET);
  const local = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/.test(config.PUBLIC_URL);
  return [
    config.GATEHOUSE_SECRET
      ? { name: 'GATEHOUSE_SECRET', verdict: 'ok', detail: 'set' }
      : {
          name: 'GATEHOUSE_SECRET',
          verdict: 'FAIL',
          detail: 'unset: `serve` refuses to start; generate one with `openssl rand -base64 48`',
        },
    secrets.length > 0
      ? {
          name: 'WORKOS_WEBHOOK_SECRET',
          verdict: 'ok',
          detail: secrets.length > 1 ? 'set, with a previous secret (rotation in progress)' : 'set',
        }
      : {
          name: 'WORKOS_WEBHOOK_SECRET',
          verdict: 'FAIL',
          detail: 'unset: webhooks cannot be verified and `serve` refuses to start',
        },
    config.PUBLIC_URL.startsWith('https://') || local
      ? { name: 'PUBLIC_URL', verdict: 'ok', detail: config.PUBLIC_URL }
      : {
          name: 'PUBLIC_URL',
          verdict: 'warn',
          detail: `${config.PUBLIC_URL} is plain http: cookies lose Secure and the __Host- prefix`,
        },
  ];
}

export async function doctorCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  // Beside `gatehouse dev` (npm start), use what dev generated in the data folder where the
  // environment says nothing: its secret, and the emulator it runs.
  const dev = devDefaults(loadConfig().GATEHOUSE_DATA_DIR);
  const config = loadConfig({}, dev.defaults);
  if (dev.found.length)
    console.log(`info  gatehouse dev: using ${dev.found.join(' and ')} from ${config.GATEHOUSE_DATA_DIR}`);
  const checks = [...checkSettings(config), ...(await checkDatabase(config)), ...(await checkWorkos(config))];
  for (const c of checks) console.log(`${c.verdict.padEnd(4)}  ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => c.verdict === 'FAIL').length;
  console.log(failed ? `${failed} problem${failed > 1 ? 's' : ''} to fix` : 'all checks passed');
  return failed ? 1 : 0;
}
