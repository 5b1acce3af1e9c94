// The notes, kept per organization in one JSON file (read at start, rewritten whole after each
// change through a temporary file and a rename, so a crash leaves the old or the new file, never
// half of one). Enough for a sample; a real app would use its database. Every call takes the
// organization from the caller's AuthContext, never from the request: a note id from another
// tenant simply is not found.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Note {
  id: string;
  title: string;
  body: string;
  author: string;
  createdAt: string;
}

export interface NotesStore {
  list(organizationId: string): readonly Note[];
  get(organizationId: string, noteId: string): Note | undefined;
  create(organizationId: string, note: Pick<Note, 'title' | 'body' | 'author'>): Note;
}

/** A store kept in `file` (created on the first note), or in memory only when `file` is undefined. */
export function openNotesStore(file?: string): NotesStore {
  const byOrganization = new Map<string, Note[]>(
    file && existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, Note[]>) : [],
  );
  const save = () => {
    if (!file) return;
    writeFileSync(`${file}.tmp`, `${JSON.stringify(Object.fromEntries(byOrganization), null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
  return {
    list: (organizationId) => byOrganization.get(organizationId) ?? [],
    get: (organizationId, noteId) => byOrganization.get(organizationId)?.find((n) => n.id === noteId),
    create(organizationId, input) {
      const note: Note = { id: randomUUID(), ...input, createdAt: new Date().toISOString() };
      byOrganization.set(organizationId, [note, ...(byOrganization.get(organizationId) ?? [])]);
      save();
      return note;
    },
  };
}
