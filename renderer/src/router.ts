// The app's places, named as a field worker would. Until Caseworker is set up (a connection or the
// demo), every place but Settings leads to the welcome page. Each route names its page title.

import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { useSettingsStore } from './stores/settings-store.js';

declare module 'vue-router' {
  interface RouteMeta {
    title: string;
    /** Reachable before Caseworker is set up. */
    setup?: boolean;
  }
}

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', redirect: '/caseload' },
    { path: '/welcome', name: 'welcome', component: () => import('./views/WelcomeView.vue'), meta: { title: 'Welcome', setup: true } },
    { path: '/caseload', name: 'caseload', component: () => import('./views/CaseloadView.vue'), meta: { title: 'Caseload' } },
    { path: '/actions', name: 'actions', component: () => import('./views/MyActionsView.vue'), meta: { title: 'My actions' } },
    { path: '/actions/:id(-?\\d+)/complete', name: 'complete-contact', component: () => import('./views/CompleteContactView.vue'), meta: { title: 'Complete contact' } },
    { path: '/clients/new', name: 'new-client', component: () => import('./views/ClientFormView.vue'), meta: { title: 'New client' } },
    { path: '/clients/:id(-?\\d+)', name: 'client', component: () => import('./views/ClientRecordView.vue'), meta: { title: 'Client record' } },
    { path: '/clients/:id(-?\\d+)/edit', name: 'edit-client', component: () => import('./views/ClientFormView.vue'), meta: { title: 'Edit client' } },
    { path: '/clients/:id(-?\\d+)/referrals/new', name: 'new-referral', component: () => import('./views/ReferralFormView.vue'), meta: { title: 'New referral' } },
    { path: '/referrals/:id(-?\\d+)/contacts/new', name: 'record-contact', component: () => import('./views/CompleteContactView.vue'), meta: { title: 'Record a contact' } },
    { path: '/referrals/:id(-?\\d+)/actions/new', name: 'new-action', component: () => import('./views/DueContactFormView.vue'), meta: { title: 'New action' } },
    { path: '/external-referral', name: 'external-referral', component: () => import('./views/ExternalReferralView.vue'), meta: { title: 'External referral' } },
    { path: '/reports', name: 'reports', component: () => import('./views/ReportsView.vue'), meta: { title: 'Reports' } },
    { path: '/sync', name: 'sync', component: () => import('./views/SyncView.vue'), meta: { title: 'Sync' } },
    { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue'), meta: { title: 'Settings', setup: true } },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { title: 'Page not found', setup: true } },
  ],
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to: RouteLocationNormalized) => {
  if (to.meta.setup) return true;
  const settings = useSettingsStore();
  try {
    await settings.load();
  } catch {
    return true; // main is not answering: let the page show its own error
  }
  return settings.configured ? true : { name: 'welcome' };
});

router.afterEach((to) => {
  document.title = `${to.meta.title} — Caseworker`;
});
