/**
 * Where the test suites find the real services they run against, and what happens when one is absent.
 *
 * In CI (`CI=true`) an absent service fails the suite: nothing may be skipped there. Elsewhere the suite
 * is skipped with one line that says how to enable it.
 */
import net from 'node:net';

export const IN_CI = process.env.CI === 'true';

export interface ServiceCheck {
  /** Undefined when the service can be used; otherwise the reason it is skipped (outside CI). */
  skip: string | undefined;
}

async function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Checks that the service at `url` accepts TCP connections.
 * @param enable how a developer turns the suite on, printed when it is skipped.
 */
export async function checkService(name: string, url: string, enable: string): Promise<ServiceCheck> {
  const { hostname, port } = new URL(url);
  const ok = await reachable(hostname.replace(/^\[|\]$/g, ''), Number(port));
  if (ok) return { skip: undefined };
  const message = `${name} is not reachable at ${hostname}:${port}`;
  if (IN_CI) throw new Error(`${message}; CI must run every suite (.ci/run starts it)`);
  const reason = `skipped: ${message}. To enable: ${enable}`;
  console.log(`# ${name} suite ${reason}`);
  return { skip: reason };
}

export const MYSQL_URL = process.env.CAIRN_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const POSTGRES_URL =
  process.env.CAIRN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const S3_ENDPOINT = process.env.CAIRN_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:4569';
