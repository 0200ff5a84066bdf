import { describe, expect, it } from 'vitest';
import { startOptionsFromData } from '../../src/start';
import { getSelfCounters, resetSelfCounters } from '../../src/sdk/diag';

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
    // A boolean attribute: present is on, unless written as off.
    expect(['', 'true', '1', 'false', '0', ' 0 '].map((debug) => startOptionsFromData({ serviceName: 's', debug })?.debug)).toEqual([true, true, true, false, false, false]);
  });
});

describe('startOptionsFromData: empty attributes are unset', () => {
  it('an empty data-sample-rate does not turn sampling to 0 (Number("") is 0)', () => {
    expect(startOptionsFromData({ serviceName: 's', sampleRate: '' })?.sampleRate).toBeUndefined();
    expect(startOptionsFromData({ serviceName: 's', sampleRate: '  ' })?.sampleRate).toBeUndefined();
    expect(startOptionsFromData({ serviceName: 's', sampleRate: ' 0 ' })?.sampleRate).toBe(0);
  });
  it('an empty data-service-name, -version or -environment gives no empty resource attribute', () => {
    const o = startOptionsFromData({ endpoint: 'https://c.example.com/v1/traces', serviceName: '', serviceVersion: '', environment: '' });
    expect(o?.serviceName).toBeUndefined();
    expect(o?.serviceVersion).toBeUndefined();
    expect(o?.environment).toBeUndefined();
  });
});

describe('startOptionsFromData: odd and invalid values', () => {
  it('spaces around values are not part of them', () => {
    const o = startOptionsFromData({ endpoint: ' https://c.example.com/v1/traces\n', serviceName: '  shop web ', sampleRate: ' 0.5 ' });
    expect(o).toMatchObject({ endpoint: 'https://c.example.com/v1/traces', serviceName: 'shop web', sampleRate: 0.5 });
  });
  it('instrumentation names in data-disable match in any case', () => {
    expect(startOptionsFromData({ serviceName: 's', disable: 'longtasks WebVitals' })?.instrumentations).toEqual({ longTasks: false, webVitals: false });
  });
  it('invalid values are left out with a warning; the rest still applies', () => {
    resetSelfCounters();
    const o = startOptionsFromData({
      serviceName: 's',
      sampleRate: '25%',
      disable: 'xhr nope',
      propagateTo: 'api.example.com https://*.example.com https://api.example.com/',
    });
    expect(o?.sampleRate).toBeUndefined();
    expect(o?.instrumentations).toEqual({ xhr: false });
    expect(o?.propagateTo).toEqual(['https://api.example.com/']);
    expect(getSelfCounters()).toMatchObject({ 'script.bad_sample-rate': 1, 'script.bad_disable': 1, 'script.bad_propagate-to': 2 });
  });
});
