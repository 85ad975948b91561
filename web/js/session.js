// Who is logged in, what they may do, and the chosen project.
import * as api from './api.js';

const PROJECT_KEY = 'anjia.project';

export const session = {
  user: null,
  nav: null,
  projects: [], // options for the project switcher
};

export function setUser(user, csrf) {
  session.user = user || null;
  if (csrf !== undefined) api.setCsrf(csrf);
}

export function clearSession() {
  session.user = null;
  session.nav = null;
  session.projects = [];
  api.setCsrf(null);
}

export function can(perm) {
  const perms = (session.user && session.user.permissions) || [];
  return perms.includes(perm);
}

export function displayName(user = session.user) {
  if (!user) return '';
  return user.display_name || user.username || '';
}

/** Chosen project id as a string, or '' for all. Only ids the user may pick count. */
export function currentProject() {
  let v = '';
  try { v = localStorage.getItem(PROJECT_KEY) || ''; } catch { /* ignore */ }
  if (!v) return '';
  return session.projects.some((p) => String(p.id) === v) ? v : '';
}

export function setCurrentProject(id) {
  try {
    if (id) localStorage.setItem(PROJECT_KEY, String(id));
    else localStorage.removeItem(PROJECT_KEY);
  } catch { /* ignore */ }
}

/** The switcher's options: the user's projects, or every project for all_projects. */
export async function loadProjects() {
  const user = session.user;
  let list = Array.isArray(user && user.projects) ? user.projects.slice() : [];
  if (user && user.all_projects && can('project.read')) {
    try {
      const r = await api.get('projects', { limit: 200, sort: 'code' });
      if (r && Array.isArray(r.items) && r.items.length) list = r.items;
    } catch { /* keep what /me said */ }
  }
  session.projects = list.map((p) => ({ id: p.id, code: p.code || '', name: p.name || p.code || `#${p.id}` }));
  return session.projects;
}
