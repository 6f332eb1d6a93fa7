import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * Holds a lease operation still at a chosen point inside its transaction: once the `nth` query of `kind`
 * (e.g. 'UpdateQueryNode') has run, its result is held back until `hold()` settles. Tests use it to
 * race a second claimer against a half-done claim, or to SIGKILL a process mid-transaction.
 */
export class PauseAfterQuery implements KyselyPlugin {
  readonly #kind: RootOperationNode['kind'];
  readonly #nth: number;
  readonly #hold: () => Promise<void>;
  #seen = 0;
  #target: string | undefined;
  #onReached: () => void = () => undefined;
  /** Resolves when the operation has reached the pause. */
  readonly reached: Promise<void>;

  constructor(kind: RootOperationNode['kind'], nth: number, hold: () => Promise<void>) {
    this.#kind = kind;
    this.#nth = nth;
    this.#hold = hold;
    this.reached = new Promise((resolve) => {
      this.#onReached = resolve;
    });
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === this.#kind && ++this.#seen === this.#nth) this.#target = queryId.queryId;
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (queryId.queryId === this.#target) {
      this.#onReached();
      await this.#hold();
    }
    return result;
  }
}
