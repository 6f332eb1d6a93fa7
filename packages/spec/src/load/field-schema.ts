/**
 * A declarative description of protobuf messages in their JSON mapping, just detailed enough to check a
 * document's shape: which fields exist, what kind of value each holds, which are required and which form a
 * oneof. The PipelineSpec's own description lives in `pipeline-spec-schema.ts`; keeping it as data makes
 * the decoder one small generic walker instead of a hand-written parser per message.
 */
export type FieldSchema =
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  /** A 32-bit integer; protobuf's JSON mapping also allows it as a decimal string. */
  | { readonly kind: 'int32' }
  | { readonly kind: 'int64' }
  | { readonly kind: 'double' }
  /** Enum names; `values[i]` has the enum number `i`, so numeric forms decode too. */
  | { readonly kind: 'enum'; readonly name: string; readonly values: readonly string[] }
  /** A `google.protobuf.Duration` in JSON form: `"3.5s"`. */
  | { readonly kind: 'duration' }
  /** A `google.protobuf.Value`: any JSON value. */
  | { readonly kind: 'value' }
  /** A `google.protobuf.Struct`: any JSON object. */
  | { readonly kind: 'struct' }
  | { readonly kind: 'message'; readonly message: () => MessageSchema }
  | { readonly kind: 'map'; readonly of: FieldSchema }
  | { readonly kind: 'list'; readonly of: FieldSchema };

export interface OneofSchema {
  readonly fields: readonly string[];
  /** Whether a message without any of the fields is an error. */
  readonly required: boolean;
}

export interface MessageSchema {
  /** The protobuf message name, used in messages to users. */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  readonly oneofs?: readonly OneofSchema[];
}

export const string = { kind: 'string' } as const;
export const boolean = { kind: 'boolean' } as const;
export const int32 = { kind: 'int32' } as const;
export const int64 = { kind: 'int64' } as const;
export const double = { kind: 'double' } as const;
export const duration = { kind: 'duration' } as const;
export const value = { kind: 'value' } as const;
export const struct = { kind: 'struct' } as const;

export function enumOf(name: string, values: readonly string[]): FieldSchema {
  return { kind: 'enum', name, values };
}

export function message(schema: () => MessageSchema): FieldSchema {
  return { kind: 'message', message: schema };
}

export function mapOf(of: FieldSchema): FieldSchema {
  return { kind: 'map', of };
}

export function listOf(of: FieldSchema): FieldSchema {
  return { kind: 'list', of };
}
