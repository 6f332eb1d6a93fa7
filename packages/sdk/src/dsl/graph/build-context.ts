import type { PipelineGraph } from './graph-model.ts';

let building: PipelineGraph | undefined;

/**
 * The graph of the pipeline body being run; components, control flow and importers add to it. Throws,
 * naming `what`, outside a pipeline body.
 *
 * @example
 * const graph = currentGraph('ParallelFor');
 */
export function currentGraph(what: string): PipelineGraph {
  if (building === undefined) {
    throw new Error(
      `${what} can only be used inside a pipeline body: call it from the function given to pipeline()`,
    );
  }
  return building;
}

/**
 * Runs a pipeline body with `graph` as the current graph. Pipeline bodies do not nest: define the inner
 * pipeline outside and call it inside, as in KFP.
 *
 * @example
 * buildGraph(graph, () => body(inputs));
 */
export function buildGraph<R>(graph: PipelineGraph, body: () => R): R {
  if (building !== undefined) {
    throw new Error(
      `pipeline '${graph.pipelineName}' is defined inside the body of pipeline '${building.pipelineName}'; ` +
        'nested pipelines are not allowed: define it at the top level and call it in the body',
    );
  }
  building = graph;
  try {
    return body();
  } finally {
    building = undefined;
  }
}
