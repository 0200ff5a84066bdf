// A React app with a small history router as React Router / Next.js make it (no JSX): links
// pushState, back/forward re-render on popstate, the scroll position is saved in history.state
// with state-only replaceState calls, and each route loads its data in an effect (after await).
import { createElement as h, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

let key = 0;
const saveScroll = () => history.replaceState({ ...history.state, scroll: scrollY }, '');

function Route({ path }) {
  const [data, setData] = useState('');
  useEffect(() => {
    let live = true;
    (async () => {
      await new Promise((r) => setTimeout(r, 10));
      const r = await fetch('/api/data?from=' + path.slice(3) + '-1');
      await r.json();
      const r2 = await fetch('/api/data?from=' + path.slice(3) + '-2');
      if (live) setData(await r2.text());
    })();
    return () => void (live = false);
  }, [path]);
  return h('p', { id: 'route' }, location.pathname + ' ' + data);
}

function App() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const pop = () => setPath(location.pathname);
    addEventListener('popstate', pop);
    return () => removeEventListener('popstate', pop);
  }, []);
  // After each render, as scroll restoration does.
  useEffect(() => saveScroll(), [path]);
  const link = (to) =>
    h('a', {
      id: to.slice(3),
      href: to,
      onClick: (e) => {
        e.preventDefault();
        saveScroll();
        history.pushState({ key: ++key }, '', to);
        saveScroll();
        setPath(to);
      },
    }, to);
  return h('div', null, link('/r/a'), ' ', link('/r/b'), ' ', link('/r/c'), h(Route, { path, key: path }));
}

createRoot(document.getElementById('root')).render(h(App));
