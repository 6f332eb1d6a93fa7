/**
 * A problem with the task itself — its inputs, its command, its outputs — that fails it. The message is
 * for the user (it becomes the task's error), so it says what is wrong and what was expected.
 */
export class TaskFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TaskFailure';
  }
}
