// A React app traced by the SDK (bundled by test/e2e/instrument-frameworks.spec.ts; no JSX): React's
// own listeners on the root, a hidden file input its button clicks, and a menu button whose id is
// React's useId (a new one each mount, as UI kits do for their triggers).
import { createElement as h, useId, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

function Menu() {
  const id = useId();
  return h('button', { id: `menu-${id}`, className: 'menu-trigger', onClick: () => fetch('/api/data?from=menu') }, 'Menu');
}

function App() {
  const file = useRef(null);
  const [mount, setMount] = useState(0);
  return h(
    'div',
    null,
    h(Menu, { key: mount }),
    h('button', { id: 'remount', onClick: () => setMount((n) => n + 1) }, 'Remount'),
    h(
      'button',
      {
        id: 'upload',
        onClick: () => {
          file.current.click();
          fetch('/api/data?from=upload');
        },
      },
      'Upload',
    ),
    // The picker is not opened: headless Chromium would wait on it.
    h('input', { ref: file, type: 'file', hidden: true, onClick: (e) => e.preventDefault() }),
  );
}

createRoot(document.getElementById('root')).render(h(App));
