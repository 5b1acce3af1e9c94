// What `gatehouse dev` generated for this data folder, kept there so other commands run beside it
// (`npx gatehouse doctor`) see the same setup: the secret (`secret`, mode 0600, kept across
// restarts) and, while dev runs, the emulator's address and credentials and the webhook signing
// secret (`dev.json`, mode 0600, removed when dev stops). Only ever read as defaults: a variable
// set in the environment wins.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, loadConfig } from '../config.ts';

export interface DevState {
  publicUrl: string;
  workos: { apiKey: string; clientId: string; apiHostname: string; port: number };
  webhookSecret: string;
  emulatorUrl: string;
  /** The dev process, so a reader can tell a running dev from a stale file. */
  pid: number;
}

const devStateFile = (dataDir: string) => join(dataDir, 'dev.json');

export function writeDevState(dataDir: string, state: DevState): void {
  writeFileSync(devStateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function clearDevState(dataDir: string): void {
  rmSync(devStateFile(dataDir), { force: true });
}

export function readDevState(dataDir: string): DevState | null {
  try {
    const parsed = JSON.parse(readFileSync(devStateFile(dataDir), 'utf8')) as DevState;
    if (typeof parsed.workos?.apiKey !== 'string' || typeof parsed.publicUrl !== 'string') return null;
    return isAlive(parsed.pid) ? parsed : null;
  } catch {
    return null;
  }
}

function isAlive(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** The secret `dev` generated for this data folder, if it did. */
function readDevSecret(dataDir: string): string | null {
  const file = join(dataDir, 'secret');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
}

/** dev's settings as loadConfig defaults: they apply only where the environment is silent. */
export function devDefaults(dataDir: string): { defaults: Record<string, string>; found: string[] } {
  const defaults: Record<string, string> = {};
  const found: string[] = [];
  const secret = readDevSecret(dataDir);
  if (secret) {
    defaults.GATEHOUSE_SECRET = secret;
    found.push('the generated GATEHOUSE_SECRET');
  }
  const state = readDevState(dataDir);
  if (state) {
    Object.assign(defaults, {
      AUTH_PROVIDER: 'workos',
      WORKOS_API_KEY: state.workos.apiKey,
      WORKOS_CLIENT_ID: state.workos.clientId,
      WORKOS_API_HOSTNAME: state.workos.apiHostname,
      WORKOS_API_PORT: String(state.workos.port),
      WORKOS_API_HTTPS: 'false',
      WORKOS_WEBHOOK_SECRET: state.webhookSecret,
      PUBLIC_URL: state.publicUrl,
    });
    found.push(`the emulator at ${state.emulatorUrl} and its webhook secret`);
  }
  return { defaults, found };
}

/**
 * The configuration of a command run on a dev data folder (`npx gatehouse audit verify` beside or
 * after `npm start`): the environment, with what dev generated where the environment is silent —
 * so the audit checkpoints dev signed with its generated secret verify.
 */
export function loadConfigBesideDev(): Config {
  return loadConfig({}, devDefaults(loadConfig().GATEHOUSE_DATA_DIR).defaults);
}
