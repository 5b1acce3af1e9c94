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
      throw unprocessable([{ field: 'limit', code: 'limit_invalid', message: 'limit must be an integer between 1 and 100' }]);
    }
    params.limit = limit;
  }
  if (query.order !== undefined) {
    if (query.order !== 'asc' && query.order !== 'desc' && query.order !== 'normal') {
      throw unprocessable([{ field: 'order', code: 'order_invalid', message: 'order must be one of asc, desc, normal' }]);
    }
    params.order = query.order;
  }
  if (query.before) params.before = query.before;
  if (query.after) params.after = query.after;
  return params;
}

/** Pages `items` (any order in, sorted by id here) and serializes only the page. */
export function paginate<T extends { id: string }, W = T>(items: Iterable<T>, params: ListParams, serialize?: (item: T) => W): ListPage<W> {
  const limit = params.limit ?? 10;
  const ascending = params.order === 'asc';
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (!ascending) sorted.reverse();
  // In list order, `after` means "items that come after this one", `before` the ones before it.
  let start = 0;
  let end = sorted.length;
  if (params.after) {
    const index = sorted.findIndex((item) => (ascending ? item.id > params.after! : item.id < params.after!));
    start = index === -1 ? sorted.length : index;
  }
  if (params.before) {
    const index = sorted.findIndex((item) => (ascending ? item.id >= params.before! : item.id <= params.before!));
    end = index === -1 ? sorted.length : index;
  }
  let page: T[];
  if (params.before && !params.after) {
    page = sorted.slice(Math.max(start, end - limit), end);
  } else {
    page = sorted.slice(start, Math.min(end, start + limit));
  }
  const firstIndex = page.length > 0 ? sorted.indexOf(page[0]!) : start;
  const lastIndex = firstIndex + page.length - 1;
  const more = lastIndex + 1 < sorted.length && page.length > 0;
  const earlier = firstIndex > 0 && page.length > 0;
  const map = serialize ?? ((item: T) => item as unknown as W);
  return {
    object: 'list',
    data: page.map(map),
    list_metadata: {
      before: earlier ? page[0]!.id : null,
      after: more ? page[page.length - 1]!.id : null,
    },
  };
}
