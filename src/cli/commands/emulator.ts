// `gatehouse emulator`: runs the offline WorkOS emulator. It lives in emulator/ and never shares
// code with src/ (DESIGN.md §1), so the CLI starts it as its own process, as any client would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const EMULATOR_MAIN = fileURLToPath(new URL('../../../emulator/main.ts', import.meta.url));

export async function emulatorCommand(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [EMULATOR_MAIN, ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
}
