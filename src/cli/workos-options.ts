// WorkOS client options from the configuration, for commands that talk to WorkOS (or the emulator).
import { ConfigError, type Config } from '../config.ts';
import { workosSignInOptions } from '../identity/workos/sdk-client.ts';
import type { WorkosProviderOptions } from '../identity/workos/workos-provider.ts';

export function workosOptionsFrom(config: Config): WorkosProviderOptions {
  if (!config.WORKOS_API_KEY)
    throw new ConfigError('WORKOS_API_KEY', 'is required for this command; expected a WorkOS API key (sk_...)');
  if (!config.WORKOS_CLIENT_ID)
    throw new ConfigError('WORKOS_CLIENT_ID', 'is required for this command; expected a WorkOS client id (client_...)');
  return workosSignInOptions(config)!;
}
