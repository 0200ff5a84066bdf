import type { Carrier, PropagationContext, Propagator, RemoteContext } from './types';

/** Injects with every propagator (e.g. W3C and B3 for a mixed backend). */
export function injectWith(propagators: readonly Propagator[], context: PropagationContext, carrier: Carrier): void {
  for (let i = 0; i < propagators.length; i++) propagators[i].inject(context, carrier);
}

/** The first context any of the propagators extracts, in order. */
export function extractWith(propagators: readonly Propagator[], carrier: Carrier): RemoteContext | undefined {
  for (let i = 0; i < propagators.length; i++) {
    const context = propagators[i].extract(carrier);
    if (context) return context;
  }
  return undefined;
}
