import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { checkPipelineText, formatIssue, formatPath, type SpecIssueCode } from '../../src/index.ts';
import { loadKfpFixture } from '../support/kfp-fixtures.ts';

type Node = Record<string, unknown>;

/** Walks a dotted path of keys (keys may contain dots only via the array form) and returns the object there. */
function at(root: Node, ...keys: string[]): Node {
  let node: unknown = root;
  for (const key of keys) {
    node = (node as Node)[key];
    assert.ok(node && typeof node === 'object', `test setup: nothing at ${keys.join(' > ')}`);
  }
  return node as Node;
}

interface BrokenSpec {
  readonly name: string;
  /** Either a KFP fixture to mutate, or the raw text to check. */
  readonly fixture?: string;
  readonly mutate?: (spec: Node, documents: Node[]) => void;
  readonly text?: string;
  readonly code: SpecIssueCode;
  readonly path: string;
  readonly message: RegExp;
  readonly document?: number;
}

const TWO_STEP = 'two_step_pipeline.yaml';
const CONDITION = 'essential/pipeline_with_condition.yaml';
const IMPORTER = 'pipeline_with_importer.yaml';
const LOOP = 'critical/parameters_simple.yaml';
const FINAL_STATUS = 'pipeline_with_task_final_status.yaml';
const IF_PLACEHOLDER = 'container_with_if_placeholder.yaml';
const CONCAT = 'container_with_concat_placeholder.yaml';
const MACHINE_FIELDS = 'pipeline_with_string_machine_fields_task_output.yaml';

const writeTask = (spec: Node) => at(spec, 'root', 'dag', 'tasks', 'write-to-gcs');
const readTask = (spec: Node) => at(spec, 'root', 'dag', 'tasks', 'read-from-gcs');

