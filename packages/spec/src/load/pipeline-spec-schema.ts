import { PARAMETER_TYPES, PRIMITIVE_TYPES, TRIGGER_STRATEGIES } from '../model/pipeline-spec.ts';
import {
  boolean,
  double,
  duration,
  enumOf,
  int32,
  int64,
  listOf,
  type MessageSchema,
  mapOf,
  message,
  string,
  struct,
  value,
} from './field-schema.ts';

/*
 * The shape of `api/v2alpha1/pipeline_spec.proto` (kubeflow/pipelines), field by field, in protobuf's JSON
 * names. Enum lists start with the `*_UNSPECIFIED` name so that an enum's number is its index.
 */

const parameterType = enumOf('ParameterType', ['PARAMETER_TYPE_ENUM_UNSPECIFIED', ...PARAMETER_TYPES]);
const primitiveType = enumOf('PrimitiveType', ['PRIMITIVE_TYPE_UNSPECIFIED', ...PRIMITIVE_TYPES]);
const triggerStrategy = enumOf('TriggerStrategy', ['TRIGGER_STRATEGY_UNSPECIFIED', ...TRIGGER_STRATEGIES]);

const artifactTypeSchema = (): MessageSchema => ({
  name: 'ArtifactTypeSchema',
  fields: { schemaTitle: string, schemaUri: string, instanceSchema: string, schemaVersion: string },
  oneofs: [{ fields: ['schemaTitle', 'schemaUri', 'instanceSchema'], required: true }],
});

const inputArtifactDefinition = (): MessageSchema => ({
  name: 'ComponentInputsSpec.ArtifactSpec',
  fields: {
    artifactType: message(artifactTypeSchema),
    isArtifactList: boolean,
    isOptional: boolean,
    description: string,
  },
  required: ['artifactType'],
});

const inputParameterDefinition = (): MessageSchema => ({
  name: 'ComponentInputsSpec.ParameterSpec',
  fields: {
    type: primitiveType,
    parameterType,
    defaultValue: value,
    isOptional: boolean,
    description: string,
  },
});

const componentInputsSpec = (): MessageSchema => ({
  name: 'ComponentInputsSpec',
  fields: {
    artifacts: mapOf(message(inputArtifactDefinition)),
    parameters: mapOf(message(inputParameterDefinition)),
  },
});

const outputArtifactDefinition = (): MessageSchema => ({
  name: 'ComponentOutputsSpec.ArtifactSpec',
  fields: {
    artifactType: message(artifactTypeSchema),
    properties: mapOf(message(valueOrRuntimeParameter)),
    customProperties: mapOf(message(valueOrRuntimeParameter)),
    metadata: struct,
    isArtifactList: boolean,
    description: string,
  },
  required: ['artifactType'],
});

const outputParameterDefinition = (): MessageSchema => ({
  name: 'ComponentOutputsSpec.ParameterSpec',
  fields: { type: primitiveType, parameterType, description: string },
});

const componentOutputsSpec = (): MessageSchema => ({
  name: 'ComponentOutputsSpec',
  fields: {
    artifacts: mapOf(message(outputArtifactDefinition)),
    parameters: mapOf(message(outputParameterDefinition)),
  },
});

export const componentSpecSchema = (): MessageSchema => ({
  name: 'ComponentSpec',
  fields: {
    inputDefinitions: message(componentInputsSpec),
    outputDefinitions: message(componentOutputsSpec),
    dag: message(dagSpec),
    executorLabel: string,
    singlePlatformSpecs: listOf(struct),
  },
  oneofs: [{ fields: ['dag', 'executorLabel'], required: true }],
});

const artifactSelector = (): MessageSchema => ({
  name: 'DagOutputsSpec.ArtifactSelectorSpec',
  fields: { producerSubtask: string, outputArtifactKey: string },
  required: ['producerSubtask', 'outputArtifactKey'],
});

const parameterSelector = (): MessageSchema => ({
  name: 'DagOutputsSpec.ParameterSelectorSpec',
  fields: { producerSubtask: string, outputParameterKey: string },
  required: ['producerSubtask', 'outputParameterKey'],
});

