// Shows spans as they end. Text goes in with textContent only: trace data never becomes markup.
const { getTracer, getTracerProvider, onSpanEnd, configureTracing, SpanKind } = window.Spanbeam;
configureTracing({ serviceName: 'playground' });
const tbody = document.getElementById('spans');
getTracerProvider().addSpanProcessor(
  onSpanEnd((span) => {
    const row = document.createElement('tr');
    const ctx = span.spanContext();
    for (const text of [span.name, ctx.traceId, ctx.spanId, span.parentSpanId ?? '—', `${(span.endMs - span.startMs).toFixed(2)} ms`]) {
      const td = document.createElement('td');
      td.textContent = text;
      row.append(td);
    }
    tbody.prepend(row);
  }),
);

const tracer = getTracer('playground');
document.getElementById('work').addEventListener('click', () => {
  tracer.startActiveSpan('click #work', (click) => {
    setTimeout(async () => {
      const parent = window.Spanbeam.getActiveSpan();
      const span = tracer.startSpan('GET /api/echo', { kind: SpanKind.CLIENT, parent });
      const ctx = span.spanContext();
      const flags = ctx.traceFlags.toString(16).padStart(2, '0');
      const res = await fetch('/api/echo', { headers: { traceparent: `00-${ctx.traceId}-${ctx.spanId}-${flags}` } });
      span.setAttribute('http.response.status_code', res.status);
      await res.json();
      span.end();
      click.end();
    }, 20);
  });
});
