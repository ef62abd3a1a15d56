import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that is free now (bound and released at once): for a listener that
 * must be given a concrete port before it starts. Another process may take it in between.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (typeof addr === 'object' && addr) srv.close(() => resolve(addr.port));
      else srv.close(() => reject(new Error('no port bound on 127.0.0.1')));
    });
  });
}
