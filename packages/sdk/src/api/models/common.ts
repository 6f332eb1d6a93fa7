import Type from 'typebox';

/**
 * KFP's wire conventions, as its API server's JSON marshaller writes them: field names as in the proto
 * (snake_case), enums as their names, timestamps as RFC 3339 strings, int64 as strings.
 */
export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC.' });

/** Cairn's ids are UUIDs, KFP's too; in a path, an id must be one. */
export const Id = Type.String({ format: 'uuid' });

/**
 * An id that refers to another resource in a body or a query: a UUID, or empty for none (protobuf JSON
 * writes an unset string as "").
 */
export const IdRef = Type.String({
  pattern: '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$',
  description: 'A UUID, or empty for none.',
});

/**
 * A namespace as stored: at most 255 characters, like every name. Cairn is single-user, so it is
 * usually empty.
 */
export const Namespace = Type.String({ maxLength: 255 });

/**
 * A description: free text, at most 10,000 characters, which every database keeps whole (MySQL's TEXT
 * holds 65,535 bytes, and a character takes up to 4).
 */
export const Description = Type.String({ maxLength: 10_000 });

/** A URL a resource points to (a pipeline package, its source code). */
export const Url = Type.String({ maxLength: 2048 });

/** protobuf's int64 in JSON: a decimal string (numbers are accepted on input, as protobuf JSON does). */
export const Int64 = Type.Union([Type.String({ pattern: '^-?[0-9]+$' }), Type.Integer()]);

/** `google.rpc.Status`: every error the API returns, and the per-item error of a list. */
export const Status = Type.Object({
  code: Type.Integer({ description: 'A gRPC status code, e.g. 3 INVALID_ARGUMENT, 5 NOT_FOUND.' }),
  message: Type.String(),
  details: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});
export type Status = Type.Static<typeof Status>;

export const StorageState = Type.Union([
  Type.Literal('STORAGE_STATE_UNSPECIFIED'),
  Type.Literal('AVAILABLE'),
  Type.Literal('ARCHIVED'),
]);
export type StorageState = Type.Static<typeof StorageState>;

export const RuntimeState = Type.Union([
  Type.Literal('RUNTIME_STATE_UNSPECIFIED'),
  Type.Literal('PENDING'),
  Type.Literal('RUNNING'),
  Type.Literal('SUCCEEDED'),
  Type.Literal('SKIPPED'),
  Type.Literal('FAILED'),
  Type.Literal('CANCELING'),
  Type.Literal('CANCELED'),
  Type.Literal('PAUSED'),
]);
export type RuntimeState = Type.Static<typeof RuntimeState>;

/** The query parameters every list operation takes (KFP's ListXRequest). */
export const ListQuery = Type.Object({
  page_token: Type.Optional(Type.String()),
  page_size: Type.Optional(Type.Integer()),
  sort_by: Type.Optional(Type.String()),
  filter: Type.Optional(Type.String({ description: "A URL-encoded JSON of KFP's Filter message." })),
});
export type ListQuery = Type.Static<typeof ListQuery>;

/** An operation's empty answer (`google.protobuf.Empty`). */
export const Empty = Type.Object({});
