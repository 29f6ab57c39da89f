import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { withPageCsp } from '../main/app/csp.js';

// Relative asset URLs so the same build loads from file:// in Electron and http:// in the test host.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // The page's CSP <meta> comes from the same declaration as the Electron window's header.
  plugins: [svelte(), { name: 'causeway-page-csp', transformIndexHtml: { order: 'pre', handler: withPageCsp } }],
  resolve: { alias: { $contract: fileURLToPath(new URL('../main/contract/index.ts', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or data-URL modules: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'chrome120',
  },
});
