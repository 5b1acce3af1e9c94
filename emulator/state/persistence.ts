// The world kept in a folder, so a restarted emulator finds the same organizations, users,
// connections, sessions and signing keys (same ids, same tokens) as before. One JSON file,
// written to a temporary name and renamed over the old one, so a crash mid-write leaves the
// previous state, never half of one. It holds password hashes, SCIM tokens and private signing
// keys: it is created readable by its owner only (0600), like a dev database.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from './world.ts';
import type { StoredSigningKey } from '../keys/signing-keys.ts';

const FILE = 'world.json';
const FORMAT = 1;

export interface WorldSnapshot {
  format: typeof FORMAT;
  saved_at: string;
  clock_offset_ms: number;
  keys: StoredSigningKey[];
  world: Record<string, unknown>;
}

/** Maps and Sets survive JSON as tagged objects. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value instanceof Set) return { $set: [...value] };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = value as { $map?: Array<[unknown, unknown]>; $set?: unknown[] };
    if (Array.isArray(tagged.$map) && Object.keys(value).length === 1) return new Map(tagged.$map);
    if (Array.isArray(tagged.$set) && Object.keys(value).length === 1) return new Set(tagged.$set);
  }
  return value;
}

/** The world's data: every Map, the outbox and event log, the settings (never the clock or id factory). */
export function snapshotWorld(world: World, keys: StoredSigningKey[]): string {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(world)) {
    if (value instanceof Map || Array.isArray(value)) data[name] = value;
  }
  data.settings = world.settings;
  const snapshot = {
    format: FORMAT,
    saved_at: world.nowIso(),
    clock_offset_ms: world.clock.offsetMs(),
    keys,
    world: data,
  };
  return JSON.stringify(snapshot, replacer);
}

/** Loads a snapshot into an empty world (subscribers stay attached; nothing is emitted). */
export function restoreWorld(world: World, text: string): WorldSnapshot {
  const snapshot = JSON.parse(text, reviver) as WorldSnapshot;
  if (snapshot.format !== FORMAT) throw new Error(`unsupported emulator state format ${String(snapshot.format)}`);
  const target = world as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(snapshot.world)) {
    const current = target[name];
    if (current instanceof Map && value instanceof Map) {
      current.clear();
      for (const [k, v] of value) current.set(k, v);
    } else if (Array.isArray(current) && Array.isArray(value)) {
      current.length = 0;
      current.push(...value);
    } else if (name === 'settings' && value && typeof value === 'object') {
      Object.assign(world.settings, value);
    }
  }
  world.clock.setOffset(snapshot.clock_offset_ms);
  return snapshot;
}

/**
 * How long after a change the next save waits: 200 ms, or four times what the last save took if
 * that is longer. A snapshot costs time in proportion to the world (about 0.7 s for a directory of
 * 10,000 users and their events), and it blocks the emulator; saving every 200 ms through a SCIM
 * push would spend most of the emulator's time snapshotting. Spaced this way saving takes at most
 * a fifth of the time, whatever the world's size. Closing still saves at once.
 */
export function saveDelayMs(lastSaveCostMs: number): number {
  return Math.max(200, Math.ceil(4 * lastSaveCostMs));
}

export interface StateFolder {
  /** The saved snapshot's text, or null when the folder holds none yet. */
  read(): string | null;
  /** Writes now (atomically). */
  save(text: string): void;
  path: string;
}

export function openStateFolder(dir: string): StateFolder {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, FILE);
  return {
    path,
    read: () => (existsSync(path) ? readFileSync(path, 'utf8') : null),
    save(text) {
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, text, { mode: 0o600 });
      renameSync(temporary, path);
    },
  };
}
