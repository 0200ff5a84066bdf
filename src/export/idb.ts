// idb through a module of its own, which the build puts in its own chunk (scripts/build.mjs).
export { openDB } from 'idb';
