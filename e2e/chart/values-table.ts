// Reads values.yaml with its comments and values.schema.json, and derives the README's values table from them, so
// a test can tell when the README, the comments and the defaults drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from 'yaml';
import { chartDir } from './chart';

type Schema = { $ref?: string; properties?: Record<string, Schema>; [key: string]: unknown };

export interface ValueRow {
  path: string;
  /** The default as compact JSON. */
  value: string;
  /** The last paragraph of the comment above the key, on one line. */
  description: string;
}

export const valuesText = () => readFileSync(join(chartDir, 'values.yaml'), 'utf8');
const schemaOf = () => JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Schema;

/** The paragraph right above a key (a file header or a commented-out example above it is another paragraph). */
function lastParagraph(comment: string | undefined | null): string {
  if (!comment) return '';
  const paragraphs = comment.split(/\n\s*\n/);
  return (paragraphs[paragraphs.length - 1] ?? '')
    .split('\n')
    .map((line) => line.trim())
    .join(' ')
    .trim();
}

/**
 * The comment above a map's key. The yaml package attaches the comment above a map's first key to the map, and
 * the comment above a list's first item to the list (passed in as `inherited`).
 */
function commentAbove(map: YAMLMap, index: number, inherited?: string | null): string {
  const key = map.items[index]?.key as Node | undefined;
  return lastParagraph(key?.commentBefore ?? (index === 0 ? (map.commentBefore ?? inherited) : undefined));
}

/** Every key of values.yaml, nested ones and those inside list items too, with the comment above it. */
export function keyComments(): { path: string; comment: string }[] {
  const found: { path: string; comment: string }[] = [];
  const walk = (node: unknown, path: string, inherited?: string | null) => {
    if (isMap(node)) {
      node.items.forEach((pair, i) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = path ? `${path}.${key}` : key;
        found.push({ path: child, comment: commentAbove(node, i, inherited) });
        walk(pair.value, child);
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, `${path}[${i}]`, i === 0 ? node.commentBefore : undefined);
      });
    }
  };
  walk(parseDocument(valuesText()).contents, '');
  return found;
}

/**
 * The values table: one row per setting. A key whose schema lists properties is a group and gets a row per
 * property it sets; anything else (scalars, lists, free-form maps, empty groups like affinity) is one setting.
 */
export function valueRows(): ValueRow[] {
  const schema = schemaOf();
  const resolve = (s: Schema | undefined): Schema | undefined => {
    if (!s?.$ref) return s;
    return (schema.definitions as Record<string, Schema>)[s.$ref.replace('#/definitions/', '')];
  };
  const doc = parseDocument(valuesText());
  const defaults = doc.toJS() as Record<string, unknown>;
  const rows: ValueRow[] = [];
  const walk = (map: YAMLMap, node: Schema | undefined, path: string[]) => {
    map.items.forEach((pair, i) => {
      const key = String((pair.key as { value: unknown }).value);
      const child = [...path, key];
      const sub = resolve(node?.properties?.[key]);
      if (sub?.properties && isMap(pair.value) && pair.value.items.length > 0) {
        walk(pair.value, sub, child);
      } else {
        // biome-ignore lint/suspicious/noExplicitAny: walking parsed YAML.
        const value = child.reduce<any>((object, k) => object?.[k], defaults);
        rows.push({ path: child.join('.'), value: JSON.stringify(value), description: commentAbove(map, i) });
      }
    });
  };
  walk(doc.contents as YAMLMap, schema, []);
  return rows;
}

const escapePipes = (text: string) => text.replace(/\|/g, '\\|');

export function tableLines(rows: ValueRow[]): string[] {
  return [
    '| value | default | description |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| \`${r.path}\` | \`${escapePipes(r.value)}\` | ${escapePipes(r.description)} |`),
  ];
}
