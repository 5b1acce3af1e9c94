// The Events API: the event log, oldest first, filtered by type, organization and time range,
// paged with an `after` cursor (an event id). Reconcilers depend on it being complete and
// stable: an event never changes or disappears once listed.
import type { EmulatorContext } from './context.ts';
import type { EventWire } from '../state/types.ts';
import { unprocessable } from './errors.ts';

export interface EventFilter {
  events?: string[];
  organization_id?: string;
  range_start?: string;
  range_end?: string;
  after?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

/** The organization an event concerns: on the entity itself or on the entity it wraps. */
function eventOrganization(event: EventWire): string | undefined {
  const data = event.data as Record<string, unknown>;
  if (typeof data.organization_id === 'string') return data.organization_id;
  if (data.object === 'organization' && typeof data.id === 'string') return data.id;
  // Wrapped shapes: domain verification failures, dsync group membership, SSO sign-ins.
  for (const key of ['organization_domain', 'group', 'user', 'sso']) {
    const inner = data[key] as { organization_id?: unknown } | undefined;
    if (inner && typeof inner.organization_id === 'string') return inner.organization_id;
  }
  return undefined;
}

export function listEvents(ctx: EmulatorContext, filter: EventFilter) {
  const limit = filter.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw unprocessable([
      { field: 'limit', code: 'limit_invalid', message: 'limit must be an integer between 1 and 100' },
    ]);
  }
  const start = filter.range_start ? Date.parse(filter.range_start) : undefined;
  const end = filter.range_end ? Date.parse(filter.range_end) : undefined;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw unprocessable([
      { field: 'range_start', code: 'invalid_date', message: 'range_start and range_end must be ISO 8601 timestamps' },
    ]);
  }
  const types = filter.events && filter.events.length > 0 ? new Set(filter.events) : undefined;
  const matches = (e: EventWire) => {
    if (types && !types.has(e.event)) return false;
    if (filter.organization_id && eventOrganization(e) !== filter.organization_id) return false;
    const at = Date.parse(e.created_at);
    if (start !== undefined && at < start) return false;
    if (end !== undefined && at > end) return false;
    return true;
  };
  const log = ctx.world.events;
  if (filter.order === 'desc') {
    let items = log.filter(matches);
    if (filter.after) items = items.filter((e) => e.id > filter.after!);
    return listOf(items.reverse().slice(0, limit), items.length > limit);
  }
  // Oldest first, the common case (a reconciler paging through the whole log): start at the
  // cursor and stop at the first event past the page, instead of filtering the whole log for
  // every page of 100, which made reading a log of N events cost N²/100.
  const page: EventWire[] = [];
  let more = false;
  for (let i = filter.after ? firstAfter(log, filter.after) : 0; i < log.length; i++) {
    const e = log[i] as EventWire;
    if (!matches(e)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(e);
  }
  return listOf(page, more);
}

function listOf(page: EventWire[], more: boolean) {
  return {
    object: 'list' as const,
    data: page.map((e) => structuredClone(e)),
    list_metadata: { after: page.length > 0 && more ? page[page.length - 1]!.id : null },
  };
}

/** The index of the first event whose id is above `after`: the log is appended in id order. */
function firstAfter(log: readonly EventWire[], after: string): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((log[mid] as EventWire).id > after) high = mid;
    else low = mid + 1;
  }
  return low;
}
