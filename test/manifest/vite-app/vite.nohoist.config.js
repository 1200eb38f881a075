// The same app built with Rollup's hoistTransitiveImports off: an entry's
// manifest "imports" then lists only the chunks it imports itself, so the
// util chunk is reached only through the shared chunk, and an expander that
// does not recurse into "imports" misses it. Rollup hoists by default
// (vite.config.js); some apps turn it off.
import { mergeConfig } from 'vite';
import base from './vite.config.js';

export default mergeConfig(base, {
  build: {
    outDir: 'dist-nohoist',
    rollupOptions: { output: { hoistTransitiveImports: false } },
  },
});
