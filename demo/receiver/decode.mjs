// What an OTLP/HTTP traces request must look like to be accepted, following the Collector:
// JSON or protobuf (else 415); gzip, deflate/zlib (and zstd where Node has it) content encodings
// (anything else, identity and br included, 400); ids that are not hex of the right length 400.
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { HttpError } from '../lib/http.mjs';
import { decodeProtobufRequest } from './proto.mjs';

export const JSON_TYPE = 'application/json';
export const PROTOBUF_TYPE = 'application/x-protobuf';
// The Collector's max_request_body_size (20 MiB by default) bounds the decompressed body too.
const MAX_DECODED_BYTES = 20 * 1024 * 1024;

/** The media type without parameters, lowercased. @param {string | undefined} header */
export function mediaType(header) {
  return String(header ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Undoes Content-Encoding. @param {Buffer} body @param {string | undefined} encoding
 * @returns {Buffer}
 */
export function decodeContentEncoding(body, encoding) {
  const enc = String(encoding ?? '').trim().toLowerCase();
  const opts = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    if (enc === '') return body;
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body, opts);
    if (enc === 'deflate' || enc === 'zlib') {
      // HTTP's "deflate" is zlib-wrapped; some clients send raw deflate anyway.
      try {
        return inflateSync(body, opts);
      } catch {
        return inflateRawSync(body, opts);
      }
    }
    const zstd = /** @type {any} */ (zlib).zstdDecompressSync;
    if (enc === 'zstd' && typeof zstd === 'function') return zstd(body, opts);
  } catch (err) {
    throw new HttpError(400, `cannot decode ${enc} body: ${/** @type {Error} */ (err).message}`);
  }
  throw new HttpError(400, `unsupported Content-Encoding: ${enc}`);
}

const HEX32 = /^[0-9a-f]{32}$/i;
const HEX16 = /^[0-9a-f]{16}$/i;

/** @param {unknown} v */
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A list of `{ key, value }` (KeyValue), as the Collector's JSON decoder requires. @param {unknown} list @param {string} where */
function checkAttributes(list, where) {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list) || !list.every((kv) => isObject(kv) && typeof kv.key === 'string' && (kv.value === undefined || kv.value === null || isObject(kv.value)))) {
    throw new HttpError(400, `${where}.attributes is not a list of { key, value }`);
  }
}

/**
 * Checks the parts of a request the store and the viewer rely on, and lowercases ids.
 * @param {any} req @returns {{ resourceSpans: any[] }}
 */
export function validateRequest(req) {
  if (!req || typeof req !== 'object' || Array.isArray(req)) throw new HttpError(400, 'body is not an ExportTraceServiceRequest object');
  const rss = req.resourceSpans ?? [];
  if (!Array.isArray(rss)) throw new HttpError(400, 'resourceSpans is not an array');
  for (const rs of rss) {
    if (!isObject(rs)) throw new HttpError(400, 'resourceSpans entry is not an object');
    if (rs.resource != null && !isObject(rs.resource)) throw new HttpError(400, 'resource is not an object');
    checkAttributes(rs.resource?.attributes, 'resource');
    if (!Array.isArray(rs.scopeSpans ?? [])) throw new HttpError(400, 'scopeSpans is not an array');
    for (const ss of rs.scopeSpans ?? []) {
      if (!isObject(ss)) throw new HttpError(400, 'scopeSpans entry is not an object');
      if (ss.scope != null && !isObject(ss.scope)) throw new HttpError(400, 'scope is not an object');
      if (!Array.isArray(ss.spans ?? [])) throw new HttpError(400, 'spans is not an array');
      for (const s of ss.spans ?? []) {
        if (!isObject(s)) throw new HttpError(400, 'span is not an object');
        checkAttributes(s.attributes, 'span');
        if (typeof s.traceId !== 'string' || !HEX32.test(s.traceId)) throw new HttpError(400, `invalid traceId ${JSON.stringify(s.traceId)}: 32 hex characters expected`);
        if (typeof s.spanId !== 'string' || !HEX16.test(s.spanId)) throw new HttpError(400, `invalid spanId ${JSON.stringify(s.spanId)}: 16 hex characters expected`);
        if (s.parentSpanId !== undefined && s.parentSpanId !== '' && (typeof s.parentSpanId !== 'string' || !HEX16.test(s.parentSpanId))) {
          throw new HttpError(400, `invalid parentSpanId ${JSON.stringify(s.parentSpanId)}`);
        }
        s.traceId = s.traceId.toLowerCase();
        s.spanId = s.spanId.toLowerCase();
        if (s.parentSpanId) s.parentSpanId = s.parentSpanId.toLowerCase();
        else delete s.parentSpanId;
      }
    }
  }
  return { ...req, resourceSpans: rss };
}

/**
 * Turns an HTTP body into an OTLP JSON request object.
 * @param {{ contentType: string | undefined, contentEncoding: string | undefined, body: Buffer }} input
 * @returns {{ format: 'json' | 'protobuf', request: { resourceSpans: any[] } }}
 */
export function decodeTraceRequest({ contentType, contentEncoding, body }) {
  const type = mediaType(contentType);
  if (type !== JSON_TYPE && type !== PROTOBUF_TYPE) {
    throw new HttpError(415, `415 unsupported media type, supported: [${JSON_TYPE}, ${PROTOBUF_TYPE}]`);
  }
  const raw = decodeContentEncoding(body, contentEncoding);
  if (type === JSON_TYPE) {
    let parsed;
    try {
      parsed = JSON.parse(raw.toString('utf8') || '{}');
    } catch (err) {
      throw new HttpError(400, `invalid JSON: ${/** @type {Error} */ (err).message}`);
    }
    return { format: 'json', request: validateRequest(parsed) };
  }
  let decoded;
  try {
    decoded = decodeProtobufRequest(raw);
  } catch (err) {
    throw new HttpError(400, `invalid protobuf: ${/** @type {Error} */ (err).message}`);
  }
  return { format: 'protobuf', request: validateRequest(decoded) };
}
