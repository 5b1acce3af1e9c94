// Every admin section, in navigation order. Sections whose services are not wired yet are absent
// from this list rather than present as empty pages.
import type { AdminPage } from './admin-pages.ts';
import { auditPage } from './pages/audit.ts';
import { membersPage } from './pages/members.ts';
import { rolesPage } from './pages/roles.ts';

export const ADMIN_PAGES: AdminPage[] = [membersPage, rolesPage, auditPage];
