/**
 * `<div ${cssProps({ top: '4px' })}>`: sets inline styles through the CSSOM only. Lit's
 * `styleMap` writes a `style` attribute on first render, which a strict CSP (no
 * 'unsafe-inline' for style-src-attr) blocks; CSSOM property writes are always allowed.
 */
import { noChange } from 'lit';
import { Directive, PartType, directive, type ElementPart, type PartInfo } from 'lit/directive.js';

type Props = Readonly<Record<string, string>>;

class CssPropsDirective extends Directive {
  private prev: Props = {};

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ELEMENT) throw new Error('cssProps() must be used in element position');
  }

  render(_props: Props): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Props]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const k in this.prev) if (!(k in props)) style.removeProperty(k);
    for (const k in props) if (this.prev[k] !== props[k]) style.setProperty(k, props[k]);
    this.prev = props;
    return noChange;
  }
}

export const cssProps = directive(CssPropsDirective);
