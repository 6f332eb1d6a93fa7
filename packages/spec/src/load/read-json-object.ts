/**
 * Nesting this deep is no pipeline spec (KFP's compiled fixtures nest 13 levels at most); the YAML parser,
 * which recurses, gives up somewhere past a thousand levels, where JSON.parse goes on, so such text is left
 * to it.
 */
const MAX_DEPTH = 100;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const CARRIAGE_RETURN = 0x0d;
const LINE_FEED = 0x0a;

/**
 * The object a JSON text holds, when reading the text as YAML would give the very same object; otherwise
 * undefined, and only the YAML parser can say what the text holds or what is wrong with it.
 *
 * JSON is YAML 1.2, and specs sent inline through the API are stored as JSON, but the YAML parser reads
 * them several times slower than JSON.parse. The two readings differ only where this looks:
 * - a key twice in one object: YAML refuses it (the loader asks for unique keys), JSON.parse keeps the last;
 * - a carriage return not followed by a line feed: JSON.parse skips it as white space, the YAML parser
 *   reads it into the scalar that follows;
 * - nesting deeper than the YAML parser can follow.
 * Anything else JSON.parse accepts (numbers large, tiny or negative zero, escapes, lone surrogates, tabs,
 * a key named `__proto__`, which both keep as an own property) reads the same both ways.
 */
export function readJsonObject(text: string): Record<string, unknown> | undefined {
  if (!startsWithBrace(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const members = membersInText(text);
  if (members === undefined || members !== membersInValue(value)) return undefined;
  return value as Record<string, unknown>;
}

/** Whether the first character after JSON's white space opens an object: anything else is no spec as JSON. */
function startsWithBrace(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === OPEN_BRACE) return true;
    if (code !== 0x20 && code !== 0x09 && code !== LINE_FEED && code !== CARRIAGE_RETURN) return false;
  }
  return false;
}

/**
 * How many object members valid JSON text writes (one colon outside strings each), or undefined when it
 * nests too deeply or holds a lone carriage return.
 */
function membersInText(text: string): number | undefined {
  let members = 0;
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      for (index++; index < text.length && text.charCodeAt(index) !== QUOTE; index++) {
        if (text.charCodeAt(index) === BACKSLASH) index++;
      }
    } else if (code === COLON) {
      members++;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > MAX_DEPTH) return undefined;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    } else if (code === CARRIAGE_RETURN && text.charCodeAt(index + 1) !== LINE_FEED) {
      return undefined;
    }
  }
  return members;
}

/** How many members the parsed objects hold in all: fewer than the text wrote when a key was repeated. */
function membersInValue(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let members = 0;
  if (Array.isArray(value)) {
    for (const item of value) members += membersInValue(item);
    return members;
  }
  for (const item of Object.values(value)) members += 1 + membersInValue(item);
  return members;
}
