// The only module that reads the environment (DESIGN.md §3.7). Everything else receives a Config.
// A bad or missing value becomes a ConfigError that names the variable and what it expects; the
// CLI prints that one line and exits 2.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseCidrList } from './core/cidr.ts';
import { parseAppPermissions, type AppPermission } from './core/permission-catalogue.ts';

/** An IPv4 or IPv6 address, or a DNS host name; dotted numbers must be a real IPv4 address (999.1.1.1 is not). */
function isListenHost(value: string): boolean {
  if (isIP(value.replace(/^\[|\]$/g, ''))) return true;
  if (/^[\d.]+$/.test(value)) return false;
  return /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
    value,
  );
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;
  constructor(variable: string, expected: string) {
    super(`${variable}: ${expected}`);
    this.variable = variable;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Each entry: the env variable, its schema, and the sentence shown when it is wrong.
const port = z.coerce.number().int().min(0).max(65535);
const duration = z.coerce.number().int().positive();
const cidrList = z.string().transform((text, ctx) => {
  try {
    return parseCidrList(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const spec = {
  PORT: { schema: port.default(3000), expects: 'expected an integer port between 0 and 65535' },
  HOST: {
    schema: z.string().min(1).refine(isListenHost).default('127.0.0.1'),
    expects: 'expected a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0',
  },
  PUBLIC_URL: {
    schema: z.url({ protocol: /^https?$/ }).optional(),
    expects: 'expected an absolute http(s) URL such as https://auth.example.com',
  },
  DATABASE_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//)
      .optional(),
    expects: 'expected a postgres:// connection URL (leave unset for embedded PGlite)',
  },
  DATABASE_POOL_SIZE: {
    schema: z.coerce.number().int().min(1).max(200).default(10),
    expects: 'expected an integer between 1 and 200',
  },
  GATEHOUSE_DATA_DIR: { schema: z.string().min(1).default('.gatehouse'), expects: 'expected a folder path' },
  GATEHOUSE_SECRET: {
    schema: z.string().min(32).optional(),
    expects: 'expected at least 32 characters of random secret (e.g. `openssl rand -base64 48`)',
  },
  GATEHOUSE_PREVIOUS_SECRETS: {
    schema: z
      .string()
      .regex(/^[^,]{32,}(,[^,]{32,})*$/)
      .transform((v) => v.split(','))
      .optional(),
    expects:
      'expected former GATEHOUSE_SECRET values (32+ characters each), comma-separated, still accepted for decrypting stored tokens',
  },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS).default('info'), expects: `expected one of ${LOG_LEVELS.join(', ')}` },
  SHUTDOWN_TIMEOUT_MS: { schema: duration.default(10_000), expects: 'expected a positive number of milliseconds' },
  // Operations: proxies whose X-Forwarded-For is believed, the metrics listener, retention periods.
  TRUSTED_PROXIES: {
    schema: cidrList.optional(),
    expects: 'expected comma-separated IP addresses or CIDR ranges of your load balancers, e.g. 10.0.0.0/8,::1',
  },
  METRICS_PORT: {
    schema: port.optional(),
    expects: 'expected an integer port for /metrics on its own listener (unset: /metrics on PORT)',
  },
  RETENTION_WEBHOOK_EVENTS_DAYS: {
    schema: z.coerce.number().int().min(31).default(45),
    expects:
      'expected whole days of at least 31: WorkOS redelivers an event for days and its Events API serves events up to 30 days old, and a pruned id would apply again',
  },
  RETENTION_SESSIONS_DAYS: {
    schema: z.coerce.number().int().min(1).default(30),
    expects: 'expected whole days (at least 1) to keep ended sessions',
  },
  RETENTION_MAIL_DAYS: {
    schema: z.coerce.number().int().min(1).default(14),
    expects: 'expected whole days (at least 1) to keep sent or failed mail',
  },
  RETENTION_INTERVAL_SECONDS: {
    schema: z.coerce.number().int().min(0).default(3600),
    expects: 'expected seconds between retention runs (0 turns pruning off)',
  },

  // Identity provider: WorkOS AuthKit, the built-in email code, or per-organization OIDC connections
  // (with the email code beside them when LOCAL_EMAIL_CODE=on).
  AUTH_PROVIDER: {
    schema: z.enum(['workos', 'local', 'oidc']).default('workos'),
    expects: 'expected workos, local (email code) or oidc (per-organization OIDC connections)',
  },
  LOCAL_EMAIL_CODE: {
    schema: z
      .enum(['on', 'off'])
      .transform((v) => v === 'on')
      .default(false),
    expects: 'expected on (AUTH_PROVIDER=oidc: email codes for addresses no connection serves) or off',
  },
  LOCAL_SIGNUP: {
    schema: z.enum(['invitation', 'domain', 'open']).default('invitation'),
    expects:
      'expected invitation (members only), domain (verified-domain auto-join too) or open (anyone; a new organization)',
  },
  WORKOS_API_KEY: { schema: z.string().min(1).optional(), expects: 'expected a WorkOS API key (sk_...)' },
  WORKOS_CLIENT_ID: { schema: z.string().min(1).optional(), expects: 'expected a WorkOS client id (client_...)' },
  WORKOS_REDIRECT_URI: {
    schema: z.url({ protocol: /^https?$/ }).optional(),
    expects: 'expected an absolute http(s) URL; defaults to PUBLIC_URL/auth/callback',
  },
  WORKOS_API_HOSTNAME: {
    schema: z.string().min(1).optional(),
    expects: 'expected a host name such as api.workos.com or 127.0.0.1 (the emulator)',
  },
  WORKOS_API_PORT: { schema: port.optional(), expects: 'expected an integer port between 0 and 65535' },
  WORKOS_API_HTTPS: {
    schema: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    expects: 'expected true or false',
  },
  WORKOS_MAX_RETRIES: {
    schema: z.coerce.number().int().min(0).max(10).default(3),
    expects: 'expected an integer from 0 to 10: retries of a WorkOS call that failed to connect or answered 5xx/429',
  },
  WORKOS_WEBHOOK_SECRET: {
    schema: z.string().min(1).optional(),
    expects: 'expected the webhook signing secret, or "current,previous" during a rotation',
  },

  // Sessions and access.
  SESSION_IDLE_TIMEOUT_SECONDS: {
    schema: duration.default(24 * 3600),
    expects: 'expected a positive number of seconds',
  },
  SESSION_ABSOLUTE_LIFETIME_SECONDS: {
    schema: duration.default(7 * 24 * 3600),
    expects: 'expected a positive number of seconds',
  },
  AUTH_CACHE_TTL_SECONDS: { schema: duration.default(300), expects: 'expected a positive number of seconds' },
  GATEHOUSE_API_KEY: {
    schema: z
      .string()
      .regex(/^gth_(live|test)_/)
      .optional(),
    expects: 'expected an API key (gth_live_... or gth_test_...) for `gatehouse api-keys` to act as',
  },
  GATEHOUSE_APP_PERMISSIONS_FILE: {
    schema: z.string().min(1).optional(),
    expects: 'expected the path of a YAML or JSON file declaring the permissions of the app behind Gatehouse',
  },
  GATEHOUSE_SUPERADMIN_ORG: {
    schema: z.string().min(1).optional(),
    expects: 'expected an organization id whose members holding tenants:admin are super-admins',
  },
  SESSION_PROVIDER_OUTAGE_GRACE_SECONDS: {
    schema: duration.default(3600),
    expects: 'expected a positive number of seconds',
  },

  // Mail and directory sync.
  SMTP_URL: {
    schema: z
      .string()
      .regex(/^smtps?:\/\//)
      .optional(),
    expects: 'expected smtp://user:pass@host:port or smtps://...; unset keeps mail in the dev outbox',
  },
  MAIL_FROM: {
    schema: z.string().min(3).default('Gatehouse <no-reply@gatehouse.local>'),
    expects: 'expected a From address',
  },
  // Audit log checkpoints (src/audit/checkpoint.ts).
  AUDIT_SIGNING_KEY: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}(,[A-Za-z0-9_-]{43})*$/)
      .transform((v) => v.split(',').map((k) => Buffer.from(k, 'base64url')))
      .optional(),
    expects:
      'expected Ed25519 seeds as base64url of 32 random bytes (`openssl rand 32 | basenc --base64url | tr -d =`), current first, then retired ones, comma-separated; unset derives the key from GATEHOUSE_SECRET',
  },
  AUDIT_CHECKPOINT_EVERY_EVENTS: {
    schema: z.coerce.number().int().min(1).default(1000),
    expects: 'expected a positive number of events between signed checkpoints',
  },
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: {
    schema: duration.default(60),
    expects: 'expected a positive number of seconds after which new events get a signed checkpoint',
  },
  RECONCILE_INTERVAL_SECONDS: {
    schema: z.coerce.number().int().min(0).default(300),
    expects: 'expected seconds between reconciliation runs (0 turns the schedule off)',
  },
  WEBHOOK_ACKNOWLEDGE: {
    schema: z.enum(['applied', 'durable']).default('durable'),
    expects: 'expected applied (answer after applying) or durable (answer on the inbox row, apply workers behind it)',
  },
  SCIM_RATE_LIMIT_PER_MINUTE: {
    schema: z.coerce.number().int().min(1).default(6000),
    expects: 'expected a positive number of SCIM requests per minute each directory may make',
  },
  SCIM_MAX_BODY_BYTES: {
    schema: z.coerce.number().int().min(1024).max(16_777_216).default(1_048_576),
    expects: 'expected the largest SCIM request body in bytes, between 1024 and 16777216',
  },
} as const;

