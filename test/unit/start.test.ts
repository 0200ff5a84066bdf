import { describe, expect, it } from 'vitest';
import { startOptionsFromData } from '../../src/start';

describe('startOptionsFromData', () => {
  it('reads the script tag data-* attributes', () => {
    expect(
      startOptionsFromData({
        endpoint: 'https://c.example.com/v1/traces',
        serviceName: 'shop',
        serviceVersion: '1.0',
        environment: 'prod',
        propagateTo: 'https://api.example.com, https://b.example.com  https://c.example.com',
        sampleRate: '0.25',
        debug: '',
        disable: 'longTasks,xhr',
      }),
    ).toEqual({
      endpoint: 'https://c.example.com/v1/traces',
      serviceName: 'shop',
      serviceVersion: '1.0',
      environment: 'prod',
      propagateTo: ['https://api.example.com', 'https://b.example.com', 'https://c.example.com'],
      ignoreUrls: undefined,
      debug: true,
      sampleRate: 0.25,
      instrumentations: { xhr: false, longTasks: false },
    });
  });
  it('does not start without endpoint or service name, and ignores bad sample rates', () => {
    expect(startOptionsFromData({ debug: 'true' })).toBeUndefined();
    expect(startOptionsFromData({ serviceName: 's', sampleRate: '2' })?.sampleRate).toBeUndefined();
    expect(startOptionsFromData({ serviceName: 's', debug: 'false' })?.debug).toBe(false);
  });
});
