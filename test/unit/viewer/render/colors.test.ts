import { describe, expect, it } from 'vitest';
import { flatten, packRgb, parseRgb } from '../../../../src/viewer/render/colors';

describe('parseRgb', () => {
  it('reads the forms browsers serialise colours in (computed styles, canvas fillStyle)', () => {
    expect(parseRgb('rgb(31, 35, 40)')).toBe(packRgb(31, 35, 40));
    expect(parseRgb('rgba(5, 0, 73, 0.8)')).toBe(packRgb(5, 0, 73, 204));
    // Relative colours and color-mix() come back as color(srgb …), 0..1 channels.
    expect(parseRgb('color(srgb 0.121569 0.137255 0.156863)')).toBe(packRgb(31, 35, 40));
    expect(parseRgb('color(srgb 1 0 0 / 0.5)')).toBe(packRgb(255, 0, 0, 128));
    expect(parseRgb('color(display-p3 1 0 0)')).toBeUndefined();
    expect(parseRgb('')).toBeUndefined();
  });

  it('flatten composites a translucent colour over an opaque one', () => {
    expect(flatten(packRgb(0, 230, 255, 204), packRgb(0, 0, 0))).toBe(packRgb(0, 184, 204));
    expect(flatten(packRgb(10, 20, 30), packRgb(0, 0, 0))).toBe(packRgb(10, 20, 30));
  });
});
