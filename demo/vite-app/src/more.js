// SPDX-License-Identifier: Apache-2.0
// Loaded on a click only (a dynamic import): never announced by the 103.
import './more.css';

export function more(button) {
  button.textContent = 'Loaded on demand';
}
