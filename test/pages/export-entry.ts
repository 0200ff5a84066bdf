// Test bundle entry for the export browser tests (built by test/e2e/export-support.ts).
export * from '../../src/sdk/index';
export * from '../../src/export/index';
