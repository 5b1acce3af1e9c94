// Turns what a command can fail with into one line that names what to fix, and its exit code:
// 1 a failure of the work itself (bad arguments, a missing file, a broken chain), 2 invalid
// configuration (a variable that cannot work, named), 3 the environment refused (the database is
// unreachable or does not exist, the port is taken). Never a stack trace, never a secret: a
// database URL is shown without its password.
import { ConfigError } from '../config.ts';
import { isAppError } from '../core/errors.ts';

export interface Failure {
  line: string;
  exitCode: 1 | 2 | 3;
}

export interface FailureContext {
  command: string;
  /** Where the command was told to listen and which database it opens, for the message. */
  host?: string | undefined;
  port?: number | undefined;
  databaseUrl?: string | undefined;
}

interface SystemError {
  code?: string;
  syscall?: string;
  hostname?: string;
  address?: string;
  port?: number;
  path?: string;
  message?: string;
  errors?: unknown[];
}

/** Where a database URL points, without its user name or password. */
function describeDatabase(url: string | undefined): string {
  if (!url) return 'the database';
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? ` (database ${decodeURIComponent(u.pathname.slice(1))})` : ''}`;
  } catch {
    return 'the database in DATABASE_URL';
  }
}

function systemError(error: unknown): SystemError | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as SystemError & { cause?: unknown };
  if (typeof e.code === 'string') return e;
  // node-postgres and fetch wrap the socket error (AggregateError for several addresses, or cause).
  if (Array.isArray(e.errors) && e.errors.length) return systemError(e.errors[0]);
  if (e.cause) return systemError(e.cause);
  return null;
}

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0]!.trim();

export function describeFailure(error: unknown, ctx: FailureContext): Failure {
  const prefix = `gatehouse ${ctx.command}`;
  if (error instanceof ConfigError) return { line: `gatehouse: invalid configuration: ${error.message}`, exitCode: 2 };
  if (isAppError(error)) return { line: `${prefix}: ${error.code}: ${firstLine(error.message)}`, exitCode: 1 };
  if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return { line: `${prefix}: ${firstLine(error.message)} (see gatehouse ${ctx.command} --help)`, exitCode: 1 };
  }
  const sys = systemError(error);
  const db = describeDatabase(ctx.databaseUrl);
  switch (sys?.code) {
    case 'EADDRINUSE':
      return {
        line: `${prefix}: port ${sys.port ?? ctx.port} on ${ctx.host ?? sys.address} is already in use: stop what is using it, or set PORT to another port (PORT=0 picks a free one)`,
        exitCode: 3,
      };
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      if (
        sys.syscall === 'listen' ||
        (sys.syscall === 'getaddrinfo' && ctx.host !== undefined && sys.hostname === ctx.host)
      ) {
        return {
          line: `gatehouse: invalid configuration: HOST=${ctx.host} is not an address of this machine; expected an address to listen on, such as 127.0.0.1 or 0.0.0.0`,
          exitCode: 2,
        };
      }
      return {
        line: `${prefix}: cannot reach ${sys.hostname ?? db}: the name does not resolve; check DATABASE_URL or the WorkOS host settings`,
        exitCode: 3,
      };
    case 'ECONNREFUSED':
      return {
        line: `${prefix}: cannot reach ${ctx.databaseUrl ? db : `${sys.address}:${sys.port}`}: connection refused; start it, or fix DATABASE_URL`,
        exitCode: 3,
      };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { line: `${prefix}: cannot reach ${db}: ${sys.code}; check DATABASE_URL and the network`, exitCode: 3 };
    case '3D000':
      return { line: `${prefix}: ${db} does not exist; create it (createdb) or fix DATABASE_URL`, exitCode: 3 };
    case '28P01':
    case '28000':
      return {
        line: `${prefix}: ${db} refused the credentials in DATABASE_URL (${firstLine(sys.message)})`,
        exitCode: 3,
      };
    case 'ENOENT':
      return { line: `${prefix}: no such file or folder: ${sys.path ?? firstLine(sys.message)}`, exitCode: 1 };
    case 'EACCES':
    case 'EPERM':
      if (sys.syscall === 'listen')
        return {
          line: `${prefix}: not allowed to listen on port ${sys.port ?? ctx.port}; choose a PORT above 1023`,
          exitCode: 3,
        };
      return { line: `${prefix}: permission denied: ${sys.path ?? firstLine(sys.message)}`, exitCode: 1 };
  }
  const message = error instanceof Error ? firstLine(error.message) : firstLine(String(error));
  return { line: `${prefix}: ${message || 'failed'}`, exitCode: 1 };
}
