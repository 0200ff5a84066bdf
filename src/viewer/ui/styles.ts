/** Shadow-DOM styles of <spanbeam-viewer>; themable through --sb-* custom properties. */
import { css } from 'lit';

const LIGHT = css`
  --sb-bg: #ffffff;
  --sb-panel: #f3f4f6;
  --sb-text: #1f2328;
  --sb-text-muted: #59636e;
  --sb-grid: rgba(0, 0, 0, 0.08);
  --sb-group-header: #e6e8eb;
  --sb-selection: #0969da;
  --sb-hover: #1f2328;
  --sb-match: #ffd33d;
  --sb-error: #c41e2a;
  --sb-flow: #6e40c9;
  --sb-measure: rgba(9, 105, 218, 0.12);
  --sb-instant: #bf3989;
  --sb-critical: #bc4c00;
  --sb-border: #d1d9e0;
`;

// The dark palette, used by theme="dark" and by the system's dark mode unless theme="light".
const DARK = css`
  --sb-bg: #0d1117;
  --sb-panel: #161b22;
  --sb-text: #e6edf3;
  --sb-text-muted: #9198a1;
  --sb-grid: rgba(255, 255, 255, 0.09);
  --sb-group-header: #21262d;
  --sb-selection: #4493f8;
  --sb-hover: #e6edf3;
  --sb-match: #e3b341;
  --sb-error: #ff7b72;
  --sb-flow: #ab7df8;
  --sb-measure: rgba(68, 147, 248, 0.18);
  --sb-instant: #db61a2;
  --sb-critical: #f0883e;
  --sb-border: #3d444d;
`;

