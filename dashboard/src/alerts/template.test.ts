import { describe, expect, it } from 'vitest';
import { expand, templateProblem } from './template';

describe('alert text templates', () => {
  const labels = ['alertname', 'server_id', 'team'];

  it('fills in labels, an absent one as empty, and the value', () => {
    const text = '{{ $labels.server_id }}/{{$labels.team}}: {{ $value }} {{ $labels.alertname }}!';
    expect(templateProblem(text, labels, true)).toBeUndefined();
    expect(expand(text, { server_id: 'web-1', alertname: 'Cpu' }, '97.5')).toBe('web-1/: 97.5 Cpu!');
    expect(expand('plain text, 无占位符', {}, '')).toBe('plain text, 无占位符');
  });

  it('names the placeholder it does not know and lists the valid ones', () => {
    expect(templateProblem('{{ $labels.nope }}', labels, false)).toBe(
      '{{ $labels.nope }} is not a placeholder of this rule; valid: {{ $labels.alertname }}, {{ $labels.server_id }}, {{ $labels.team }}',
    );
    expect(templateProblem('{{ $value }}', labels, false)).toMatch(/^\{\{ \$value \}\} is not a placeholder/);
    expect(templateProblem('{{ $value | humanize }}', labels, true)).toMatch(/valid: .*\{\{ \$value \}\}$/);
    expect(templateProblem('{{ $labels.team }} {{', labels, false)).toBe('a "{{" is not closed by "}}"');
  });
});
