/**
 * Reads the side-effect log the crash tests' pipeline writes (see fixtures/side-effect-pipeline.ts) and
 * checks it against the task rows the engine recorded: no task did its work twice, except for attempts a
 * worker's death cut short, and the recorded outcome is the recorded attempt's.
 */

export interface EffectLine {
  readonly kind: 'started' | 'finished';
  readonly runId: string;
  readonly taskId: string;
  readonly attempt: number;
  /** Epoch milliseconds, on this host's clock. */
  readonly at: number;
}

/** An executor task's row once its run ended. */
export interface FinalTask {
  readonly id: string;
  readonly run_id: string;
  readonly path: string;
  readonly state: string;
  readonly attempt: number;
  readonly outputs: string | null;
}

export interface SideEffectReport {
  /** Everything that breaks "a task that finished never runs again"; empty when all is well. */
  readonly problems: string[];
  /** Attempts that started their work and were killed before finishing it. */
  readonly killedMidWork: number;
  /**
   * Attempts that finished their work but were killed before their worker recorded it, so the task ran
   * again: the one kind of repeated work a crash may cause.
   */
  readonly lostAfterWork: number;
}

/** A kill lands a little after the test reads the clock for it; a line's time may fall in between. */
const KILL_TOLERANCE_MS = 250;

export function parseSideEffects(text: string): EffectLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [kind, runId = '', taskId = '', attempt = '', at = ''] = line.split(' ');
      if ((kind !== 'started' && kind !== 'finished') || !/^\d+$/.test(attempt) || !/^\d+$/.test(at)) {
        throw new Error(`a side-effect line that the pipeline does not write: ${JSON.stringify(line)}`);
      }
      return { kind, runId, taskId, attempt: Number(attempt), at: Number(at) };
    });
}

/**
 * Checks every executor task: it SUCCEEDED; its recorded attempt started and finished its work exactly
 * once and its outputs are that attempt's; no attempt ran after it; and each earlier attempt that left a
 * line was cut short by one of the `kills` (epoch ms): the kill came after the attempt's last line and
 * before the next attempt started. An attempt that finished its work and then lost its worker is allowed
 * (the work is redone); one that finished while no worker died is not.
 */
export function checkSideEffects(
  lines: readonly EffectLine[],
  tasks: readonly FinalTask[],
  kills: readonly number[],
): SideEffectReport {
  const problems: string[] = [];
  let killedMidWork = 0;
  let lostAfterWork = 0;
  const byTask = new Map<string, EffectLine[]>();
  for (const line of lines) byTask.set(line.taskId, [...(byTask.get(line.taskId) ?? []), line]);
  const known = new Set(tasks.map((task) => task.id));
  for (const taskId of byTask.keys()) {
    if (!known.has(taskId)) problems.push(`side effects of task ${taskId}, which is no executor task`);
  }
  for (const task of tasks) {
    const name = `${task.run_id} ${task.path}`;
    if (task.state !== 'SUCCEEDED') {
      problems.push(`${name} ended ${task.state}`);
      continue;
    }
    const recorded = (JSON.parse(task.outputs ?? '{}') as { parameters?: { attempt?: string } }).parameters
      ?.attempt;
    if (recorded !== String(task.attempt)) {
      problems.push(`${name} is recorded at attempt ${task.attempt} with the outputs of attempt ${recorded}`);
    }
    const attempts = new Map<number, { started?: number; finished?: number }>();
    for (const line of byTask.get(task.id) ?? []) {
      if (line.runId !== task.run_id) problems.push(`${name}: a line names run ${line.runId}`);
      const attempt = attempts.get(line.attempt) ?? {};
      if (attempt[line.kind] !== undefined) {
        problems.push(`${name}: attempt ${line.attempt} ${line.kind} its work twice`);
      }
      attempt[line.kind] = line.at;
      attempts.set(line.attempt, attempt);
    }
    const final = attempts.get(task.attempt);
    if (final?.started === undefined || final.finished === undefined) {
      problems.push(`${name}: its recorded attempt ${task.attempt} did not both start and finish its work`);
    }
    const numbers = [...attempts.keys()].sort((a, b) => a - b);
    for (const [index, number] of numbers.entries()) {
      const { started, finished } = attempts.get(number) ?? {};
      if (number > task.attempt) {
        problems.push(`${name}: attempt ${number} ran after the recorded attempt ${task.attempt}`);
        continue;
      }
      if (number === task.attempt) continue;
      if (started === undefined) {
        problems.push(`${name}: attempt ${number} finished work it never started`);
        continue;
      }
      const next = attempts.get(numbers[index + 1] ?? task.attempt)?.started ?? Number.POSITIVE_INFINITY;
      const lastLine = finished ?? started;
      const cutShort = kills.some((kill) => lastLine <= kill + KILL_TOLERANCE_MS && kill <= next);
      if (!cutShort) {
        problems.push(
          finished === undefined
            ? `${name}: attempt ${number} stopped in the middle of its work, and no worker was killed then`
            : finished > next
              ? `${name}: attempt ${number} was still doing its work when the next attempt started`
              : `${name}: did its work in attempt ${number} and again in attempt ${task.attempt}, and no ` +
                'worker was killed in between',
        );
      } else if (finished === undefined) killedMidWork++;
      else lostAfterWork++;
    }
  }
  return { problems, killedMidWork, lostAfterWork };
}
