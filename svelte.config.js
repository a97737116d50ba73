// SvelteKit configuration: a static single-page app that PocketBase serves
// from build/ui with an index.html fallback (same origin as the API).
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // runes everywhere in our code; libraries keep whatever mode they were written in
    runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true)
  },
  kit: {
    adapter: adapter({
      pages: 'build/ui',
      assets: 'build/ui',
      fallback: 'index.html',
      precompress: false,
      strict: true
    }),
    // the fallback page is served at every path, so asset URLs must be absolute
    paths: { relative: false }
  }
};

export default config;
