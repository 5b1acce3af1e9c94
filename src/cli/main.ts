// `gatehouse <command>`: the CLI entry. Each command is a function returning an exit code; a
// configuration error prints one line naming the variable and exits 2 (DESIGN.md §3.7).
import { ConfigError } from '../config.ts';
import { isAppError } from '../core/errors.ts';
import { auditCommand } from './commands/audit.ts';
import { devCommand } from './commands/dev.ts';
import { doctorCommand } from './commands/doctor.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { migrateCommand } from './commands/migrate.ts';
import { provisionEvalTenantCommand } from './commands/provision-eval-tenant.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { serveCommand } from './commands/serve.ts';

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  dev: { run: devCommand, summary: 'run locally (npm start): PGlite in .gatehouse/, the WorkOS emulator with demo users, webhooks wired' },
  serve: { run: serveCommand, summary: 'run in production (needs GATEHOUSE_SECRET and DATABASE_URL, or --embedded)' },
  doctor: { run: doctorCommand, summary: 'check the live configuration (secrets, database, WorkOS, webhook endpoint) and say what to fix' },
  migrate: { run: migrateCommand, summary: 'apply pending database migrations and exit' },
  audit: { run: auditCommand, summary: 'audit verify [--org ID] [--file F] [--checkpoint C] [--jwks J] | audit export --org ID [--out F]' },
  'provision-eval-tenant': { run: provisionEvalTenantCommand, summary: 'create or find an evaluation tenant in WorkOS and locally, invite its admin: --name N --admin-email E [--seed-demo]' },
  reconcile: { run: reconcileCommand, summary: 'repair the mirror from WorkOS: Events API from the stored cursor [--org ID] [--full] [--json]' },
  emulator: { run: emulatorCommand, summary: 'run the offline WorkOS emulator [--port 4100] [--seed FILE]' },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return ['usage: gatehouse <command> [options]', '', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)].join('\n');
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
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gatehouse: invalid configuration: ${error.message}`);
      return 2;
    }
    if (isAppError(error)) {
      console.error(`gatehouse: ${error.code}: ${error.message}`);
      return 1;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`gatehouse ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