const dagOutputsSpec = (): MessageSchema => ({
  name: 'DagOutputsSpec',
  fields: {
    artifacts: mapOf(
      message(() => ({
        name: 'DagOutputsSpec.DagOutputArtifactSpec',
        fields: { artifactSelectors: listOf(message(artifactSelector)) },
      })),
    ),
    parameters: mapOf(
      message(() => ({
        name: 'DagOutputsSpec.DagOutputParameterSpec',
        fields: {
          valueFromParameter: message(parameterSelector),
          valueFromOneof: message(() => ({
            name: 'DagOutputsSpec.ParameterSelectorsSpec',
            fields: { parameterSelectors: listOf(message(parameterSelector)) },
          })),
        },
        oneofs: [{ fields: ['valueFromParameter', 'valueFromOneof'], required: true }],
      })),
    ),
  },
});

const dagSpec = (): MessageSchema => ({
  name: 'DagSpec',
  fields: { tasks: mapOf(message(pipelineTaskSpec)), outputs: message(dagOutputsSpec) },
});

const valueOrRuntimeParameter = (): MessageSchema => ({
  name: 'ValueOrRuntimeParameter',
  fields: {
    constantValue: message(() => ({
      name: 'Value',
      fields: { intValue: int64, doubleValue: double, stringValue: string },
      oneofs: [{ fields: ['intValue', 'doubleValue', 'stringValue'], required: true }],
    })),
    runtimeParameter: string,
    constant: value,
  },
  oneofs: [{ fields: ['constantValue', 'runtimeParameter', 'constant'], required: true }],
});

const taskInputsSpec = (): MessageSchema => ({
  name: 'TaskInputsSpec',
  fields: {
    parameters: mapOf(
      message(() => ({
        name: 'TaskInputsSpec.InputParameterSpec',
        fields: {
          taskOutputParameter: message(() => ({
            name: 'TaskInputsSpec.InputParameterSpec.TaskOutputParameterSpec',
            fields: { producerTask: string, outputParameterKey: string },
            required: ['producerTask', 'outputParameterKey'],
          })),
          runtimeValue: message(valueOrRuntimeParameter),
          componentInputParameter: string,
          taskFinalStatus: message(() => ({
            name: 'TaskInputsSpec.InputParameterSpec.TaskFinalStatus',
            fields: { producerTask: string },
            required: ['producerTask'],
          })),
          parameterExpressionSelector: string,
        },
        oneofs: [
          {
            fields: ['taskOutputParameter', 'runtimeValue', 'componentInputParameter', 'taskFinalStatus'],
            required: true,
          },
        ],
      })),
    ),
    artifacts: mapOf(
      message(() => ({
        name: 'TaskInputsSpec.InputArtifactSpec',
        fields: {
          taskOutputArtifact: message(() => ({
            name: 'TaskInputsSpec.InputArtifactSpec.TaskOutputArtifactSpec',
            fields: { producerTask: string, outputArtifactKey: string },
            required: ['producerTask', 'outputArtifactKey'],
          })),
          componentInputArtifact: string,
        },
        oneofs: [{ fields: ['taskOutputArtifact', 'componentInputArtifact'], required: true }],
      })),
    ),
  },
});

const pipelineTaskSpec = (): MessageSchema => ({
  name: 'PipelineTaskSpec',
  fields: {
    taskInfo: message(() => ({ name: 'PipelineTaskInfo', fields: { name: string } })),
    inputs: message(taskInputsSpec),
    dependentTasks: listOf(string),
    cachingOptions: message(() => ({
      name: 'PipelineTaskSpec.CachingOptions',
      fields: { enableCache: boolean, cacheKey: string },
    })),
    componentRef: message(() => ({ name: 'ComponentRef', fields: { name: string }, required: ['name'] })),
    triggerPolicy: message(() => ({
      name: 'PipelineTaskSpec.TriggerPolicy',
      fields: { condition: string, strategy: triggerStrategy },
    })),
    artifactIterator: message(() => ({
      name: 'ArtifactIteratorSpec',
      fields: {
        items: message(() => ({
          name: 'ArtifactIteratorSpec.ItemsSpec',
          fields: { inputArtifact: string },
          required: ['inputArtifact'],
        })),
        itemInput: string,
      },
      required: ['items', 'itemInput'],
    })),
    parameterIterator: message(() => ({
      name: 'ParameterIteratorSpec',
      fields: {
        items: message(() => ({
          name: 'ParameterIteratorSpec.ItemsSpec',
          fields: { raw: string, inputParameter: string },
          oneofs: [{ fields: ['raw', 'inputParameter'], required: true }],
        })),
        itemInput: string,
      },
      required: ['items', 'itemInput'],
    })),
    retryPolicy: message(() => ({
      name: 'PipelineTaskSpec.RetryPolicy',
      fields: {
        maxRetryCount: int32,
        backoffDuration: duration,
        backoffFactor: double,
        backoffMaxDuration: duration,
      },
    })),
    iteratorPolicy: message(() => ({
      name: 'PipelineTaskSpec.IteratorPolicy',
      fields: { parallelismLimit: int32 },
    })),
  },
  required: ['componentRef'],
  oneofs: [{ fields: ['artifactIterator', 'parameterIterator'], required: false }],
});

