// SPDX-License-Identifier: Apache-2.0
// How the browser fetched each file of the page, from Resource Timing:
// initiatorType "early-hints" is a file taken from the 103's preloads.
import './timing.css';

export function showTiming(el) {
  const nav = performance.getEntriesByType('navigation')[0];
  const ms = (t) => `${Math.round(t)} ms`;
  const lines = [];
  if (nav && nav.firstInterimResponseStart > 0) {
    lines.push(`103 Early Hints at ${ms(nav.firstInterimResponseStart)}, ` +
               `the page (200) at ${ms(nav.finalResponseHeadersStart)}, over ${nav.nextHopProtocol}`);
  } else if (nav) {
    lines.push(`no 103 Early Hints; the page arrived at ${ms(nav.responseStart)}, over ${nav.nextHopProtocol}`);
  }
  for (const e of performance.getEntriesByType('resource')) {
    lines.push(`initiatorType ${e.initiatorType.padEnd(12)} ${new URL(e.name).pathname}`);
  }
  el.textContent = lines.join('\n');
}
