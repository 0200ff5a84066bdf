// Small node:http helpers shared by the demo's servers: bodies, JSON answers, exact-origin CORS,
// and a service lifecycle that stops cleanly on signals and when the parent process goes away.

/** @typedef {import('node:http').IncomingMessage} Req */
/** @typedef {import('node:http').ServerResponse} Res */

export class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * The raw request body, refused beyond `limitBytes` (as the Collector does, with 400).
 * @param {Req} req @param {number} [limitBytes]
 * @returns {Promise<Buffer>}
 */
export function readBody(req, limitBytes = 20 * 1024 * 1024) {
  return new Promise((ok, fail) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ c) => {
      if (size > limitBytes) return; // already refused: the rest is read and dropped
      size += c.length;
      if (size > limitBytes) {
        // Refuse, but keep reading: destroying the request would reset the connection before
        // the client could read the 400.
        chunks.length = 0;
        fail(new HttpError(400, `request body larger than ${limitBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/**
 * Resolves after at least `ms` by performance.now(), which span times use: a Node timer counts
 * whole milliseconds of the event loop's clock, so by performance.now() it can fire up to 1 ms early.
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function sleep(ms) {
  const until = performance.now() + ms;
  return new Promise(function wait(ok) {
    const left = until - performance.now();
    if (left > 0) setTimeout(wait, Math.ceil(left), ok);
    else ok();
  });
}

/** @param {Res} res @param {number} status @param {unknown} body @param {Record<string, string>} [headers] */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/**
 * @typedef {object} CorsOptions
 * @property {string[]} origins exact origins allowed (never `*`: credentialed requests need the exact one)
 * @property {string[]} allowHeaders lowercase request headers a preflight may ask for
 * @property {string[]} [exposeHeaders]
 * @property {string} [methods]
 */

/**
 * CORS the way the Collector answers it: only for an allowed origin, echoed exactly, with
 * credentials allowed; a preflight gets 204 and, when every requested header is allowed, the
 * requested headers back. Returns true when the request was a preflight and has been answered.
 * @param {Req} req @param {Res} res @param {CorsOptions} o
 */
export function cors(req, res, o) {
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && o.origins.includes(origin);
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  res.setHeader('vary', 'Origin');
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    if (o.exposeHeaders?.length) res.setHeader('access-control-expose-headers', o.exposeHeaders.join(', '));
  }
  if (!preflight) return false;
  if (allowed) {
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    if (asked.every((h) => o.allowHeaders.includes(h))) {
      res.setHeader('access-control-allow-methods', o.methods ?? String(req.headers['access-control-request-method']));
      if (asked.length) res.setHeader('access-control-allow-headers', asked.join(', '));
      res.setHeader('access-control-max-age', '600');
    } else {
      res.removeHeader('access-control-allow-origin');
      res.removeHeader('access-control-allow-credentials');
    }
  }
  res.writeHead(204).end();
  return true;
}

/**
 * Listens, or exits with a clear message when the port is taken (exit code 2, which
 * scripts/start.mjs reports as such).
 * @param {import('node:http').Server} server @param {number} port @param {string} host
 * @param {string} name service name for messages @param {string} envVar the variable that sets the port
 * @returns {Promise<number>} the bound port
 */
export function listen(server, port, host, name, envVar) {
  return new Promise((ok) => {
    server.once('error', (/** @type {NodeJS.ErrnoException} */ err) => {
      if (err.code === 'EADDRINUSE') {
        console.error(`[${name}] port ${port} on ${host} is already in use: stop what uses it or set ${envVar}=<free port>`);
        process.exit(2);
      }
      if (err.code === 'EACCES') {
        console.error(`[${name}] not allowed to listen on port ${port}: set ${envVar}=<port above 1024>`);
        process.exit(2);
      }
      console.error(`[${name}] cannot listen on ${host}:${port}:`, err.message);
      process.exit(1);
    });
    server.listen(port, host, () => {
      const addr = server.address();
      ok(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/**
 * Runs a service until SIGINT/SIGTERM or until the parent that started it over IPC goes away
 * (so a killed `npm start` leaves no orphans), then calls `stop` once and exits.
 * @param {string} name @param {() => Promise<void>} stop
 */
export function stopOn(name, stop) {
  let stopping = false;
  const bye = (/** @type {string} */ why) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    stop()
      .catch((err) => console.error(`[${name}] error while stopping (${why}):`, err))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => bye('SIGINT'));
  process.on('SIGTERM', () => bye('SIGTERM'));
  if (process.send) process.on('disconnect', () => bye('parent gone'));
}

/** Tells scripts/start.mjs (when it started us) that we serve at `url`. @param {string} name @param {string} url */
export function announce(name, url) {
  if (process.send) process.send({ type: 'ready', name, url });
  else console.log(`[${name}] ${url}`);
}
