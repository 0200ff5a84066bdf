// Vue host for <spanbeam-viewer> (bundled by test/e2e/viewer-frameworks.spec.ts; render
// functions, no templates). The trace goes in as a DOM property, events through on* listeners.
import { createApp, defineComponent, h, ref } from 'vue';
import '/test/.build/viewer/viewer.js';

const App = defineComponent({
  props: { trace: { type: Object, required: true }, tick: { type: Number, required: true } },
  setup(props) {
    const loads = ref(0);
    const selected = ref('');
    return () =>
      h('div', { class: 'host' }, [
        h('p', { id: 'status' }, `tick ${props.tick} loads ${loads.value} selected ${selected.value}`),
        h('spanbeam-viewer', {
          data: props.trace,
          style: 'display: block; height: 420px',
          'onSpanbeam-load': () => loads.value++,
          'onSpanbeam-select': (e) => (selected.value = e.detail.name),
        }),
      ]);
  },
});

window.mountApp = (el, trace) => {
  const tick = ref(0);
  createApp({ render: () => h(App, { trace, tick: tick.value }) }).mount(el);
  return {
    rerender() {
      tick.value++;
    },
  };
};
