// SPDX-License-Identifier: Apache-2.0
// The demo's page built by Vite (demo/vite-app/README.md): one HTML entry,
// built into conf/demo/htdocs/app/build with its manifest, every URL under
// /app/build/, where httpd serves it. conf/demo/httpd.conf.in reads the
// manifest with QuartPushManifest.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  base: '/app/build/',
  // the site's own files (/static/..., /fonts/...) are httpd's, not Vite's
  publicDir: false,
  build: {
    manifest: true,
    outDir: here('../../conf/demo/htdocs/app/build'),
    emptyOutDir: true,
    rollupOptions: {
      input: { index: here('index.html') },
      output: {
        // the timing code in a chunk of its own, as apps split a vendor
        // chunk: the page then has a module script, a modulepreload and
        // two stylesheets, each announced by the 103
        manualChunks(id) {
          return id.endsWith('/src/timing.js') ? 'timing' : undefined;
        },
      },
    },
  },
});
