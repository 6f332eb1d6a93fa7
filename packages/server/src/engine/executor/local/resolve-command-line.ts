import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ArgumentTemplate,
  type JsonValue,
  type Placeholder,
  PlaceholderSyntaxError,
  parseArgument,
  type SystemPlaceholder,
} from '@cairn/spec';
import { errorMessage } from '../../../errors.ts';
import type { ExecutorInputJson, RuntimeArtifactJson } from './executor-input.ts';
import { parameterText } from './parameter-text.ts';
import { TaskFailure } from './task-failure.ts';

/** What placeholders resolve against. */
export interface PlaceholderScope {
  /** The task's ExecutorInput: parameter values (defaults included), artifacts and output locations. */
  readonly executorInput: ExecutorInputJson;
  /** The inputs that were given, which `IfPresent` tests. */
  readonly provided: ReadonlySet<string>;
  /** The value of a system placeholder, or undefined to leave it as written. */
  system(name: SystemPlaceholder): string | undefined;
}

/**
 * Resolves a container's command and arguments (one list, command first) into the argv of the process:
 * every string and structured placeholder KFP defines. `IfPresent` yields its chosen branch's arguments
 * (possibly none), `Concat` one argument. Placeholders this version does not know are passed through
 * unchanged, as the validator warns. Throws a TaskFailure for a placeholder that names an input without a
 * value or a malformed structured placeholder.
 *
 * @example
 * resolveCommandLine(['echo', "{{$.inputs.parameters['text']}}"], scope); // ['echo', 'hello']
 */
export function resolveCommandLine(strings: readonly string[], scope: PlaceholderScope): string[] {
  return strings.flatMap((text, index) => {
    let template: ArgumentTemplate;
    try {
      template = parseArgument(text);
    } catch (error) {
      if (!(error instanceof PlaceholderSyntaxError)) throw error;
      throw new TaskFailure(`command line element ${index} has a malformed placeholder: ${error.message}`);
    }
    return resolveTemplate(template, scope);
  });
}

function resolveTemplate(template: ArgumentTemplate, scope: PlaceholderScope): string[] {
  switch (template.kind) {
    case 'text':
      return [
        template.parts
          .map((part) => (typeof part === 'string' ? part : placeholderValue(part, scope)))
          .join(''),
      ];
    case 'concat':
      return [template.items.flatMap((item) => resolveTemplate(item, scope)).join('')];
    case 'ifPresent': {
      const branch = scope.provided.has(template.inputName) ? template.whenPresent : template.whenAbsent;
      return branch.flatMap((item) => resolveTemplate(item, scope));
    }
  }
}

function placeholderValue(placeholder: Placeholder, scope: PlaceholderScope): string {
  const { inputs, outputs } = scope.executorInput;
  switch (placeholder.kind) {
    case 'executorInput':
      return JSON.stringify(scope.executorInput);
    case 'inputParameter': {
      const values = inputs.parameterValues ?? {};
      if (!Object.hasOwn(values, placeholder.name)) {
        throw new TaskFailure(
          `{{$.inputs.parameters['${placeholder.name}']}} names input parameter '${placeholder.name}', which has ` +
            'no value: it was not given and has no default (an optional input belongs inside an IfPresent placeholder)',
        );
      }
      return parameterText(values[placeholder.name] as JsonValue);
    }
    case 'inputArtifact':
      return inputArtifactValue(placeholder, scope);
    case 'outputParameterFile': {
      const file = outputs.parameters?.[placeholder.name]?.outputFile;
      if (file === undefined) throw undeclared('output parameter', placeholder.name);
      return file;
    }
    case 'outputArtifact': {
      const artifact = outputs.artifacts?.[placeholder.name]?.artifacts[0];
      if (artifact === undefined) throw undeclared('output artifact', placeholder.name);
      return artifactField(artifact, placeholder.field);
    }
    case 'outputMetadataFile':
      return outputs.outputFile;
    case 'system':
      return scope.system(placeholder.name) ?? `{{$.${placeholder.name}}}`;
    case 'unknown':
      return placeholder.text;
  }
}

function inputArtifactValue(
  placeholder: Extract<Placeholder, { kind: 'inputArtifact' }>,
  scope: PlaceholderScope,
): string {
  const list = scope.executorInput.inputs.artifacts?.[placeholder.name]?.artifacts ?? [];
  // The bare form prints the whole list, which is empty for an optional list input that received nothing.
  if (placeholder.field === 'artifact') return JSON.stringify(list);
  // Like KFP's launcher, a field of a list input reads its first artifact.
  const artifact = list[0];
  if (artifact === undefined) {
    throw new TaskFailure(
      `a placeholder reads input artifact '${placeholder.name}', which was not given ` +
        '(an optional input belongs inside an IfPresent placeholder)',
    );
  }
  switch (placeholder.field) {
    case 'metadataKey': {
      const key = placeholder.key ?? '';
      return parameterText(
        Object.hasOwn(artifact.metadata, key) ? (artifact.metadata[key] as JsonValue) : null,
      );
    }
    case 'value':
      // KFP's v1-compatible launcher passed an artifact "by value": its file's content.
      try {
        return readFileSync(fileURLToPath(artifact.uri), 'utf8');
      } catch (error) {
        throw new TaskFailure(
          `{{$.inputs.artifacts['${placeholder.name}'].value}} reads the artifact's file, which failed: ${errorMessage(error)}`,
        );
      }
    default:
      return artifactField(artifact, placeholder.field);
  }
}

function artifactField(artifact: RuntimeArtifactJson, field: 'uri' | 'path' | 'metadata'): string {
  if (field === 'uri') return artifact.uri;
  if (field === 'path') return fileURLToPath(artifact.uri);
  return JSON.stringify(artifact.metadata);
}

function undeclared(kind: string, name: string): TaskFailure {
  return new TaskFailure(`a placeholder names ${kind} '${name}', which the component does not declare`);
}
