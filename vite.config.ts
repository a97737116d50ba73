// Vite configuration for the UI. `vite dev` proxies the PocketBase API (and
// its realtime SSE stream) so the app runs same-origin as in production.
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = process.env.PB_URL ?? 'http://127.0.0.1:8090';

export default defineConfig({
  plugins: [sveltekit()],
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
