// Builds the renderer (renderer/, Vue 3) into dist/renderer, which both the Electron shell (app://)
// and the browser host serve under a strict CSP (`style-src 'self'`): CSS goes to files, never to
// inline <style> tags, and no module is inlined into index.html.
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Inlined assets would become data: URLs; fonts and styles must come from 'self'.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1', strictPort: false },
});
