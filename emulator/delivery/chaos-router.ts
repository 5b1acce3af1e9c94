import { Hono } from 'hono';
import { ZodError } from 'zod';
import { parseChaosPatch, type ChaosPatch, type ChaosSettings } from './chaos.ts';
import type { DeliveryAttempt, DeliveryStats } from './dispatcher.ts';

// Control surface for the chaos switches, mounted by the emulator core at `/_emulator/chaos`:
//   GET  -> { settings, stats, recent }   (recent: the last 200 attempts, newest last)
//   PUT  -> body: partial ChaosSettings; answers the settings now in force
//   DELETE -> back to no chaos (the seed is kept so the next run stays replayable)

export interface ChaosControl {
  chaos(): ChaosSettings;
  setChaos(patch: ChaosPatch): ChaosSettings;
  stats(): DeliveryStats;
  recent(): DeliveryAttempt[];
}

export function createChaosRouter(control: ChaosControl): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ settings: control.chaos(), stats: control.stats(), recent: control.recent() }));
  const update = async (body: unknown) => control.setChaos(parseChaosPatch(body));
  app.on(['PUT', 'POST', 'PATCH'], '/', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ code: 'invalid_json', message: 'Body must be a JSON object' }, 400);
    }
    try {
      return c.json({ settings: await update(body) });
    } catch (err) {
      if (err instanceof ZodError) {
        const errors = err.issues.map((i) => ({ field: i.path.join('.'), code: i.code, message: i.message }));
        return c.json({ code: 'invalid_request_parameters', message: 'Invalid chaos settings', errors }, 422);
      }
      throw err;
    }
  });
  app.delete('/', (c) =>
    c.json({
      settings: control.setChaos({
        duplicateRate: 0,
        reorderWindow: 0,
        delayMs: 0,
        failFirstAttempts: 0,
        failFirstRate: 0,
        dropRate: 0,
      }),
    }),
  );
  return app;
}
