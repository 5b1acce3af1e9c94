// `gatehouse serve`: the production entry. Fails closed: no GATEHOUSE_SECRET, no start; and no
// DATABASE_URL unless --embedded says a single-node PGlite install is intended.
import { parseArgs } from 'node:util';
import { openGatehouse } from '../../app.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { listen, onShutdownSignal } from '../../http/serve.ts';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { embedded: { type: 'boolean', default: false } }, strict: true });
  const config = loadConfig();
  if (!config.GATEHOUSE_SECRET)
    throw new ConfigError(
      'GATEHOUSE_SECRET',
      'is required for `serve`; expected at least 32 characters of random secret',
    );
  if (!config.DATABASE_URL && !values.embedded)
    throw new ConfigError(
      'DATABASE_URL',
      'is required for `serve` (or pass --embedded to use PGlite in GATEHOUSE_DATA_DIR)',
    );
  // Fail closed: with WorkOS as the provider, unsigned webhooks must never be accepted, and a
  // server without the secret would silently miss every deprovisioning.
  if (config.AUTH_PROVIDER === 'workos' && !config.WORKOS_WEBHOOK_SECRET)
    throw new ConfigError(
      'WORKOS_WEBHOOK_SECRET',
      'is required for `serve` with AUTH_PROVIDER=workos; expected the webhook signing secret from the WorkOS dashboard',
    );
  const gatehouse = await openGatehouse(config);
  const server = await listen(gatehouse.app, { port: config.PORT, host: config.HOST });
  gatehouse.logger.info({ url: server.url, engine: gatehouse.store.engine }, 'listening');
  // METRICS_PORT: /metrics on a listener of its own, so the public port never exposes it.
  const metricsServer =
    config.METRICS_PORT === undefined
      ? null
      : await listen(gatehouse.metricsApp, { port: config.METRICS_PORT, host: config.HOST });
  if (metricsServer) gatehouse.logger.info({ url: `${metricsServer.url}/metrics` }, 'metrics listening');
  gatehouse.webhooks.start();
  gatehouse.directorySync.startSchedule();
  gatehouse.retention.startSchedule();
  onShutdownSignal(async (signal) => {
    gatehouse.logger.info({ signal }, 'shutting down');
    await Promise.all([server.close(config.SHUTDOWN_TIMEOUT_MS), metricsServer?.close(1000)]);
    await gatehouse.close();
    gatehouse.logger.info('stopped');
  });
  return new Promise<number>(() => {});
}
