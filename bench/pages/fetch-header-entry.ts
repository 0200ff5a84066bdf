// The floor for any tracing SDK: no SDK, only a fixed `traceparent` header added to each call,
// as the page itself could do (the "header only" row of bench/fetch-overhead.mjs).
const H = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

export function install(): void {
  const orig = window.fetch;
  const f = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    headers.set('traceparent', H);
    return orig(input, { ...init, headers });
  };
  window.fetch = f;
}