const execCommand = (): MessageSchema => ({
  name: 'PipelineContainerSpec.Lifecycle.Exec',
  fields: { command: listOf(string), args: listOf(string) },
});

const containerSpec = (): MessageSchema => ({
  name: 'PipelineContainerSpec',
  fields: {
    image: string,
    command: listOf(string),
    args: listOf(string),
    lifecycle: message(() => ({
      name: 'PipelineContainerSpec.Lifecycle',
      fields: { preCacheCheck: message(execCommand) },
    })),
    resources: message(() => ({
      name: 'PipelineContainerSpec.ResourceSpec',
      fields: {
        cpuLimit: double,
        memoryLimit: double,
        cpuRequest: double,
        memoryRequest: double,
        resourceCpuLimit: string,
        resourceMemoryLimit: string,
        resourceCpuRequest: string,
        resourceMemoryRequest: string,
        accelerator: message(() => ({
          name: 'PipelineContainerSpec.ResourceSpec.AcceleratorConfig',
          fields: { type: string, count: int64, resourceType: string, resourceCount: string },
        })),
      },
    })),
    env: listOf(
      message(() => ({
        name: 'PipelineContainerSpec.EnvVar',
        fields: { name: string, value: string },
        required: ['name'],
      })),
    ),
  },
  required: ['image'],
});

const importerSpec = (): MessageSchema => ({
  name: 'ImporterSpec',
  fields: {
    artifactUri: message(valueOrRuntimeParameter),
    typeSchema: message(artifactTypeSchema),
    properties: mapOf(message(valueOrRuntimeParameter)),
    customProperties: mapOf(message(valueOrRuntimeParameter)),
    metadata: struct,
    reimport: boolean,
    downloadToWorkspace: boolean,
  },
  required: ['artifactUri', 'typeSchema'],
});

const resolverSpec = (): MessageSchema => ({
  name: 'ResolverSpec',
  fields: {
    outputArtifactQueries: mapOf(
      message(() => ({
        name: 'ResolverSpec.ArtifactQuerySpec',
        fields: { filter: string, limit: int32 },
      })),
    ),
  },
});

const executorSpec = (): MessageSchema => ({
  name: 'ExecutorSpec',
  fields: {
    container: message(containerSpec),
    importer: message(importerSpec),
    resolver: message(resolverSpec),
    customJob: struct,
  },
  oneofs: [{ fields: ['container', 'importer', 'resolver', 'customJob'], required: true }],
});

export const pipelineSpecSchema = (): MessageSchema => ({
  name: 'PipelineSpec',
  fields: {
    pipelineInfo: message(() => ({
      name: 'PipelineInfo',
      fields: { name: string, displayName: string, description: string },
      required: ['name'],
    })),
    deploymentSpec: message(() => ({
      name: 'PipelineDeploymentConfig',
      fields: { executors: mapOf(message(executorSpec)) },
    })),
    sdkVersion: string,
    schemaVersion: string,
    components: mapOf(message(componentSpecSchema)),
    root: message(componentSpecSchema),
    defaultPipelineRoot: string,
  },
  required: ['pipelineInfo', 'schemaVersion', 'root'],
});

export const platformSpecSchema = (): MessageSchema => ({
  name: 'PlatformSpec',
  fields: {
    platforms: mapOf(
      message(() => ({
        name: 'SinglePlatformSpec',
        fields: {
          deploymentSpec: message(() => ({
            name: 'PlatformDeploymentConfig',
            fields: { executors: mapOf(struct) },
          })),
          platform: string,
          config: struct,
          pipelineConfig: struct,
        },
      })),
    ),
  },
});
