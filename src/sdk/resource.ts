import type { Attributes, Resource } from './types';
import { VERSION } from './version';

export interface ResourceOptions {
  serviceName?: string;
  serviceVersion?: string;
  /** `deployment.environment.name`, e.g. "production". */
  environment?: string;
  /** Extra resource attributes; they win over the detected ones. */
  attributes?: Attributes;
}

interface UADataLike {
  brands?: Array<{ brand: string; version: string }>;
  platform?: string;
  mobile?: boolean;
}

/** Builds the resource every span of this page carries. */
export function buildResource(options: ResourceOptions, sessionId: string | undefined): Resource {
  const attributes: Attributes = {
    // The conventions' fallback when there is no process.executable.name (none in a browser).
    'service.name': options.serviceName ?? 'unknown_service',
    'telemetry.sdk.name': 'spanbeam',
    'telemetry.sdk.language': 'webjs',
    'telemetry.sdk.version': VERSION,
  };
  if (options.serviceVersion) attributes['service.version'] = options.serviceVersion;
  if (options.environment) attributes['deployment.environment.name'] = options.environment;
  // Browser attributes per the OpenTelemetry browser semantic conventions.
  if (typeof navigator !== 'undefined') {
    const nav = navigator as Navigator & { userAgentData?: UADataLike };
    const ua = nav.userAgentData;
    if (ua) {
      if (Array.isArray(ua.brands)) attributes['browser.brands'] = ua.brands.map((b) => `${b.brand} ${b.version}`);
      if (typeof ua.platform === 'string') attributes['browser.platform'] = ua.platform;
      if (typeof ua.mobile === 'boolean') attributes['browser.mobile'] = ua.mobile;
    }
    if (typeof nav.language === 'string') attributes['browser.language'] = nav.language;
    if (typeof nav.userAgent === 'string') attributes['user_agent.original'] = nav.userAgent;
  }
  if (sessionId) attributes['session.id'] = sessionId;
  Object.assign(attributes, options.attributes);
  return { attributes };
}
