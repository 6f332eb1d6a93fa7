import { ApiRequestError, ServerUnreachableError } from '@cairn/sdk/api';

/**
 * What the user reads when a call to the server failed: the server's own message on one line, or, when
 * nothing answered, the URL tried and how to start a server there.
 */
export function describeApiFailure(error: unknown): string[] | undefined {
  if (error instanceof ApiRequestError) return [`cairn: error: ${error.message}`];
  if (error instanceof ServerUnreachableError) {
    return [
      `cairn: error: ${error.message}`,
      'Start one with `cairn up` (or `npm start` in a Cairn checkout), or point --server or CAIRN_SERVER at a running one.',
    ];
  }
  return undefined;
}
