/**
 * `spanbeam/viewer`: defines <spanbeam-viewer> (once) and exports its class and types.
 * The import Worker ships as `viewer-worker.js` next to this module (or set `worker-url`); the
 * main-thread importer (fallback when no Worker can start, and live spans) is a chunk next to it
 * that loads on first use. Large inputs show an early preview (`partial`) while they load.
 *
 *   <spanbeam-viewer src="/traces/trace.json" theme="dark"></spanbeam-viewer>
 *   viewer.load(fileOrBlobOrStreamOrTextOrObject)   // → Promise<TraceModel>
 *   viewer.data = otlpRequestObject                 // same, errors only as events
 *   viewer.source = liveSource                      // { subscribe(onSpans) → unsubscribe }
 *   viewer.exportTrace()                            // → Promise<Blob>: Chrome Trace Event JSON of the trace shown
 *   viewer.addEventListener('spanbeam-load' | 'spanbeam-progress' | 'spanbeam-select' | 'spanbeam-error', …)
 *
 * Theming: --sb-bg, --sb-panel, --sb-text, --sb-text-muted, --sb-grid, --sb-group-header,
 * --sb-selection, --sb-hover, --sb-match, --sb-error, --sb-flow, --sb-measure, --sb-instant,
 * --sb-critical, --sb-border, --sb-font. Dark follows prefers-color-scheme unless theme="light";
 * the colours not set follow --sb-bg (a dark one gives the dark theme's, a light one the light's).
 */
import { SpanbeamViewer, type SpanbeamViewerEventMap } from './ui/viewer-element';

export { SpanbeamViewer };
export type {
  SpanbeamViewerEventMap,
  LiveSpanSource,
  ViewerLoadDetail,
  ViewerSelectDetail,
  ViewerErrorDetail,
  ViewerStats,
  ViewerView,
} from './ui/viewer-element';
export type { TraceInput } from './import/client';
export type { FlowMode } from './render/renderer';
export type {
  TraceModel,
  SourceFormat,
  Diagnostic,
  DiagnosticKind,
  ImportProgress,
  ImportErrorInfo,
  SliceDetails,
} from './model/trace-model';

if (typeof customElements !== 'undefined' && !customElements.get('spanbeam-viewer')) {
  customElements.define('spanbeam-viewer', SpanbeamViewer);
}

declare global {
  interface HTMLElementTagNameMap {
    'spanbeam-viewer': SpanbeamViewer;
  }
  // Its events bubble out of it, composed: typed on any element (and \`document\`) listening.
  interface HTMLElementEventMap extends SpanbeamViewerEventMap {}
  interface DocumentEventMap extends SpanbeamViewerEventMap {}
}
