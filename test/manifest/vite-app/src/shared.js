// Reached from both entries: Rollup makes it a chunk of its own, with CSS.
import { tag } from './util.js';
import './shared.css';

export function greet(page) {
  document.title = tag(page);
}
