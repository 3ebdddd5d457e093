// A rule's own summary and description, with Prometheus's placeholders: `{{ $labels.<name> }}` is one of the
// alert's labels (empty when it has none of that name, as in Prometheus) and `{{ $value }}` the figure a threshold
// rule compared. Nothing else of Go's template language: a rule is checked at start, so a typo stops the dashboard
// instead of reaching a receiver.

const PLACEHOLDER = /\{\{(.*?)\}\}/g;
const LABEL = /^\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;
const VALUE = /^\s*\$value\s*$/;

/** What is wrong with a template, or undefined; `labels` are the names the rule's alerts can have. */
export function templateProblem(
  text: string,
  labels: readonly string[],
  hasValue: boolean,
): string | undefined {
  const valid = [...labels.map((l) => `{{ $labels.${l} }}`), ...(hasValue ? ['{{ $value }}'] : [])];
  for (const [whole, inner = ''] of text.matchAll(PLACEHOLDER)) {
    const label = LABEL.exec(inner)?.[1];
    if (label !== undefined ? labels.includes(label) : hasValue && VALUE.test(inner)) continue;
    return `${whole} is not a placeholder of this rule; valid: ${valid.join(', ')}`;
  }
  if (text.replace(PLACEHOLDER, '').includes('{{')) return 'a "{{" is not closed by "}}"';
  return undefined;
}

/** The template with its placeholders filled in; `value` as the default texts write it (one decimal). */
export function expand(text: string, labels: Readonly<Record<string, string>>, value: string): string {
  return text.replace(PLACEHOLDER, (_whole, inner: string) => {
    const label = LABEL.exec(inner)?.[1];
    return label !== undefined ? (labels[label] ?? '') : value;
  });
}
