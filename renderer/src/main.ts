// Starts the renderer: Pinia, the router, the one error handler (anything unexpected becomes a
// sentence in the alert region, never a stack trace), and the sync status subscription.

import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { forgetBrowserDrafts } from './composables/use-draft.js';
import { router } from './router.js';
import { useNoticesStore } from './stores/notices-store.js';
import { useSyncStore } from './stores/sync-store.js';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(router);

const notices = useNoticesStore(pinia);
app.config.errorHandler = (error) => notices.showError(error);
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  notices.showError(event.reason);
});

useSyncStore(pinia).start();
forgetBrowserDrafts(); // drafts now live in the encrypted replica; older versions left them here in plaintext
app.mount('#app');
