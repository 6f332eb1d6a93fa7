/**
 * The route of a Google-style custom method, `/collection/{id}:verb` (KFP's `:archive`, `:terminate`...).
 * The router needs the id's pattern to stop at the colon; `::` is its escape for a literal one.
 */
export function customMethod(collection: string, idParam: string, verb: string): string {
  return `${collection}/:${idParam}(^[^:]+)::${verb}`;
}