const CASES: BrokenSpec[] = [
  // The text and the document's overall shape.
  {
    name: 'YAML that does not parse',
    text: 'pipelineInfo:\n  name: [unclosed\nroot: {}\n',
    code: 'SYNTAX',
    path: '(document)',
    message: /flow sequence|Missing|expected/i,
  },
  {
    name: 'an empty file',
    text: '# nothing here\n',
    code: 'DOCUMENT_COUNT',
    path: '(document)',
    message: /empty/,
  },
  {
    name: 'three documents',
    text: 'a: 1\n---\nb: 2\n---\nc: 3\n',
    code: 'DOCUMENT_COUNT',
    path: '(document)',
    message: /3 documents; expected a PipelineSpec, optionally followed by a PlatformSpec/,
  },
  {
    name: 'a list at the top',
    text: '- pipelineInfo: {}\n',
    code: 'FIELD_TYPE',
    path: '(document)',
    message: /expected a PipelineSpec object .* got a list/,
  },
  {
    name: 'a KFP v1 Argo workflow',
    text: 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec: {}\n',
    code: 'FIELD_TYPE',
    path: '(document)',
    message: /KFP v1 \(Argo Workflow\) package.*recompile/,
  },
  {
    name: 'a PipelineJob wrapper',
    text: '{"displayName": "x", "pipelineSpec": {"root": {}}}',
    code: 'FIELD_TYPE',
    path: '(document)',
    message: /PipelineJob; its "pipelineSpec" field holds the pipeline/,
  },
  {
    name: 'a platform spec that is not an object',
    fixture: TWO_STEP,
    mutate: (_spec, documents) => {
      documents.push(['not', 'an', 'object'] as unknown as Node);
    },
    code: 'FIELD_TYPE',
    path: '(document)',
    document: 1,
    message: /expected an object \(PlatformSpec\), got a list/,
  },
  // Structure of known fields.
  {
    name: 'no pipelineInfo',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete spec.pipelineInfo;
    },
    code: 'FIELD_REQUIRED',
    path: 'pipelineInfo',
    message: /required field of PipelineSpec is missing/,
  },
  {
    name: 'no pipeline name',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete at(spec, 'pipelineInfo').name;
    },
    code: 'FIELD_REQUIRED',
    path: 'pipelineInfo.name',
    message: /required field of PipelineInfo/,
  },
  {
    name: 'no root',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete spec.root;
    },
    code: 'FIELD_REQUIRED',
    path: 'root',
    message: /required field of PipelineSpec/,
  },
  {
    name: 'an executor label that is a number',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(spec, 'components', 'comp-read-from-gcs').executorLabel = 7;
    },
    code: 'FIELD_TYPE',
    path: 'components.comp-read-from-gcs.executorLabel',
    message: /expected a string, got number 7/,
  },
  {
    name: 'dependentTasks as a string',
    fixture: TWO_STEP,
    mutate: (spec) => {
      readTask(spec).dependentTasks = 'write-to-gcs';
    },
    code: 'FIELD_TYPE',
    path: 'root.dag.tasks.read-from-gcs.dependentTasks',
    message: /expected a list, got the string "write-to-gcs"/,
  },
  {
    name: 'a misspelt parameter type',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(spec, 'components', 'comp-write-to-gcs', 'inputDefinitions', 'parameters', 'text').parameterType =
        'STRNG';
    },
    code: 'ENUM_VALUE',
    path: 'components.comp-write-to-gcs.inputDefinitions.parameters.text.parameterType',
    message: /"STRNG" is not a ParameterType; expected .*"STRING".* \(did you mean "STRING"\?\)/,
  },
  {
    name: 'an unknown trigger strategy',
    fixture: FINAL_STATUS,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'exit-op', 'triggerPolicy').strategy = 'ALL_DONE';
    },
    code: 'ENUM_VALUE',
    path: 'root.dag.tasks.exit-op.triggerPolicy.strategy',
    message:
      /"ALL_DONE" is not a TriggerStrategy; expected "ALL_UPSTREAM_TASKS_SUCCEEDED" or "ALL_UPSTREAM_TASKS_COMPLETED"/,
  },
  {
    name: 'a component with both a DAG and an executor',
    fixture: CONDITION,
    mutate: (spec) => {
      at(spec, 'components', 'comp-condition-1').executorLabel = 'exec-print-op';
    },
    code: 'ONEOF_CONFLICT',
    path: 'components.comp-condition-1.executorLabel',
    message: /"dag" or "executorLabel" cannot be set together in ComponentSpec/,
  },
  {
    name: 'a component with neither a DAG nor an executor',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete at(spec, 'components', 'comp-read-from-gcs').executorLabel;
    },
    code: 'FIELD_REQUIRED',
    path: 'components.comp-read-from-gcs',
    message: /ComponentSpec needs one of "dag" or "executorLabel"/,
  },
  {
    name: 'an input bound two ways at once',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(writeTask(spec), 'inputs', 'parameters', 'text').runtimeValue = { constant: 'x' };
    },
    code: 'ONEOF_CONFLICT',
    path: 'root.dag.tasks.write-to-gcs.inputs.parameters.text.componentInputParameter',
    message: /cannot be set together in TaskInputsSpec\.InputParameterSpec; set exactly one/,
  },
  {
    name: 'a retry backoff that is not a duration',
    fixture: 'local_execution/local_execution_pipeline_with_retry.yaml',
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'flaky', 'retryPolicy').backoffDuration = '3 seconds';
    },
    code: 'FIELD_TYPE',
    path: 'root.dag.tasks.flaky.retryPolicy.backoffDuration',
    message: /expected a duration such as "30s" or "1.5s", got the string "3 seconds"/,
  },
  {
    name: 'a fractional parallelism limit',
    fixture: 'parallel_and_nested/parallel_for_secret.yaml',
    mutate: (spec) => {
      const tasks = at(spec, 'root', 'dag', 'tasks');
      for (const task of Object.values(tasks) as Node[]) {
        if (task.iteratorPolicy) (task.iteratorPolicy as Node).parallelismLimit = 1.5;
      }
    },
    code: 'FIELD_TYPE',
    path: 'root.dag.tasks.for-loop-2.iteratorPolicy.parallelismLimit',
    message: /expected a 32-bit integer, got number 1\.5/,
  },
  {
    name: 'a container without an image',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete at(spec, 'deploymentSpec', 'executors', 'exec-read-from-gcs', 'container').image;
    },
    code: 'FIELD_REQUIRED',
    path: 'deploymentSpec.executors.exec-read-from-gcs.container.image',
    message: /required field of PipelineContainerSpec/,
  },
  {
    name: 'an executor of no kind',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(spec, 'deploymentSpec', 'executors')['exec-read-from-gcs'] = {};
    },
    code: 'FIELD_REQUIRED',
    path: 'deploymentSpec.executors.exec-read-from-gcs',
    message: /ExecutorSpec needs one of "container", "importer", "resolver" or "customJob"/,
  },
  {
    name: 'an unsupported schema version',
    fixture: TWO_STEP,
    mutate: (spec) => {
      spec.schemaVersion = '3.0.0';
    },
    code: 'SCHEMA_VERSION_UNSUPPORTED',
    path: 'schemaVersion',
    message: /schema version "3\.0\.0" is not supported; this version of Cairn reads "2\.0\.0" or "2\.1\.0"/,
  },
  {
    name: 'a root that is not a DAG',
    fixture: TWO_STEP,
    mutate: (spec) => {
      spec.root = { executorLabel: 'exec-read-from-gcs' };
    },
    code: 'FIELD_REQUIRED',
    path: 'root.dag',
    message: /the root component must be a DAG/,
  },
  // References.
  {
    name: 'a misspelt component reference',
    fixture: IMPORTER,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'train', 'componentRef').name = 'comp-trian';
    },
    code: 'COMPONENT_UNDEFINED',
    path: 'root.dag.tasks.train.componentRef.name',
    message: /^component "comp-trian" is not defined \(did you mean "comp-train"\?\)$/,
  },
  {
    name: 'a misspelt executor label',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(spec, 'components', 'comp-read-from-gcs').executorLabel = 'exec-read-from-gsc';
    },
    code: 'EXECUTOR_UNDEFINED',
    path: 'components.comp-read-from-gcs.executorLabel',
    message: /executor "exec-read-from-gsc" is not defined .*did you mean "exec-read-from-gcs"/,
  },
  {
    name: 'a dependency on a task that does not exist',
    fixture: TWO_STEP,
    mutate: (spec) => {
      readTask(spec).dependentTasks = ['write-to-gsc'];
    },
    code: 'TASK_UNDEFINED',
    path: 'root.dag.tasks.read-from-gcs.dependentTasks[0]',
    message: /task "write-to-gsc" is not defined in this DAG \(did you mean "write-to-gcs"\?\)/,
  },
  {
    name: 'an output taken from a task that does not exist',
    fixture: CONDITION,
    mutate: (spec) => {
      at(
        spec,
        'root',
        'dag',
        'tasks',
        'print-op',
        'inputs',
        'parameters',
        'msg',
        'taskOutputParameter',
      ).producerTask = 'flip-coin';
    },
    code: 'TASK_UNDEFINED',
    path: 'root.dag.tasks.print-op.inputs.parameters.msg.taskOutputParameter.producerTask',
    message: /task "flip-coin" is not defined in this DAG/,
  },
  {
    name: 'two tasks waiting for each other',
    fixture: TWO_STEP,
    mutate: (spec) => {
      writeTask(spec).dependentTasks = ['read-from-gcs'];
    },
    code: 'DEPENDENCY_CYCLE',
    path: 'root.dag.tasks.read-from-gcs',
    message: /cycle: read-from-gcs -> write-to-gcs -> read-from-gcs/,
  },
  {
    name: 'a task waiting for itself',
    fixture: TWO_STEP,
    mutate: (spec) => {
      writeTask(spec).dependentTasks = ['write-to-gcs'];
    },
    code: 'DEPENDENCY_CYCLE',
    path: 'root.dag.tasks.write-to-gcs.dependentTasks[0]',
    message: /task "write-to-gcs" depends on itself/,
  },
  {
    name: 'a DAG component that contains itself',
    fixture: CONDITION,
    mutate: (spec) => {
      at(spec, 'components', 'comp-condition-1', 'dag', 'tasks').again = {
        componentRef: { name: 'comp-condition-1' },
        inputs: {
          parameters: {
            'pipelinechannel--flip-coin-op-Output': {
              componentInputParameter: 'pipelinechannel--flip-coin-op-Output',
            },
            'pipelinechannel--text': { componentInputParameter: 'pipelinechannel--text' },
          },
        },
        taskInfo: { name: 'again' },
      };
    },
    code: 'COMPONENT_RECURSION',
    path: 'components.comp-condition-1.dag',
    message: /component "comp-condition-1" contains itself: comp-condition-1 -> comp-condition-1/,
  },
  {
    name: 'an input taken from a pipeline parameter that does not exist',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(writeTask(spec), 'inputs', 'parameters', 'text').componentInputParameter = 'txt';
    },
    code: 'INPUT_UNDEFINED',
    path: 'root.dag.tasks.write-to-gcs.inputs.parameters.text.componentInputParameter',
    message: /the pipeline has no input parameter "txt" \(did you mean "text"\?\)/,
  },
  {
    name: 'an artifact taken from a component input that does not exist',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(readTask(spec), 'inputs', 'artifacts').input_gcs_path = { componentInputArtifact: 'dataset' };
    },
    code: 'INPUT_UNDEFINED',
    path: 'root.dag.tasks.read-from-gcs.inputs.artifacts.input_gcs_path.componentInputArtifact',
    message: /the pipeline has no input artifact "dataset"/,
  },
  {
    name: 'an output parameter the producer does not have',
    fixture: CONDITION,
    mutate: (spec) => {
      at(
        spec,
        'root',
        'dag',
        'tasks',
        'print-op',
        'inputs',
        'parameters',
        'msg',
        'taskOutputParameter',
      ).outputParameterKey = 'Outptu';
    },
    code: 'OUTPUT_UNDEFINED',
    path: 'root.dag.tasks.print-op.inputs.parameters.msg.taskOutputParameter.outputParameterKey',
    message: /task "flip-coin-op" has no output parameter "Outptu" \(did you mean "Output"\?\)/,
  },
  {
    name: 'an output artifact the producer does not have',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(readTask(spec), 'inputs', 'artifacts', 'input_gcs_path', 'taskOutputArtifact').outputArtifactKey =
        'gcs_path';
    },
    code: 'OUTPUT_UNDEFINED',
    path: 'root.dag.tasks.read-from-gcs.inputs.artifacts.input_gcs_path.taskOutputArtifact.outputArtifactKey',
    message: /task "write-to-gcs" has no output artifact "gcs_path"/,
  },
  {
    name: 'a required input parameter left unbound',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete at(writeTask(spec), 'inputs', 'parameters').text;
    },
    code: 'INPUT_MISSING',
    path: 'root.dag.tasks.write-to-gcs.inputs.parameters',
    message: /required input parameter "text" of component "comp-write-to-gcs" is not bound/,
  },
  {
    name: 'a required input artifact left unbound',
    fixture: TWO_STEP,
    mutate: (spec) => {
      delete readTask(spec).inputs;
    },
    code: 'INPUT_MISSING',
    path: 'root.dag.tasks.read-from-gcs.inputs.artifacts',
    message: /required input artifact "input_gcs_path" of component "comp-read-from-gcs" is not bound/,
  },
  {
    name: 'a DAG output selecting an output the subtask does not have',
    fixture: LOOP,
    mutate: (spec) => {
      at(
        spec,
        'components',
        'comp-for-loop-2',
        'dag',
        'outputs',
        'parameters',
        'pipelinechannel--double-Output',
        'valueFromParameter',
      ).outputParameterKey = 'Result';
    },
    code: 'OUTPUT_UNDEFINED',
    path: 'components.comp-for-loop-2.dag.outputs.parameters.pipelinechannel--double-Output.valueFromParameter.outputParameterKey',
    message: /task "double" has no output parameter "Result"/,
  },
  {
    name: 'a DAG output selecting from a subtask that does not exist',
    fixture: LOOP,
    mutate: (spec) => {
      at(
        spec,
        'components',
        'comp-for-loop-2',
        'dag',
        'outputs',
        'parameters',
        'pipelinechannel--double-Output',
        'valueFromParameter',
      ).producerSubtask = 'triple';
    },
    code: 'TASK_UNDEFINED',
    path: 'components.comp-for-loop-2.dag.outputs.parameters.pipelinechannel--double-Output.valueFromParameter.producerSubtask',
    message: /task "triple" is not defined in this DAG/,
  },
  {
    name: 'a DAG output its component does not declare',
    fixture: LOOP,
    mutate: (spec) => {
      at(spec, 'components', 'comp-for-loop-2', 'dag', 'outputs', 'parameters').extra = {
        valueFromParameter: { producerSubtask: 'double', outputParameterKey: 'Output' },
      };
    },
    code: 'OUTPUT_UNDEFINED',
    path: 'components.comp-for-loop-2.dag.outputs.parameters.extra',
    message: /component "comp-for-loop-2" does not declare output parameter "extra" in its outputDefinitions/,
  },
  // Types.
  {
    name: 'a string output wired into an integer input',
    fixture: CONDITION,
    mutate: (spec) => {
      at(spec, 'components', 'comp-print-op', 'inputDefinitions', 'parameters', 'msg').parameterType =
        'NUMBER_INTEGER';
    },
    code: 'TYPE_MISMATCH',
    path: 'root.dag.tasks.print-op.inputs.parameters.msg',
    message: /input "msg" of type NUMBER_INTEGER is wired to a value of type STRING/,
  },
  {
    name: 'a string constant for an integer input',
    fixture: FINAL_STATUS,
    mutate: (spec) => {
      at(spec, 'components', 'comp-fail-op', 'inputDefinitions', 'parameters', 'message').parameterType =
        'NUMBER_INTEGER';
    },
    code: 'TYPE_MISMATCH',
    path: 'components.comp-exit-handler-1.dag.tasks.fail-op.inputs.parameters.message.runtimeValue.constant',
    message: /constant "Task failed\." does not fit input "message" of type NUMBER_INTEGER/,
  },
  {
    name: 'a Model wired into a Dataset input',
    fixture: IMPORTER,
    mutate: (spec) => {
      at(
        spec,
        'components',
        'comp-importer',
        'outputDefinitions',
        'artifacts',
        'artifact',
        'artifactType',
      ).schemaTitle = 'system.Model';
    },
    code: 'TYPE_MISMATCH',
    path: 'root.dag.tasks.train.inputs.artifacts.dataset',
    message: /input artifact "dataset" expects system\.Dataset, but is wired to system\.Model/,
  },
  {
    name: 'a list of artifacts wired into a single artifact input',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(
        spec,
        'components',
        'comp-write-to-gcs',
        'outputDefinitions',
        'artifacts',
        'output_gcs_path',
      ).isArtifactList = true;
    },
    code: 'TYPE_MISMATCH',
    path: 'root.dag.tasks.read-from-gcs.inputs.artifacts.input_gcs_path',
    message: /takes a single artifact, but is wired to a list of artifacts/,
  },
  {
    name: 'a final status wired into a string input',
    fixture: FINAL_STATUS,
    mutate: (spec) => {
      at(spec, 'components', 'comp-exit-op', 'inputDefinitions', 'parameters', 'status').parameterType =
        'STRING';
    },
    code: 'TYPE_MISMATCH',
    path: 'root.dag.tasks.exit-op.inputs.parameters.status.taskFinalStatus',
    message: /taskFinalStatus can only feed a TASK_FINAL_STATUS input; input "status" is STRING/,
  },
  {
    name: 'a final status input bound to a constant',
    fixture: FINAL_STATUS,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'exit-op', 'inputs', 'parameters').status = {
        runtimeValue: { constant: 'ok' },
      };
    },
    code: 'TYPE_MISMATCH',
    path: 'root.dag.tasks.exit-op.inputs.parameters.status',
    message: /input "status" is a TASK_FINAL_STATUS and can only be bound with taskFinalStatus/,
  },
  {
    name: 'a default that does not fit its type',
    fixture: IF_PLACEHOLDER,
    mutate: (spec) => {
      at(
        spec,
        'components',
        'comp-container-with-if-placeholder',
        'inputDefinitions',
        'parameters',
        'optional_input',
      ).parameterType = 'NUMBER_INTEGER';
    },
    code: 'DEFAULT_VALUE_INVALID',
    path: 'components.comp-container-with-if-placeholder.inputDefinitions.parameters.optional_input.defaultValue',
    message: /default "default" is not a NUMBER_INTEGER value/,
  },
  // Expressions.
  {
    name: 'a condition that does not parse',
    fixture: CONDITION,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'condition-1', 'triggerPolicy').condition =
        "inputs.parameter_values['pipelinechannel--flip-coin-op-Output'] ==";
    },
    code: 'CEL_SYNTAX',
    path: 'root.dag.tasks.condition-1.triggerPolicy.condition',
    message: /the condition is not a valid CEL expression: at 1:/,
  },
  {
    name: 'a condition that reads something other than inputs',
    fixture: CONDITION,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'condition-1', 'triggerPolicy').condition =
        "outputs.parameter_values['x'] == 'heads'";
    },
    code: 'CEL_SYNTAX',
    path: 'root.dag.tasks.condition-1.triggerPolicy.condition',
    message: /the condition reads "outputs", but a trigger condition can only read "inputs"/,
  },
  {
    name: 'a condition on an input the task does not have',
    fixture: CONDITION,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'condition-1', 'triggerPolicy').condition =
        "inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'";
    },
    code: 'INPUT_UNDEFINED',
    path: 'root.dag.tasks.condition-1.triggerPolicy.condition',
    message:
      /reads input parameter "pipelinechannel--flip-coin-Output", .*did you mean "pipelinechannel--flip-coin-op-Output"/,
  },
  {
    name: 'a parameter selector that does not parse',
    fixture: 'pipeline_with_loops_and_conditions.yaml',
    mutate: (spec) => {
      const binding = at(
        spec,
        'components',
        'comp-condition-3',
        'dag',
        'tasks',
        'print-text-2',
        'inputs',
        'parameters',
        'msg',
      );
      binding.parameterExpressionSelector = 'parseJson(string_value)["B_b"';
    },
    code: 'CEL_SYNTAX',
    path: 'components.comp-condition-3.dag.tasks.print-text-2.inputs.parameters.msg.parameterExpressionSelector',
    message: /the selector is not a valid CEL expression/,
  },
  {
    name: 'a placeholder naming an undefined input',
    fixture: TWO_STEP,
    mutate: (spec) => {
      at(spec, 'deploymentSpec', 'executors', 'exec-write-to-gcs', 'container').command = [
        'sh',
        '-c',
        'echo "$0"',
        "{{$.inputs.parameters['txt']}}",
      ];
    },
    code: 'PLACEHOLDER_UNDEFINED',
    path: 'deploymentSpec.executors.exec-write-to-gcs.container.command[3]',
    message: /names input parameter "txt", which the component does not declare \(did you mean "text"\?\)/,
  },
  {
    name: 'a placeholder naming an undefined output artifact',
    fixture: TWO_STEP,
    mutate: (spec) => {
      const container = at(spec, 'deploymentSpec', 'executors', 'exec-write-to-gcs', 'container');
      (container.command as string[])[4] = "{{$.outputs.artifacts['output_path'].uri}}";
    },
    code: 'PLACEHOLDER_UNDEFINED',
    path: 'deploymentSpec.executors.exec-write-to-gcs.container.command[4]',
    message: /names output artifact "output_path"/,
  },
  {
    name: 'a placeholder KFP does not define',
    fixture: TWO_STEP,
    mutate: (spec) => {
      const container = at(spec, 'deploymentSpec', 'executors', 'exec-write-to-gcs', 'container');
      (container.command as string[])[3] = "{{$.inputs.parameter['text']}}";
    },
    code: 'PLACEHOLDER_SYNTAX',
    path: 'deploymentSpec.executors.exec-write-to-gcs.container.command[3]',
    message: /is not a placeholder KFP defines; expected \{\{\$\.inputs\.parameters\['name'\]\}\}/,
  },
  {
    name: 'a Concat placeholder that is not valid JSON',
    fixture: CONCAT,
    mutate: (spec) => {
      const executors = at(spec, 'deploymentSpec', 'executors');
      const container = at(executors, Object.keys(executors)[0] ?? '', 'container');
      (container.command as string[])[1] = '{"Concat": ["prefix-", }';
    },
    code: 'PLACEHOLDER_SYNTAX',
    path: 'deploymentSpec.executors.exec-container-with-concat-placeholder.container.command[1]',
    message: /structured placeholder is not valid JSON/,
  },
  {
    name: 'a resource field whose placeholder does not parse',
    fixture: MACHINE_FIELDS,
    mutate: (spec) => {
      const container = at(spec, 'deploymentSpec', 'executors', 'exec-sum-numbers', 'container');
      at(container, 'resources', 'accelerator').resourceType =
        "{{$.inputs .parameters['pipelinechannel--accelerator-type-Output']}}";
    },
    code: 'PLACEHOLDER_SYNTAX',
    path: 'deploymentSpec.executors.exec-sum-numbers.container.resources.accelerator.resourceType',
    message: /is not a placeholder KFP defines/,
  },
  {
    name: 'an IfPresent on an input that does not exist',
    fixture: IF_PLACEHOLDER,
    mutate: (spec) => {
      const container = at(
        spec,
        'deploymentSpec',
        'executors',
        'exec-container-with-if-placeholder',
        'container',
      );
      (container.command as string[])[1] = '{"IfPresent": {"InputName": "optional_inptu", "Then": ["x"]}}';
    },
    code: 'PLACEHOLDER_UNDEFINED',
    path: 'deploymentSpec.executors.exec-container-with-if-placeholder.container.command[1]',
    message: /IfPresent tests input "optional_inptu", .*did you mean "optional_input"/,
  },
  {
    name: 'raw loop items that are not a JSON array',
    fixture: LOOP,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'for-loop-2', 'parameterIterator', 'items').raw = '{"a": 1}';
    },
    code: 'ITERATOR_INVALID',
    path: 'root.dag.tasks.for-loop-2.parameterIterator.items.raw',
    message: /raw items must be a JSON array, as a string/,
  },
  {
    name: 'a loop item sent to an input the loop body does not declare',
    fixture: LOOP,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'for-loop-2', 'parameterIterator').itemInput = 'pipelinechannel--item';
    },
    code: 'ITERATOR_INVALID',
    path: 'root.dag.tasks.for-loop-2.parameterIterator.itemInput',
    message: /"pipelinechannel--item", which component "comp-for-loop-2" does not declare/,
  },
  {
    name: 'a negative parallelism limit',
    fixture: LOOP,
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'for-loop-2').iteratorPolicy = { parallelismLimit: -1 };
    },
    code: 'ITERATOR_INVALID',
    path: 'root.dag.tasks.for-loop-2.iteratorPolicy.parallelismLimit',
    message: /parallelismLimit must be 0 \(unlimited\) or more, got -1/,
  },
  {
    name: 'an importer reading its URI from an undeclared input',
    fixture: IMPORTER,
    mutate: (spec) => {
      at(spec, 'deploymentSpec', 'executors', 'exec-importer', 'importer').artifactUri = {
        runtimeParameter: 'url',
      };
    },
    code: 'INPUT_UNDEFINED',
    path: 'deploymentSpec.executors.exec-importer.importer.artifactUri.runtimeParameter',
    message: /the importer reads its URI from "url", which component "comp-importer" does not declare/,
  },
  {
    name: 'a platform spec configuring an executor the pipeline does not have',
    fixture: 'critical/pipeline_with_secret_as_env.yaml',
    mutate: (_spec, documents) => {
      const executors = at(documents[1] ?? {}, 'platforms', 'kubernetes', 'deploymentSpec', 'executors');
      executors['exec-cmop'] = executors['exec-comp'] ?? {};
      delete executors['exec-comp'];
    },
    code: 'EXECUTOR_UNDEFINED',
    path: 'platforms.kubernetes.deploymentSpec.executors.exec-cmop',
    document: 1,
    message:
      /executor "exec-cmop" is not defined in the pipeline spec's deploymentSpec\.executors \(did you mean "exec-comp"\?\)/,
  },
  {
    name: 'a negative retry count',
    fixture: 'local_execution/local_execution_pipeline_with_retry.yaml',
    mutate: (spec) => {
      at(spec, 'root', 'dag', 'tasks', 'flaky', 'retryPolicy').maxRetryCount = -2;
    },
    code: 'FIELD_TYPE',
    path: 'root.dag.tasks.flaky.retryPolicy.maxRetryCount',
    message: /maxRetryCount must be 0 or more, got -2/,
  },
];

