import path from 'node:path';
import { defineConfig } from 'vite';

/**
 * The console's build: a single-page app served by the API at /console, so every asset path is
 * under /console/ and hashed (the API caches /console/assets/* for a year and index.html never).
 * Vite 8 compiles TSX with oxc; React's automatic runtime needs no plugin for a production build.
 */
export default defineConfig({
  root: __dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(__dirname, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // The first screen must stay small (≤ 250 KB gzipped, bench/consoleSpeed): screens are lazy chunks.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // Mantine marks its modules "use client" (for React Server Components); meaningless in a browser-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // `npm run console:dev` proxies the API so cookies stay same-origin.
    proxy: { '/v1': process.env.HUB_API_URL ?? 'http://localhost:3000' },
  },
});
