import { currentGraph } from '../graph/build-context.ts';
import { ExitHandlerGroup } from '../graph/graph-model.ts';
import { PipelineTask } from '../task/pipeline-task.ts';
import type { OutputsSpec } from '../types/io-types.ts';

/**
 * Options of an exit handler: `name` is shown in the UI instead of `exit-handler-<N>`.
 *
 * @example
 * ExitHandler(notify({}), () => { ... }, { name: 'main' });
 */
export interface ExitHandlerOptions {
  readonly name?: string;
}

/**
 * A finished `ExitHandler`: what its body returned, and the handler itself, which later tasks can run
 * `.after()`.
 *
 * @example
 * const handler = ExitHandler(cleanup({}), () => work({}));
 * report({}).after(handler);
 */
export interface ExitHandlerScope<R> {
  readonly result: R;
  readonly exitHandler: ExitHandlerGroup;
}

/**
 * Runs `body`'s tasks, then `exitTask` whether they succeeded or failed (KFP's `dsl.ExitHandler`). The
 * exit task is created before, with no inputs from other tasks; a `TaskFinalStatus` input of it receives
 * the final status of the guarded tasks. Exit handlers go at the top level of a pipeline.
 *
 * @example
 * const exitTask = exitOp({ userInput: message });
 * ExitHandler(exitTask, () => {
 *   printOp({ message });
 *   failOp({ message: 'Task failed.' });
 * });
 */
export function ExitHandler<R>(
  exitTask: PipelineTask<OutputsSpec>,
  body: () => R,
  options: ExitHandlerOptions = {},
): ExitHandlerScope<R> {
  const graph = currentGraph('ExitHandler');
  if (!(exitTask instanceof PipelineTask))
    throw new TypeError('ExitHandler takes the exit task as its first argument');
  const task = exitTask.node;
  if (graph.currentGroup !== graph.root) {
    throw new Error(
      `ExitHandler can only be used within the outermost scope of a pipeline body, not within ${graph.currentGroup.name}.`,
    );
  }
  if (graph.tasks.get(task.name) !== task) throw new Error('the exit task must be a task of this pipeline');
  if (task.isExitHandler)
    throw new Error(`task ${task.name} is already the exit task of another ExitHandler`);
  if (task.parentGroup !== graph.root)
    throw new Error(`the exit task ${task.name} must be created at the top level of the pipeline`);
  if (task.after.length > 0 || task.channelInputs.some((channel) => channel.taskName !== undefined)) {
    throw new Error(`exit task ${task.name} cannot depend on any other tasks.`);
  }
  for (const other of graph.tasks.values()) {
    if (other.after.includes(task) || other.channelInputs.some((channel) => channel.taskName === task.name)) {
      throw new Error(
        `task ${other.name} depends on ${task.name}, which cannot become an exit task: exit tasks run last`,
      );
    }
  }
  const group = new ExitHandlerGroup(`exit-handler-${graph.nextGroupId()}`, options.name, task);
  graph.removeTaskFromGroups(task);
  task.isExitHandler = true;
  graph.pushGroup(group);
  let result: R;
  try {
    result = body();
  } finally {
    if (graph.isOpen(group)) graph.closeThrough(group);
  }
  return { result, exitHandler: group };
}