function brokenText(testCase: BrokenSpec): string {
  if (testCase.text !== undefined) return testCase.text;
  const loaded = loadKfpFixture(testCase.fixture ?? '');
  const documents: Node[] = [structuredClone(loaded.spec) as Node];
  if (loaded.platformSpec) documents.push(structuredClone(loaded.platformSpec) as Node);
  testCase.mutate?.(documents[0] ?? {}, documents);
  return documents.map((document) => stringify(document)).join('---\n');
}

describe('broken specs each yield their specific error', () => {
  test('the table holds at least 40 cases with distinct names', () => {
    assert.ok(CASES.length >= 40, `only ${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  });

  for (const testCase of CASES) {
    test(testCase.name, () => {
      const { pipeline, issues } = checkPipelineText(brokenText(testCase));
      assert.equal(pipeline, undefined, 'a broken spec must not come back as a pipeline');
      const errors = issues.filter((issue) => issue.severity === 'error');
      const match = errors.find(
        (issue) =>
          issue.code === testCase.code &&
          formatPath(issue.path) === testCase.path &&
          (issue.document ?? 0) === (testCase.document ?? 0),
      );
      assert.ok(
        match,
        `expected ${testCase.code} at ${testCase.path}; got:\n${errors.map((e) => `${e.code} ${formatIssue(e)}`).join('\n')}`,
      );
      assert.match(match.message, testCase.message);
    });
  }
});
