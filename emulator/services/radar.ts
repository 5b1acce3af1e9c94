// Radar standalone: an app asks for a verdict on a sign-in or sign-up attempt and keeps allow and
// block lists. What can be decided offline is decided as WorkOS documents it: an allow-list entry
// matching the attempt lets it through before anything else, a block-list entry blocks it (control
// `restriction`, naming the list), and repeated failures for one email within ten minutes are
// challenged as a brute-force attack until an attempt is reported successful. The signals that
// need the real network (IP reputation, geolocation for `country`, impossible travel, bot
// scores) are not invented: without a list match or a burst, the verdict is `allow`.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { RadarAttemptRecord } from '../state/platform-types.ts';
import { EmulatorError, notFound } from './errors.ts';

const LIST_TYPES = ['ip_address', 'domain', 'email', 'device', 'user_agent', 'device_fingerprint', 'country'] as const;
type ListType = (typeof LIST_TYPES)[number];
const ACTIONS = ['block', 'allow'] as const;
const ACTION_VALUES = ['login', 'signup', 'sign-up', 'sign-in', 'sign_up', 'sign_in', 'sign in', 'sign up'] as const;
const AUTH_METHODS = [
  'Password',
  'Passkey',
  'Authenticator',
  'SMS_OTP',
  'Email_OTP',
  'Social',
  'SSO',
  'Other',
] as const;

/** Unconfirmed attempts for one email within this window that make the next one a challenge. */
const BURST_WINDOW_MS = 10 * 60 * 1000;
const BURST_LIMIT = 5;

const AssessInput = z.object({
  ip_address: z.string().refine((v) => isIP(v) !== 0, 'ip_address must be an IP address'),
  user_agent: z.string().min(1),
  email: z.email(),
  auth_method: z.enum(AUTH_METHODS),
  action: z.enum(ACTION_VALUES),
  device_fingerprint: z.string().optional(),
  bot_score: z.string().optional(),
});
const UpdateInput = z
  .object({ challenge_status: z.literal('success').optional(), attempt_status: z.literal('success').optional() })
  .refine((v) => v.challenge_status !== undefined || v.attempt_status !== undefined, 'nothing to update');
const EntryInput = z.object({ entry: z.string().min(1).max(256) });

/** Radar answers 400 with a message for any bad input. */
function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EmulatorError(400, { message: `${issue.path.join('.') || 'body'}: ${issue.message}` });
  }
  return result.data;
}

function listKey(type: string, action: string): string {
  if (!(LIST_TYPES as readonly string[]).includes(type) || !(ACTIONS as readonly string[]).includes(action)) {
    throw new EmulatorError(400, { message: `Unknown Radar list '${type}/${action}'.` });
  }
  return `${type}:${action}`;
}

/** Entries are compared case-insensitively where the value is (emails, domains, countries). */
function normalizeEntry(type: ListType, entry: string): string {
  const value = entry.trim();
  if (type === 'ip_address' && isIP(value) === 0)
    throw new EmulatorError(400, { message: 'entry must be an IP address.' });
  if (type === 'email' && !z.email().safeParse(value).success)
    throw new EmulatorError(400, { message: 'entry must be an email.' });
  if (type === 'country' && !/^[A-Za-z]{2}$/.test(value))
    throw new EmulatorError(400, { message: 'entry must be a two-letter country code.' });
  return ['email', 'domain', 'country'].includes(type) ? value.toLowerCase() : value;
}

export function addListEntry(ctx: EmulatorContext, type: string, action: string, body: unknown): { added: boolean } {
  const key = listKey(type, action);
  const entry = normalizeEntry(type as ListType, parse(EntryInput, body).entry);
  const list = ctx.world.radarLists.get(key) ?? new Set<string>();
  ctx.world.radarLists.set(key, list);
  if (list.has(entry)) return { added: false };
  list.add(entry);
  return { added: true };
}

export function removeListEntry(ctx: EmulatorContext, type: string, action: string, body: unknown): void {
  const key = listKey(type, action);
  const entry = normalizeEntry(type as ListType, parse(EntryInput, body).entry);
  if (!ctx.world.radarLists.get(key)?.delete(entry))
    throw new EmulatorError(404, { message: 'Entry not found in list.' });
}

/** The first list of `action` that names a value of the attempt (country needs geolocation: never offline). */
function listMatch(
  ctx: EmulatorContext,
  action: 'allow' | 'block',
  input: z.infer<typeof AssessInput>,
): ListType | null {
  const values: Array<[ListType, string | undefined]> = [
    ['email', input.email.toLowerCase()],
    ['domain', input.email.split('@')[1]?.toLowerCase()],
    ['ip_address', input.ip_address],
    ['user_agent', input.user_agent],
    ['device_fingerprint', input.device_fingerprint],
    ['device', input.device_fingerprint],
  ];
  for (const [type, value] of values) {
    if (value !== undefined && ctx.world.radarLists.get(`${type}:${action}`)?.has(value)) return type;
  }
  return null;
}

export function assessAttempt(ctx: EmulatorContext, body: unknown) {
  const input = parse(AssessInput, body);
  const { world } = ctx;
  const now = world.clock.nowMs();
  const email = input.email.toLowerCase();
  let verdict: RadarAttemptRecord['verdict'] = 'allow';
  let reason = 'No risk detected.';
  let control: string | undefined;
  let blocklist: ListType | undefined;
  const allowed = listMatch(ctx, 'allow', input);
  const blocked = allowed ? null : listMatch(ctx, 'block', input);
  if (allowed) {
    reason = `Allowed by the ${allowed} allow list.`;
  } else if (blocked) {
    verdict = 'block';
    control = 'restriction';
    blocklist = blocked;
    reason = `Blocked by the ${blocked} block list.`;
  } else {
    const recent = [...world.radarAttempts.values()].filter(
      (a) => a.email === email && a.attempt_status === 'pending' && now - Date.parse(a.created_at) < BURST_WINDOW_MS,
    );
    if (recent.length >= BURST_LIMIT) {
      verdict = 'challenge';
      control = 'brute_force_attack';
      reason = 'Too many recent unconfirmed attempts for this email.';
    }
  }
  const record: RadarAttemptRecord = {
    id: world.newId('radar_attempt'),
    email,
    ip_address: input.ip_address,
    verdict,
    attempt_status: 'pending',
    challenge_status: 'pending',
    created_at: world.nowIso(),
  };
  world.radarAttempts.set(record.id, record);
  return {
    verdict,
    reason,
    attempt_id: record.id,
    ...(control ? { control } : {}),
    ...(blocklist ? { blocklist_type: blocklist } : {}),
  };
}

/** A successful attempt (or challenge) ends the burst for its email. */
export function updateAttempt(ctx: EmulatorContext, id: string, body: unknown): void {
  const input = parse(UpdateInput, body);
  const record = ctx.world.radarAttempts.get(id);
  if (!record) throw notFound('Radar attempt', id);
  if (input.attempt_status) record.attempt_status = 'success';
  if (input.challenge_status) record.challenge_status = 'success';
  if (record.attempt_status === 'success' || record.challenge_status === 'success') {
    for (const a of ctx.world.radarAttempts.values()) if (a.email === record.email) a.attempt_status = 'success';
  }
}
