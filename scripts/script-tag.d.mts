export declare function scriptTagBuild(
  entry: string,
  fileName?: string,
): {
  lib: { entry: string; formats: ['iife']; name: string; fileName: () => string };
  rolldownOptions: { output: { intro: string } };
};
