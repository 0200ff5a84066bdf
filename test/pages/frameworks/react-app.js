// React host for <spanbeam-viewer> (bundled by test/e2e/viewer-frameworks.spec.ts; no JSX).
// The trace goes in as a property, events come back through React 19's custom-element props.
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import '/test/.build/viewer/viewer.js';

function App({ trace, tick }) {
  const [loads, setLoads] = useState(0);
  const [selected, setSelected] = useState('');
  return h(
    'div',
    { className: 'host' },
    h('p', { id: 'status' }, `tick ${tick} loads ${loads} selected ${selected}`),
    h('spanbeam-viewer', {
      data: trace,
      style: { display: 'block', height: '420px' },
      'onspanbeam-load': () => setLoads((n) => n + 1),
      'onspanbeam-select': (e) => setSelected(e.detail.name),
    }),
  );
}

window.mountApp = (el, trace) => {
  const root = createRoot(el);
  let tick = 0;
  const render = () => root.render(h(App, { trace, tick }));
  render();
  return {
    rerender() {
      tick++;
      render();
    },
  };
};
