// The build whose output is the oracle for QuartPushManifest ... vite:
// two HTML entries, a manifest, and every URL under /build/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// a file beside this config, whatever the current directory (Node 18 has no
// import.meta.dirname)
const here = (name) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  base: '/build/',
  build: {
    manifest: true,
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: here('index.html'),
        blog: here('blog.html'),
      },
      output: {
        // util.js into a chunk of its own, as apps do with a vendor chunk:
        // the shared chunk imports it (the nested import).
        manualChunks(id) {
          return id.endsWith('/src/util.js') ? 'util' : undefined;
        },
      },
    },
  },
});