type Spec = typeof spec;
export type RawConfig = { [K in keyof Spec]: z.output<Spec[K]['schema']> };

export interface Config extends Omit<RawConfig, 'PUBLIC_URL' | 'WORKOS_REDIRECT_URI'> {
  /** PUBLIC_URL, or http://HOST:PORT when unset; no trailing slash. */
  PUBLIC_URL: string;
  /** WORKOS_REDIRECT_URI, or PUBLIC_URL/auth/callback. */
  WORKOS_REDIRECT_URI: string;
  /** The permissions declared in GATEHOUSE_APP_PERMISSIONS_FILE, read and validated at start (none when unset). */
  APP_PERMISSIONS: readonly AppPermission[];
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const out: Record<string, unknown> = {};
  for (const [name, { schema, expects }] of Object.entries(spec)) {
    const raw = env[name];
    const value = raw === '' ? undefined : raw;
    const result = (schema as z.ZodType).safeParse(value);
    if (!result.success) throw new ConfigError(name, value === undefined ? `is required; ${expects}` : expects);
    out[name] = result.data;
  }
  const raw = out as RawConfig;
  const publicUrl = (raw.PUBLIC_URL ?? `http://${raw.HOST === '0.0.0.0' ? 'localhost' : raw.HOST}:${raw.PORT}`).replace(
    /\/+$/,
    '',
  );
  return {
    ...raw,
    PUBLIC_URL: publicUrl,
    WORKOS_REDIRECT_URI: raw.WORKOS_REDIRECT_URI ?? `${publicUrl}/auth/callback`,
    APP_PERMISSIONS: raw.GATEHOUSE_APP_PERMISSIONS_FILE ? readAppPermissions(raw.GATEHOUSE_APP_PERMISSIONS_FILE) : [],
  };
}

