import type { Readable } from 'node:stream';
import Type from 'typebox';

/**
 * A streamed answer's response schema: binary text of `mediaType` in the OpenAPI document, and the stream
 * a handler sends to its type. Fastify sends a stream as it is, never through a schema's serializer.
 */
export function streamedBody(description: string, mediaType: string) {
  return {
    description,
    content: { [mediaType]: { schema: Type.Unsafe<Readable>(Type.String({ format: 'binary' })) } },
  };
}
