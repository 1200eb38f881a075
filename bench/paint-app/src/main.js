// SPDX-License-Identifier: Apache-2.0
// The entry: the page's stylesheet, then the app, which needs the vendor
// chunk (vite.config.js generates both chunks' bulk, see there).
import './style.css';
import { renderCatalogue } from './app.js';

renderCatalogue(document.getElementById('app'));