/**
 * Reads the app's permission file (YAML, of which JSON is a subset) once at start. Whatever is wrong
 * with it (missing, unreadable, not YAML, a bad entry) stops the process with one line naming it.
 */
function readAppPermissions(path: string): AppPermission[] {
  const refuse = (what: string): never => {
    throw new ConfigError('GATEHOUSE_APP_PERMISSIONS_FILE', `${path}: ${what.split('\n')[0]!.trim()}`);
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    refuse(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    refuse(`not valid YAML or JSON: ${(error as Error).message}`);
  }
  try {
    return parseAppPermissions(parsed);
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/**
 * Reads process.env; the single place that does. `defaults` apply only where the environment says
 * nothing (e.g. `dev` logs at warn unless LOG_LEVEL is set); `overrides` win over it.
 */
export function loadConfig(
  overrides: Record<string, string | undefined> = {},
  defaults: Record<string, string> = {},
): Config {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(defaults)) if (!env[name]) env[name] = value;
  return parseConfig({ ...env, ...overrides });
}

/** The secrets that seal (the current one first) and open (all of them); empty without GATEHOUSE_SECRET. */
export function sealingSecrets(config: Pick<Config, 'GATEHOUSE_SECRET' | 'GATEHOUSE_PREVIOUS_SECRETS'>): string[] {
  return config.GATEHOUSE_SECRET ? [config.GATEHOUSE_SECRET, ...(config.GATEHOUSE_PREVIOUS_SECRETS ?? [])] : [];
}
