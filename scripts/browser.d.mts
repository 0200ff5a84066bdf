import type { LaunchOptions } from '@playwright/test';
export const CHROMIUM_ARGS: string[];
export function findChromium(): string | null | undefined;
export function launchOptions(extra?: LaunchOptions): LaunchOptions;
