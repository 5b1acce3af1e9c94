// CLI: node emulator/main.ts [--port 4100] [--host 127.0.0.1] [--seed FILE | --empty]
//      [--api-key KEY] [--client-id ID] [--public-url URL] [--state-dir DIR]
//      [--chaos '{"seed":7,"duplicateRate":0.1,"reorderWindow":50}']   (webhook chaos at start)
// Prints where the emulator listens and how to reach it; stops cleanly on SIGTERM/SIGINT.
// With --state-dir the world survives restarts (loaded from DIR when saved there, else seeded).
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';
import { parseChaosPatch, type ChaosPatch } from './delivery/chaos.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    empty: { type: 'boolean', default: false },
    'api-key': { type: 'string' },
    'client-id': { type: 'string' },
    'public-url': { type: 'string' },
    chaos: { type: 'string' },
    'state-dir': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer between 0 and 65535, got ${values.port}`);
  process.exit(2);
}

let chaos: ChaosPatch | undefined;
if (values.chaos) {
  try {
    chaos = parseChaosPatch(JSON.parse(values.chaos));
  } catch (error) {
    const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    const why = issues
      ? issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')
      : (error as Error).message;
    console.error(
      `--chaos must be a JSON object of seed, duplicateRate, reorderWindow, delayMs, failFirstAttempts, failFirstRate, dropRate (${why})`,
    );
    process.exit(2);
  }
}

const emulator = await startEmulator({
  port,
  host: values.host,
  seed: values.empty ? false : values.seed,
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
  ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
  ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
  ...(chaos ? { webhooks: { chaos } } : {}),
  ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
});

console.log(`WorkOS emulator listening on ${emulator.url}`);
console.log(`  API key:   ${emulator.apiKey}`);
console.log(`  Client ID: ${emulator.clientId}`);
console.log(`  JWKS:      ${emulator.url}/sso/jwks/${emulator.clientId}`);
if (chaos) console.log(`  Webhook chaos: ${JSON.stringify(emulator.webhooks.chaos())}`);
if (values['state-dir']) console.log(`  State:     ${values['state-dir']} (${emulator.restored ? 'restored' : 'new'})`);
// From the world, not the seed summary, so a restored world lists its directories too.
for (const directory of emulator.world.directories.values()) {
  const org = emulator.world.organizations.get(directory.organization_id)?.name ?? directory.organization_id;
  const token = emulator.world.scimTokens.get(directory.id) ?? '';
  console.log(`  SCIM (${org}): ${emulator.url}/scim/v2/${directory.id}  token ${token}`);
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping emulator`);
  await emulator.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
