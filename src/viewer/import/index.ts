export { importTrace, type ImportOptions, type TraceInput } from './client';
export { importChromeJson, ChromeJsonImporter } from './chrome-json';
export { importSpanJson, importReadableSpans, SpanJsonImporter } from './otlp-json';
export { detectFormat, type Detected } from './detect';
export { runPipeline, type PipelineSource, type PipelineOptions } from './pipeline';
export { CpuProfileImporter } from './cpuprofile';
export { SpeedscopeImporter } from './speedscope';
export { CollapsedImporter } from './collapsed';
