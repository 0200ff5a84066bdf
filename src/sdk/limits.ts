/** Per-span limits; what is cut is counted in the span's dropped counts, never silently lost. */
export interface SpanLimits {
  /** Attributes per span (and per event or link). Default 128. */
  attributeCountLimit: number;
  /** Characters kept of a string attribute value (each element of a string array). Default 4096. */
  attributeValueLengthLimit: number;
  /** Events per span. Default 128. */
  eventCountLimit: number;
  /** Links per span. Default 128. */
  linkCountLimit: number;
}

export const DEFAULT_LIMITS: SpanLimits = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: 4096,
  eventCountLimit: 128,
  linkCountLimit: 128,
};
