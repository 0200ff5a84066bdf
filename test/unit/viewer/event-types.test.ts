// The element's events are typed for addEventListener (checked by `npm run typecheck`, which
// covers the tests): embedders read e.detail without casts.
import { describe, expectTypeOf, it } from 'vitest';
import type { ImportProgress, ViewerErrorDetail, ViewerLoadDetail, ViewerSelectDetail } from '../../../src/viewer/index';

describe('viewer event types', () => {
  it('spanbeam-* events carry their detail types on elements and the document', () => {
    const listen = (el: HTMLElement, doc: Document): void => {
      el.addEventListener('spanbeam-load', (e) => expectTypeOf(e.detail).toEqualTypeOf<ViewerLoadDetail>());
      el.addEventListener('spanbeam-progress', (e) => expectTypeOf(e.detail).toEqualTypeOf<ImportProgress>());
      el.addEventListener('spanbeam-select', (e) => expectTypeOf(e.detail).toEqualTypeOf<ViewerSelectDetail>());
      doc.addEventListener('spanbeam-error', (e) => expectTypeOf(e.detail).toEqualTypeOf<ViewerErrorDetail>());
      document.createElement('spanbeam-viewer').addEventListener('spanbeam-select', (e) => expectTypeOf(e.detail.slice).toBeNumber());
    };
    expectTypeOf(listen).toBeFunction();
  });
});