export const viewerStyles = css`
  :host {
    ${LIGHT}
    --sb-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    display: block;
    position: relative;
    height: 100%;
    min-height: 320px;
    box-sizing: border-box;
    color: var(--sb-text);
    background: var(--sb-bg);
    font: 12px var(--sb-font);
    contain: content;
  }
  :host([theme='dark']) {
    ${DARK}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${DARK}
    }
  }
  /* Set by the element when --sb-bg is of the other kind than the theme (e.g. only --sb-bg: #000
     on the light theme): the colours not set on the element follow the background. */
  :host([scheme='dark']) {
    ${DARK}
  }
  :host([scheme='light']) {
    ${LIGHT}
  }
  * {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  .root {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: inherit;
  }
  /* Its width, not the window's, decides the narrow layout below (the viewer may be a page's
     sidebar). Not the root's: size containment gives the container no width of its own, and where
     the page sizes the viewer by its content (a flex row item, inline-block) it was 0 px wide; the
     toolbar, outside it, sets that width as before. */
  .body {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
    container-type: inline-size;
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 4px 6px;
    border-bottom: 1px solid var(--sb-border);
    background: var(--sb-panel);
    flex-wrap: wrap;
  }
  .spacer {
    flex: 1;
  }
  button,
  select,
  input {
    font: inherit;
    color: inherit;
  }
  button,
  select {
    background: var(--sb-bg);
    border: 1px solid var(--sb-border);
    border-radius: 4px;
    padding: 2px 8px;
    cursor: pointer;
  }
  /* The browser's grey placeholder is 4.1:1 on the dark background; the muted text colour is 6:1+ on both. */
  input::placeholder {
    color: var(--sb-text-muted);
    opacity: 1;
  }
  /* The canvas covers the timeline's own outline, so the timeline's ring is drawn on the canvas. */
  button:focus-visible,
  select:focus-visible,
  input:focus-visible,
  .timeline:focus-visible > canvas,
  .flame:focus-visible > canvas,
  .wf-row:focus-visible {
    outline: 2px solid var(--sb-selection);
    outline-offset: -2px;
  }
  button[aria-selected='true'] {
    background: var(--sb-selection);
    border-color: var(--sb-selection);
    /* White on the dark theme's lighter blue is 3.1:1; the background colour is 4.5:1+ on both. */
    color: var(--sb-bg);
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    color: var(--sb-selection);
    text-decoration: underline;
    text-align: left;
    cursor: pointer;
    overflow-wrap: anywhere;
  }
  button.small {
    padding: 0 6px;
    font-size: 11px;
  }
  input[type='search'] {
    background: var(--sb-bg);
    border: 1px solid var(--sb-border);
    border-radius: 4px;
    padding: 2px 6px;
    width: 14em;
  }
  .count {
    color: var(--sb-text-muted);
    min-width: 4em;
  }
  .progress {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 8px;
    border-bottom: 1px solid var(--sb-border);
  }
  .progress progress {
    flex: 1;
    height: 8px;
  }
  .load-error {
    margin: 6px;
    padding: 8px 10px;
    border: 1px solid var(--sb-error);
    border-radius: 4px;
    color: var(--sb-error);
    background: var(--sb-bg);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .load-error .dismiss {
    float: right;
  }
  .main {
    flex: 1;
    min-height: 0;
    display: flex;
    position: relative;
  }
  .timeline,
  .flame {
    flex: 1;
    min-width: 0;
    position: relative;
    overflow: hidden;
    touch-action: none;
    cursor: default;
    outline: none;
  }
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    display: block;
  }
  .labels,
  .labels-pinned,
  .labels-scroll {
    position: absolute;
    left: 0;
    pointer-events: none;
  }
  .labels {
    top: 0;
    bottom: 0;
  }
  .labels-pinned,
  .labels-scroll {
    right: 0;
    overflow: hidden;
  }
  .labels-scroll {
    bottom: 0;
  }
  .track-label {
    position: absolute;
    top: 0;
    left: 0;
    width: 100%;
    pointer-events: none;
  }
  .track-label:focus-visible {
    outline: 2px solid var(--sb-selection);
    outline-offset: -2px;
  }
  .status .partial {
    font-style: italic;
  }
  .empty {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    flex-direction: column;
    gap: 8px;
    color: var(--sb-text-muted);
    pointer-events: none;
  }
  .empty button {
    pointer-events: auto;
  }
  .sandwich-bar {
    position: absolute;
    left: 8px;
    bottom: 4px;
    font-size: 12px;
    background: var(--sb-bg);
    padding: 2px 6px;
  }
  .flame-note {
    position: absolute;
    right: 8px;
    bottom: 4px;
    pointer-events: none;
    font-size: 12px;
  }
  :host([dragging]) .timeline {
    outline: 3px dashed var(--sb-selection);
    outline-offset: -6px;
  }
  .tooltip {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    background: var(--sb-panel);
    color: var(--sb-text);
    border: 1px solid var(--sb-border);
    border-radius: 4px;
    padding: 4px 6px;
    max-width: 360px;
    box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2);
    z-index: 2;
    overflow-wrap: anywhere;
  }
  .tooltip .tname {
    font-weight: 600;
  }
  /* A name of kilobytes made the tooltip thousands of px tall, its duration lines off screen: a
     few lines each (the details show all of it). */
  .tooltip > div {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 3;
    overflow: hidden;
  }
  .side {
    width: min(340px, 40%);
    border-left: 1px solid var(--sb-border);
    overflow: auto;
    background: var(--sb-bg);
    padding: 6px 10px;
  }
  .details header {
    display: flex;
    align-items: flex-start;
    gap: 6px;
  }
  /* A name of kilobytes filled the panel, the duration and args far below it: a few lines,
     scrolling inside (all of it still there to read, select and copy), as Perfetto's details do. */
  .details h2 {
    font-size: 14px;
    margin: 2px 0 6px;
    flex: 1;
    min-width: 0;
    max-height: 4.5em;
    overflow-y: auto;
    overflow-wrap: anywhere;
  }
  h3 {
    font-size: 12px;
    margin: 10px 0 4px;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 2px 10px;
    margin: 0;
  }
  dt {
    color: var(--sb-text-muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  table.args {
    border-collapse: collapse;
    width: 100%;
  }
  table.args th,
  table.args td {
    text-align: left;
    vertical-align: top;
    padding: 1px 4px;
    border-top: 1px solid var(--sb-grid);
    overflow-wrap: anywhere;
  }
  table.args th {
    color: var(--sb-text-muted);
    font-weight: normal;
    width: 35%;
  }
  ul,
  ol {
    margin: 0;
    padding-left: 18px;
  }
  li {
    margin: 2px 0;
    overflow-wrap: anywhere;
  }
  .muted {
    color: var(--sb-text-muted);
  }
  .mono {
    font-family: ui-monospace, monospace;
  }
  .num {
    font-variant-numeric: tabular-nums;
    margin: 0 4px;
  }
  .panel {
    flex: 1;
    min-width: 0;
    overflow: auto;
    padding: 6px 10px;
  }
  table.by-name {
    border-collapse: collapse;
  }
  table.by-name th,
  table.by-name td {
    padding: 1px 6px;
    border-top: 1px solid var(--sb-grid);
    text-align: left;
    font-weight: normal;
  }
  table.by-name button.sandwich::before {
    content: '⇅' / '';
  }
  table.by-name .num {
    text-align: right;
    white-space: nowrap;
  }
  table.by-name th[aria-sort='descending'] button {
    font-weight: bold;
  }
  table.by-name th[aria-sort='descending'] button::after {
    content: ' ↓' / '';
  }
  .insights .cols {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
    gap: 8px 16px;
  }
  .waterfall {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
  }
  .wf-head {
    display: flex;
    justify-content: space-between;
    padding: 4px 8px;
    border-bottom: 1px solid var(--sb-border);
    color: var(--sb-text-muted);
  }
  .cp-mark {
    display: inline-block;
    width: 10px;
    height: 10px;
    border-radius: 2px;
    background: var(--sb-critical);
    vertical-align: middle;
  }
  .wf-body {
    flex: 1;
    overflow: auto;
    position: relative;
  }
  .wf-spacer {
    position: relative;
  }
  .wf-row {
    position: absolute;
    left: 0;
    right: 0;
    height: 22px;
    display: flex;
    align-items: center;
    cursor: pointer;
    border-bottom: 1px solid var(--sb-grid);
  }
  .wf-row.selected {
    background: var(--sb-measure);
  }
  .wf-label {
    width: 40%;
    min-width: 160px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    display: flex;
    align-items: center;
    gap: 4px;
  }
  /* At most half the label: a long service name pushed the span's own name out of it. */
  .wf-label .svc {
    color: var(--sb-text-muted);
    flex: none;
    max-width: 50%;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  /* The label is a flex box, where text-overflow does nothing: the name itself ends in "…". */
  .wf-label .nm {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .wf-row.error .nm {
    color: var(--sb-error);
    font-weight: 600;
  }
  .twisty {
    flex: none;
    width: 16px;
    border: none;
    background: none;
    padding: 0;
    display: inline-block;
    text-align: center;
  }
  .wf-track {
    flex: 1;
    position: relative;
    height: 100%;
  }
  .wf-bar {
    position: absolute;
    top: 5px;
    height: 11px;
    min-width: 1px;
    background: var(--sb-selection);
    border-radius: 2px;
  }
  .wf-row.error .wf-bar {
    background: var(--sb-error);
  }
  .wf-row.critical .wf-bar {
    box-shadow: 0 0 0 2px var(--sb-critical);
  }
  .wf-dur {
    position: absolute;
    top: 3px;
    padding: 0 4px;
    color: var(--sb-text-muted);
    font-size: 11px;
  }
  .wf-dur.inside {
    color: var(--sb-bg);
  }
  .status {
    display: flex;
    gap: 10px;
    align-items: baseline;
    padding: 2px 8px;
    border-top: 1px solid var(--sb-border);
    background: var(--sb-panel);
    color: var(--sb-text-muted);
    min-height: 20px;
    flex-wrap: wrap;
  }
  .status details {
    max-height: 30vh;
    overflow: auto;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .help {
    position: absolute;
    inset: 10% 10%;
    z-index: 5;
    background: var(--sb-bg);
    border: 1px solid var(--sb-border);
    border-radius: 6px;
    box-shadow: 0 4px 24px rgba(0, 0, 0, 0.3);
    padding: 10px 16px;
    overflow: auto;
  }
  .help table td:first-child {
    font-family: ui-monospace, monospace;
    padding-right: 16px;
    white-space: nowrap;
  }
  /* Narrow (a phone, 400% zoom): the details go under the view. Beside it they were 40% of 320 px,
     and their values broke one letter per line. */
  @container (max-width: 560px) {
    .main {
      flex-direction: column;
    }
    .waterfall {
      min-height: 0;
    }
    .side {
      flex: none;
      width: auto;
      max-height: 50%;
      border-left: none;
      border-top: 1px solid var(--sb-border);
    }
  }
  /* Forced colours (Windows high contrast) drop backgrounds and shadows: the selected tab and row,
     the waterfall's bars and its critical-path rings vanished. System colours are kept; the
     selection opts out of forcing (its text got a backplate the colour of the highlight). */
  @media (forced-colors: active) {
    button[aria-selected='true'],
    .wf-row.selected {
      forced-color-adjust: none;
      background: Highlight;
      border-color: Highlight;
    }
    /* Unforced there, the blue focus ring was 2:1 on the highlight. */
    button[aria-selected='true']:focus-visible,
    .wf-row.selected:focus-visible {
      outline-color: HighlightText;
    }
    button[aria-selected='true'],
    .wf-row.selected,
    .wf-row.selected .svc,
    .wf-row.selected .nm,
    .wf-row.selected .wf-dur,
    .wf-row.selected .twisty {
      color: HighlightText;
    }
    .wf-bar,
    .wf-row.error .wf-bar,
    .cp-mark {
      background: CanvasText;
    }
    /* On its bar: no backplate (one the colour of the text hid it). */
    .wf-dur.inside {
      forced-color-adjust: none;
      color: Canvas;
    }
    .wf-row.critical .wf-bar,
    .cp-mark {
      outline: 2px solid CanvasText;
      outline-offset: 1px;
    }
    .wf-row.selected .wf-bar {
      background: HighlightText;
      outline-color: HighlightText;
    }
    .wf-row.selected .wf-dur.inside {
      color: Highlight;
    }
  }
`;
