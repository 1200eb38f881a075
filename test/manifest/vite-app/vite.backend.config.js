// The same app built the way backend frameworks use Vite (Laravel,
// vite_ruby, Symfony's Vite bundle, django-vite): JS and CSS entries, no
// HTML, into dist-backend/. The manifest keys are then source paths
// (src/main.js, src/blog.js) and a CSS entry (src/site.css), whose "file"
// is a stylesheet, not a module.
import { mergeConfig } from 'vite';
import base from './vite.config.js';

const config = mergeConfig(base, { build: { outDir: 'dist-backend' } });
// replaced, not merged: mergeConfig would keep the HTML entries
config.build.rollupOptions.input = ['src/main.js', 'src/blog.js', 'src/site.css'];
export default config;
