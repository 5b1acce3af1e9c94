// CLI: node emulator/main.ts [--port 4100] [--host 127.0.0.1] [--seed FILE | --empty]
//      [--api-key KEY] [--client-id ID] [--public-url URL]
// Prints where the emulator listens and how to reach it; stops cleanly on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    empty: { type: 'boolean', default: false },
    'api-key': { type: 'string' },
    'client-id': { type: 'string' },
    'public-url': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer between 0 and 65535, got ${values.port}`);
  process.exit(2);
}

const emulator = await startEmulator({
  port,
  host: values.host,
  seed: values.empty ? false : values.seed,
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
  ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
  ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
});

console.log(`WorkOS emulator listening on ${emulator.url}`);
console.log(`  API key:   ${emulator.apiKey}`);
console.log(`  Client ID: ${emulator.clientId}`);
console.log(`  JWKS:      ${emulator.url}/sso/jwks/${emulator.clientId}`);
for (const [org, dirs] of Object.entries(emulator.seed?.directories ?? {})) {
  for (const d of dirs) console.log(`  SCIM (${org}): ${d.scim_url}  token ${d.scim_token}`);
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
