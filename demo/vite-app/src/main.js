// SPDX-License-Identifier: Apache-2.0
// The entry: its stylesheet, the timing chunk, and a chunk loaded on demand.
import './main.css';
import { showTiming } from './timing.js';

showTiming(document.getElementById('timing'));
window.addEventListener('load', () => showTiming(document.getElementById('timing')));

document.getElementById('more').addEventListener('click', async () => {
  const { more } = await import('./more.js');
  more(document.getElementById('more'));
});
