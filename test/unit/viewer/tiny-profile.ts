// A V8 .cpuprofile of four frames and five samples, shared by the export tests.
export const TINY_CPUPROFILE: Uint8Array = new TextEncoder().encode(
  JSON.stringify({
    nodes: [
      { id: 1, callFrame: { functionName: '(root)' }, children: [2] },
      { id: 2, callFrame: { functionName: 'main', url: 'a.js' }, children: [3, 4] },
      { id: 3, callFrame: { functionName: 'parse', url: 'a.js' } },
      { id: 4, callFrame: { functionName: 'render', url: 'a.js' } },
    ],
    startTime: 1000,
    endTime: 1500,
    samples: [3, 3, 4, 2, 3],
    timeDeltas: [0, 100, 100, 100, 100],
  }),
);
