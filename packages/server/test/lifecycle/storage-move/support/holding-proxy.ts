/**
 * An HTTP proxy in front of the S3 test server that can stop answering uploads: it lets a given number of
 * PUT requests through, then holds every later one unanswered. A move into a store behind it stops in the
 * middle of its object copy, at a known object count, where a test can kill it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class HoldingProxy {
  readonly #server: http.Server;
  readonly #upstream: URL;
  #putsLeft = Number.POSITIVE_INFINITY;
  #held = 0;
  #onHold: (() => void) | undefined;

  private constructor(upstream: string) {
    this.#upstream = new URL(upstream);
    this.#server = http.createServer((request, response) => this.#handle(request, response));
  }

  static async start(upstream: string): Promise<HoldingProxy> {
    const proxy = new HoldingProxy(upstream);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Lets `count` more uploads through, then holds the rest. */
  holdAfter(count: number): void {
    this.#putsLeft = count;
    this.#held = 0;
  }

  passAll(): void {
    this.#putsLeft = Number.POSITIVE_INFINITY;
  }

  /** Resolves once an upload is being held. */
  holding(): Promise<void> {
    if (this.#held > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onHold = resolve;
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (request.method === 'PUT') {
      if (this.#putsLeft <= 0) {
        // Read and never answered; the connection ends with the client (a killed process).
        request.resume();
        this.#held++;
        this.#onHold?.();
        return;
      }
      this.#putsLeft--;
    }
    const forwarded = http.request(
      {
        host: this.#upstream.hostname,
        port: this.#upstream.port,
        method: request.method,
        path: request.url,
        // The Host header is kept: the request's signature covers it.
        headers: request.headers,
      },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  }
}
