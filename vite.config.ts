// Vite configuration for the UI. `vite dev` proxies the PocketBase API (and
// its realtime SSE stream) so the app runs same-origin as in production.
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = process.env.PB_URL ?? 'http://127.0.0.1:8090';

export default defineConfig({
  plugins: [sveltekit()],
  build: {
    // the bundler's "callbacks ran for 7.3s" report reads like a failure to a
    // newcomer (issue 14, item 11); slow builds here mean a busy machine
    rolldownOptions: { checks: { bundlerTimings: false } }
  },
  server: {
    proxy: {
      '/api': { target: api },
      '/_/': { target: api }
    }
  },
  preview: {
    proxy: {
      '/api': { target: api }
    }
  }
});
