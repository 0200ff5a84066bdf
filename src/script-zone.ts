/** The script-tag bundle with zone.js included: context follows async work with no other script. */
import 'zone.js';
export * from './script';
