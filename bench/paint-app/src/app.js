// SPDX-License-Identifier: Apache-2.0
// The app: draws a catalogue from the generated widgets and catalogues, so
// that all of the JavaScript is parsed, compiled and run, as an app's is.
import { widgets } from 'virtual:paint/widgets';
import { catalogues } from 'virtual:paint/catalogues';

export function renderCatalogue(el) {
  const list = document.createElement('ul');
  widgets.forEach((widget, i) => {
    const item = document.createElement('li');
    item.textContent = widget(catalogues[i % catalogues.length], i);
    list.appendChild(item);
  });
  el.replaceChildren(list);
}
