export declare function scriptTagBuild(
  entry: string,
  fileName?: string,
): {
  lib: { entry: string; formats: ['iife']; name: string; fileName: () => string };
  rolldownOptions: {
    plugins: Array<{ name: string; renderChunk: (code: string) => { code: string; map: null } }>;
    output: { intro: string };
  };
};
