// Entry of index.html: the shared chunk statically, lazy.js only on demand.
import { greet } from './shared.js';
import './main.css';

greet('home');
document.getElementById('more').addEventListener('click', () => {
  import('./lazy.js').then((m) => m.more());
});
