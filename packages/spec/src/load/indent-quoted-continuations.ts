/**
 * YAML 1.2 requires the continuation lines of a multi-line quoted scalar to be indented deeper than the
 * block that holds it. libyaml and PyYAML, which KFP reads specs with, do not check this, so specs written
 * or re-indented by hand (KFP's own `pipeline_with_secret_as_env.yaml` is one) carry continuation lines at
 * the column of the `- ` before them, and a strict parser rejects them.
 *
 * This rewrites only such continuation lines, indenting them to the column of the opening quote. The value
 * of the scalar does not change: a quoted scalar discards the leading white space of its continuation lines.
 * It recognises a quoted scalar only where one unambiguously starts (right after `- ` or `key: `), and the
 * loader uses its result only when the original text fails to parse and the rewritten text parses cleanly.
 */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  let open: { quote: '"' | "'"; column: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    let scanFrom: number;
    if (open === undefined) {
      const start = QUOTED_VALUE_START.exec(line);
      if (start === null) continue;
      const column = start[0].length - 1;
      open = { quote: start[0].endsWith('"') ? '"' : "'", column };
      scanFrom = column + 1;
    } else {
      const indent = line.length - line.trimStart().length;
      if (line.trim() !== '' && indent < open.column) {
        lines[index] = ' '.repeat(open.column) + line.trimStart();
      }
      scanFrom = open.column;
    }
    const current = lines[index] ?? '';
    if (closesQuote(current, scanFrom, open.quote)) open = undefined;
  }
  return lines.join('\n');
}

/** `- "`, `key: "` and `- key: "` (or with `'`) at the start of a line, outside comments. */
const QUOTED_VALUE_START = /^\s*(?:-\s+)*(?:[^\s#'"][^#]*?:\s+)?["']/;

function closesQuote(line: string, from: number, quote: '"' | "'"): boolean {
  for (let position = from; position < line.length; position++) {
    const char = line[position];
    if (quote === '"' && char === '\\') {
      position++;
    } else if (char === quote) {
      if (quote === "'" && line[position + 1] === "'") position++;
      else return true;
    }
  }
  return false;
}
