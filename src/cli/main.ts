// `gatehouse <command>`: the CLI entry. Each command is a function returning an exit code; every
// failure prints one line naming what to fix (src/cli/failure.ts): 1 the work failed, 2 invalid
// configuration (DESIGN.md §3.7), 3 the environment refused (database, port).
import { loadConfig } from '../config.ts';
import { describeFailure } from './failure.ts';

export type Command = (args: string[]) => Promise<number>;

// Each command's module is loaded when it runs: a command pays only for what it imports, and
// `dev` can start the emulator before the server's modules load (the development loop).
const devCommand: Command = async (a) => (await import('./commands/dev.ts')).devCommand(a);
const serveCommand: Command = async (a) => (await import('./commands/serve.ts')).serveCommand(a);
const doctorCommand: Command = async (a) => (await import('./commands/doctor.ts')).doctorCommand(a);
const migrateCommand: Command = async (a) => (await import('./commands/migrate.ts')).migrateCommand(a);
const apiKeysCommand: Command = async (a) => (await import('./commands/api-keys.ts')).apiKeysCommand(a);
const auditCommand: Command = async (a) => (await import('./commands/audit.ts')).auditCommand(a);
const provisionEvalTenantCommand: Command = async (a) =>
  (await import('./commands/provision-eval-tenant.ts')).provisionEvalTenantCommand(a);
const reconcileCommand: Command = async (a) => (await import('./commands/reconcile.ts')).reconcileCommand(a);
const emulatorCommand: Command = async (a) => (await import('./commands/emulator.ts')).emulatorCommand(a);

const COMMANDS: Record<string, { run: Command; summary: string; usage: string }> = {
  dev: {
    run: devCommand,
    usage: 'dev',
    summary: 'run locally (npm start): PGlite in .gatehouse/, the WorkOS emulator with demo users, webhooks wired',
  },
  serve: {
    run: serveCommand,
    usage: 'serve [--embedded]',
    summary: 'run in production (needs GATEHOUSE_SECRET and DATABASE_URL, or --embedded)',
  },
  doctor: {
    run: doctorCommand,
    usage: 'doctor',
    summary: 'check the live configuration (secrets, database, WorkOS, webhook endpoint) and say what to fix',
  },
  migrate: {
    run: migrateCommand,
    usage: 'migrate [--dry-run]',
    summary: 'apply pending database migrations and exit [--dry-run: list what would be applied]',
  },
  'api-keys': {
    run: apiKeysCommand,
    usage:
      'api-keys list [--json] | create --name N --role R [--environment live|test] [--expires-at ISO] [--json] | revoke KEY_ID',
    summary: 'api-keys list | create --name N --role R | revoke KEY_ID, acting as the key in GATEHOUSE_API_KEY',
  },
  audit: {
    run: auditCommand,
    usage: 'audit verify [--org ID] [--file F] [--checkpoint C] [--jwks J] | audit export --org ID [--out F]',
    summary: 'verify the audit log (database or an export file, offline) or export it with a signed checkpoint',
  },
  'provision-eval-tenant': {
    run: provisionEvalTenantCommand,
    usage: 'provision-eval-tenant --name N --admin-email E [--seed-demo]',
    summary:
      'create or find an evaluation tenant in WorkOS and locally, invite its admin: --name N --admin-email E [--seed-demo]',
  },
  reconcile: {
    run: reconcileCommand,
    usage: 'reconcile [--org ID] [--full] [--json]',
    summary: 'repair the mirror from WorkOS: Events API from the stored cursor [--org ID] [--full] [--json]',
  },
  emulator: {
    run: emulatorCommand,
    usage:
      'emulator [--port 4100] [--host 127.0.0.1] [--seed FILE | --empty] [--state-dir DIR] [--api-key KEY] [--client-id ID] [--public-url URL] [--chaos JSON]',
    summary: 'run the offline WorkOS emulator [--port 4100] [--seed FILE]',
  },
};

/** `gatehouse <command> --help`: the command's synopsis and what it does; configuration is in the README. */
function commandHelp(name: string): string | null {
  const command = COMMANDS[name];
  if (!command) return null;
  return [
    `usage: gatehouse ${command.usage}`,
    '',
    `  ${command.summary}`,
    '',
    'Configuration comes from environment variables (README.md, Configuration).',
    'Exit codes: 0 success, 1 failure, 2 invalid configuration, 3 database or port unavailable.',
  ].join('\n');
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: gatehouse <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`gatehouse: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(commandHelp(name));
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    const failure = describeFailure(error, { command: name, ...whereItRuns() });
    console.error(failure.line);
    return failure.exitCode;
  }
}

/** Where the command listens and which database it opens, only to word a failure. */
function whereItRuns(): { host?: string; port?: number; databaseUrl?: string } {
  try {
    const config = loadConfig();
    return {
      host: config.HOST,
      port: config.PORT,
      ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
    };
  } catch {
    return {};
  }
}
