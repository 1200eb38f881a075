// SPDX-License-Identifier: Apache-2.0
// The bulk of the paint-time page's JavaScript, generated at build time
// rather than kept as 300 KB of sources: a Vite plugin that serves
// virtual modules, the way an app's dependencies are modules it did not
// write.
//   virtual:paint/catalogues   imports CATALOGUES modules of product names
//                              and prices (string tables, which a minifier
//                              cannot shrink): vite.config.js puts them in
//                              a "vendor" chunk
//   virtual:paint/widgets      imports WIDGETS modules, each a function
//                              with its own labels: a "widgets" chunk
// A fixed seed makes the same code, so the same file names, at every build.
const CATALOGUES = 12;
const ITEMS = 240;
const WIDGETS = 14;
const LABELS = 110;

const SYLLABLES = ['har', 'bour', 'light', 'tide', 'quay', 'sal', 'mon', 'rope',
  'an', 'chor', 'buoy', 'gull', 'wharf', 'keel', 'mast', 'sail', 'net', 'reef',
  'dune', 'cove', 'bay', 'port', 'stern', 'bow', 'deck', 'helm', 'oar', 'fjord'];

function mulberry32(seed) {
  return function () {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function phrase(rand, words) {
  const out = [];
  for (let w = 0; w < words; w++) {
    let word = '';
    const n = 2 + Math.floor(rand() * 3);
    for (let s = 0; s < n; s++) word += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    out.push(word);
  }
  return out.join(' ');
}

function catalogue(i) {
  const rand = mulberry32(1000 + i);
  const names = [];
  const prices = [];
  for (let k = 0; k < ITEMS; k++) {
    names.push(phrase(rand, 4 + Math.floor(rand() * 4)));
    prices.push(Math.round(rand() * 50000) / 100);
  }
  return `export default ${JSON.stringify({ id: i, names, prices })};\n`;
}

function widget(i) {
  const rand = mulberry32(2000 + i);
  const labels = [];
  for (let k = 0; k < LABELS; k++) labels.push(phrase(rand, 3 + Math.floor(rand() * 3)));
  return `const labels = ${JSON.stringify(labels)};
export default function widget${i}(catalogue, n) {
  let total = 0;
  for (let k = 0; k < catalogue.prices.length; k++) {
    total += catalogue.prices[k] * ((k + n + ${i}) % 7 + 1);
  }
  const name = catalogue.names[(n * 31 + ${i}) % catalogue.names.length];
  return labels[(n + ${i}) % labels.length] + ': ' + name + ', ' + total.toFixed(2);
}
`;
}

function index(kind, count) {
  const names = Array.from({ length: count }, (_, i) => `${kind}${i}`);
  return names.map((n, i) => `import ${n} from 'virtual:paint/${kind}-${i}';\n`).join('')
    + `export const ${kind}s = [${names.join(', ')}];\n`;
}

export default function generatedModules() {
  const PREFIX = 'virtual:paint/';
  return {
    name: 'quartpush-paint-generated',
    resolveId(id) {
      return id.startsWith(PREFIX) ? '\0' + id : undefined;
    },
    load(id) {
      if (!id.startsWith('\0' + PREFIX)) return undefined;
      const name = id.slice(1 + PREFIX.length);
      if (name === 'catalogues') return index('catalogue', CATALOGUES);
      if (name === 'widgets') return index('widget', WIDGETS);
      let m = /^catalogue-(\d+)$/.exec(name);
      if (m) return catalogue(Number(m[1]));
      m = /^widget-(\d+)$/.exec(name);
      if (m) return widget(Number(m[1]));
      return undefined;
    },
  };
}
