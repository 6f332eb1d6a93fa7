import { stringify as toYaml } from 'yaml';
import type { Output } from '../output.ts';
import type { OutputFormat } from './output-option.ts';

/**
 * Prints what a command read: as JSON or YAML the API's own objects, as a table the lines `table` makes
 * of them.
 */
export function printData(output: Output, format: OutputFormat, data: unknown, table: () => string[]): void {
  switch (format) {
    case 'json':
      output.out(JSON.stringify(data, null, 2));
      return;
    case 'yaml':
      output.out(toYaml(data).trimEnd());
      return;
    case 'table':
      for (const line of table()) output.out(line);
  }
}
