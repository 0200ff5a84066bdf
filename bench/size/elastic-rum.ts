// Elastic APM RUM configured as its README shows (`init({ serviceName, serverUrl })`): its default
// instrumentations are page load, history, event targets and clicks, fetch, XHR and errors.
import { init } from '@elastic/apm-rum';

export function start(serverUrl: string): void {
  init({ serviceName: 'bench', serverUrl });
}
