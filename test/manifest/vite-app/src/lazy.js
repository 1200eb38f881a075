// Only ever loaded by import(): its chunk and CSS must never be announced.
import { tag } from './util.js';
import './lazy.css';

export function more() {
  document.body.append(tag('more'));
}
