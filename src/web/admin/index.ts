// Every admin section, in navigation order.
import type { AdminPage } from './admin-pages.ts';
import { apiKeysPage } from './pages/api-keys.ts';
import { auditPage } from './pages/audit.ts';
import { directoriesPage } from './pages/directories.ts';
import { membersPage } from './pages/members.ts';
import { rolesPage } from './pages/roles.ts';
import { sessionsPage } from './pages/sessions.ts';
import { ssoPage } from './pages/sso.ts';

export const ADMIN_PAGES: AdminPage[] = [
  ssoPage,
  membersPage,
  rolesPage,
  directoriesPage,
  apiKeysPage,
  sessionsPage,
  auditPage,
];
