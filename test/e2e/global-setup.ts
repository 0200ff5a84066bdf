// Before any worker starts: dist/ built once when stale, never while tests use it.
import { ensureFreshDist } from './package-support';

export default function globalSetup(): void {
  ensureFreshDist();
}
