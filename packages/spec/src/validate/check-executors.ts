import type { IssueCollector, PathSegment } from '../issues/spec-issue.ts';
import { didYouMean } from '../issues/suggest.ts';
import type { ComponentSpec, ContainerSpec } from '../model/pipeline-spec.ts';
import {
  type Placeholder,
  PlaceholderSyntaxError,
  parseArgument,
  parseTemplateText,
  placeholdersOf,
} from '../placeholders/parse-placeholders.ts';
import { resourceFields } from './resource-placeholders.ts';
import { keysOf, type SpecIndex } from './spec-index.ts';

/**
 * Checks each executor against the components that use it: a container's placeholders may only name the
 * component's inputs and outputs, and an importer reads its URI from an input the component declares.
 */
export function checkExecutors(index: SpecIndex, issues: IssueCollector): void {
  for (const site of index.sites()) {
    const label = site.component.executorLabel;
    const executor = label === undefined ? undefined : index.spec.deploymentSpec?.executors?.[label];
    if (label === undefined || executor === undefined) continue;
    const path: PathSegment[] = ['deploymentSpec', 'executors', label];
    if (executor.container)
      checkContainer(executor.container, site.component, [...path, 'container'], issues);
    const uriParameter = executor.importer?.artifactUri.runtimeParameter;
    if (
      uriParameter !== undefined &&
      !keysOf(site.component.inputDefinitions?.parameters).includes(uriParameter)
    ) {
      issues.error(
        'INPUT_UNDEFINED',
        [...path, 'importer', 'artifactUri', 'runtimeParameter'],
        `the importer reads its URI from "${uriParameter}", which component "${site.name}" does not declare as an input parameter`,
      );
    }
  }
}

function checkContainer(
  container: ContainerSpec,
  component: ComponentSpec,
  path: readonly PathSegment[],
  issues: IssueCollector,
): void {
  const strings: [PathSegment[], string][] = [
    ...(container.command ?? []).map((text, position): [PathSegment[], string] => [
      [...path, 'command', position],
      text,
    ]),
    ...(container.args ?? []).map((text, position): [PathSegment[], string] => [
      [...path, 'args', position],
      text,
    ]),
  ];
  for (const [argumentPath, text] of strings) {
    let used: ReturnType<typeof placeholdersOf>;
    try {
      used = placeholdersOf(parseArgument(text));
    } catch (error) {
      if (!(error instanceof PlaceholderSyntaxError)) throw error;
      issues.error('PLACEHOLDER_SYNTAX', argumentPath, error.message);
      continue;
    }
    for (const placeholder of used.placeholders)
      checkPlaceholder(placeholder, component, argumentPath, issues);
    const inputs = [
      ...keysOf(component.inputDefinitions?.parameters),
      ...keysOf(component.inputDefinitions?.artifacts),
    ];
    for (const name of used.ifPresent) {
      if (!inputs.includes(name)) {
        issues.error(
          'PLACEHOLDER_UNDEFINED',
          argumentPath,
          `IfPresent tests input "${name}", which the component does not declare${didYouMean(name, inputs)}`,
        );
      }
    }
  }
  checkResourceSyntax(container, path, issues);
}

/** Resource placeholders name the task's inputs, which the DAG check matches; here only their syntax is judged. */
function checkResourceSyntax(
  container: ContainerSpec,
  path: readonly PathSegment[],
  issues: IssueCollector,
): void {
  for (const [field, text] of resourceFields(container)) {
    try {
      parseTemplateText(text);
    } catch (error) {
      if (!(error instanceof PlaceholderSyntaxError)) throw error;
      issues.error('PLACEHOLDER_SYNTAX', [...path, 'resources', ...field], error.message);
    }
  }
}

function checkPlaceholder(
  placeholder: Placeholder,
  component: ComponentSpec,
  path: readonly PathSegment[],
  issues: IssueCollector,
): void {
  const lookup = (kind: string, name: string, names: string[]): void => {
    if (names.includes(name)) return;
    issues.error(
      'PLACEHOLDER_UNDEFINED',
      path,
      `the placeholder names ${kind} "${name}", which the component does not declare${didYouMean(name, names)}`,
    );
  };
  switch (placeholder.kind) {
    case 'inputParameter':
      lookup('input parameter', placeholder.name, keysOf(component.inputDefinitions?.parameters));
      break;
    case 'inputArtifact':
      lookup('input artifact', placeholder.name, keysOf(component.inputDefinitions?.artifacts));
      break;
    case 'outputParameterFile':
      lookup('output parameter', placeholder.name, keysOf(component.outputDefinitions?.parameters));
      break;
    case 'outputArtifact':
      lookup('output artifact', placeholder.name, keysOf(component.outputDefinitions?.artifacts));
      break;
    case 'unknown':
      issues.warn(
        'PLACEHOLDER_SYNTAX',
        path,
        `${placeholder.text} is not a placeholder Cairn knows; it is passed unchanged`,
      );
      break;
    case 'executorInput':
    case 'outputMetadataFile':
    case 'system':
      break;
  }
}
