/** Rewrites `'eager'`-marked functions of minified script code as parenthesized expressions; `map` (JSON text) moves to match. */
export declare function eagerFunctions(code: string, map?: string): { code: string; map: string | undefined };
