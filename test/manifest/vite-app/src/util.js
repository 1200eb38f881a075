// Imported by shared.js and by the dynamic lazy.js; vite.config.js puts it
// in a chunk of its own, which the shared chunk imports (the nested import).
export function tag(s) {
  return '[' + s + ']';
}
