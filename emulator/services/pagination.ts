// WorkOS list semantics: `limit` (1..100, default 10), `before`/`after` cursors that are object
// ids, `order` asc | desc | normal (desc is the default). Ids are monotonic, so id order is
// creation order. `list_metadata.after` points at the last item when more follow in the
// direction of travel; `before` at the first item when items precede it.
import { unprocessable } from './errors.ts';

export interface ListParams {
  limit?: number;
  before?: string;
  after?: string;
  order?: 'asc' | 'desc' | 'normal';
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  list_metadata: { before: string | null; after: string | null };
}

export function parseListParams(query: Record<string, string | undefined>): ListParams {
  const params: ListParams = {};
  if (query.limit !== undefined) {
    const limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw unprocessable([
        { field: 'limit', code: 'limit_invalid', message: 'limit must be an integer between 1 and 100' },
      ]);
    }
    params.limit = limit;
  }
  if (query.order !== undefined) {
    if (query.order !== 'asc' && query.order !== 'desc' && query.order !== 'normal') {
      throw unprocessable([
        { field: 'order', code: 'order_invalid', message: 'order must be one of asc, desc, normal' },
      ]);
    }
    params.order = query.order;
  }
  if (query.before) params.before = query.before;
  if (query.after) params.after = query.after;
  return params;
}

/**
 * Pages `items` (any order in, sorted by id here) and serializes only the page.
 * `asc` and `desc` read cursors in list order: `after` = the items listed after the cursor.
 * `normal` lists newest first but reads cursors in time: `after` = newer, `before` = older.
 */
export function paginate<T extends { id: string }, W = T>(
  items: Iterable<T>,
  params: ListParams,
  serialize?: (item: T) => W,
): ListPage<W> {
  const limit = params.limit ?? 10;
  const order = params.order ?? 'desc';
  const ascending = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sorted = order === 'asc' ? ascending : ascending.reverse();
  // Translate `normal` cursors into list-order cursors over the newest-first list.
  const after = order === 'normal' ? params.before : params.after;
  const before = order === 'normal' ? params.after : params.before;
  const listedAfter = (id: string, cursor: string) => (order === 'asc' ? id > cursor : id < cursor);
  let start = 0;
  let end = sorted.length;
  if (after) {
    const index = sorted.findIndex((item) => listedAfter(item.id, after));
    start = index === -1 ? sorted.length : index;
  }
  if (before) {
    const index = sorted.findIndex((item) => item.id === before || listedAfter(item.id, before));
    end = index === -1 ? sorted.length : index;
  }
  // Walking backwards (only a `before` cursor) takes the page nearest the cursor.
  const page =
    before && !after
      ? sorted.slice(Math.max(start, end - limit), end)
      : sorted.slice(start, Math.min(end, start + limit));
  const firstIndex = page.length > 0 ? sorted.indexOf(page[0]!) : start;
  const lastIndex = firstIndex + page.length - 1;
  const more = page.length > 0 && lastIndex + 1 < sorted.length;
  const earlier = page.length > 0 && firstIndex > 0;
  const map = serialize ?? ((item: T) => item as unknown as W);
  const first = earlier ? page[0]!.id : null;
  const last = more ? page[page.length - 1]!.id : null;
  return {
    object: 'list',
    data: page.map(map),
    // Under `normal`, `after` points to newer items (towards the list start) and `before` to older.
    list_metadata: order === 'normal' ? { before: last, after: first } : { before: first, after: last },
  };
}
