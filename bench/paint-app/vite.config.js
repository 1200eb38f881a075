// SPDX-License-Identifier: Apache-2.0
// make bench's paint-time page (bench/paint-app/README.md): one HTML entry,
// built into bench/site/paint/build with its manifest, every URL under
// /paint/build/, where bench/paint-times's httpds serve it.
// The module reads the manifest with QuartPushManifest.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import generatedModules from './generated.js';
import { writeHero } from './hero.js';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

// the hero image is generated, before Vite reads index.html's <img>
writeHero(here('src/hero.png'));

export default defineConfig({
  base: '/paint/build/',
  publicDir: false,
  plugins: [generatedModules()],
  build: {
    manifest: true,
    outDir: here('../site/paint/build'),
    emptyOutDir: true,
    // the font and the image are files of their own, never inlined
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: here('index.html') },
      output: {
        // as apps split their dependencies: the entry imports a vendor
        // chunk and a widgets chunk, which its HTML modulepreloads
        manualChunks(id) {
          if (id.includes('virtual:paint/catalogue')) return 'vendor';
          if (id.includes('virtual:paint/widget')) return 'widgets';
          return undefined;
        },
      },
    },
  },
});
