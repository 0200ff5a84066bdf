/** localStorage's shape: items are own keys (what Object.keys lists), methods on the prototype. */
export class FakeStorage {
  [key: string]: unknown;
  getItem(k: string): string | null {
    return Object.hasOwn(this, k) ? (this[k] as string) : null;
  }
  setItem(k: string, v: string): void {
    this[k] = String(v);
  }
  removeItem(k: string): void {
    delete this[k];
  }
}
