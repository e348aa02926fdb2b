/**
 * Entry of the Connection Usage page (bundled by esbuild to dist/usage.js and dist/usage.css):
 * requests or tokens per day as an SVG drawn here, a table per connection, Reset Usage.
 * Everything arrives by message and is set with textContent; the page keeps no state.
 */
import '@vscode/codicons/dist/codicon.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '../page.css';
import './usage.css';
import { clear, el, icon } from '../dom';
import { compactNumber, duration, type UsageViewData, type UsageViewDay } from '../../src/core/usage/protocol';

type Metric = 'requests' | 'tokens';

const vscode = acquireVsCodeApi();
const root = document.getElementById('app')!;
const SVG = 'http://www.w3.org/2000/svg';
let data: UsageViewData | undefined;
let metric: Metric = 'requests';
/** The day the keyboard (or the pointer) is on, as an index into data.days. */
let selected: number | undefined;
let resizer: ResizeObserver | undefined;

let violations = 0;
document.addEventListener('securitypolicyviolation', (e) => {
  violations++;
  document.body.dataset.cspViolations = String(violations);
  console.warn(`CSP violation: ${e.violatedDirective}`);
});

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data as Partial<UsageViewData> | null;
  if (!m || m.type !== 'usage' || !Array.isArray(m.rows) || !Array.isArray(m.days)) return;
  data = m as UsageViewData;
  if (selected !== undefined && selected >= data.days.length) selected = undefined;
  render();
});
vscode.postMessage({ type: 'ready' });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function dayLabel(day: string): string {
  const [, m, d] = day.split('-').map(Number);
  return `${MONTHS[m - 1] ?? '?'} ${d}`;
}
const plural = (n: number, one: string, many = `${one}s`): string => `${compactNumber(n)} ${n === 1 ? one : many}`;

function render(): void {
  if (!data) return;
  const d = data;
  clear(root);
  root.className = '';
  const total = d.rows.reduce((n, r) => n + r.requests, 0);
  const header = el('header', { class: 'page-header' },
    el('div', { class: 'header-icon' }, icon('graph')),
    el('div', { class: 'header-text' },
      el('h1', { text: 'Connection Usage' }),
      el('p', { class: 'subtitle', text: `Requests through your connections used as chat models, last ${d.retentionDays} days. Only counts and times are kept — never the prompt or the reply.` })),
  );
  if (!d.readOnly && d.rows.length > 0) {
    const reset = el('vscode-button', { secondary: true, icon: 'clear-all', text: 'Reset Usage…', title: 'Forget the usage of all connections in this workspace (asks first)' });
    reset.addEventListener('click', () => vscode.postMessage({ type: 'reset' }));
    header.append(el('div', { class: 'header-actions' }, reset));
  }
  root.append(header);
  if (d.readOnly) {
    root.append(el('p', { class: 'note restricted', role: 'note' }, icon('shield'), ' Restricted Mode: usage is shown read-only. Connections are not offered as chat models here, so nothing new is recorded.'));
  }
  if (d.rows.length === 0 || total === 0) {
    root.append(emptyState(d));
    return;
  }
  root.append(chartSection(d), tableSection(d));
}

function emptyState(d: UsageViewData): HTMLElement {
  return el('section', { class: 'empty', 'aria-label': 'No usage yet' },
    icon('graph', 'empty-icon'),
    el('h2', { text: 'No usage recorded yet' }),
    el('p', { text: 'Agent Connections offers every enabled connection that has a key on this machine as a chat model named model/connection. When an extension or the chat sends a request through one (vscode.lm), it is counted here: requests, tokens, errors by outcome, and how long replies take.' }),
    el('p', { class: 'muted', text: `Usage is kept in this workspace's storage for ${d.retentionDays} days. Disabled connections and connections without a key are not offered.` }),
  );
}

// ------------------------------------------------------------------------------ chart

interface Segment { cls: string; label: string; value: number }

function segments(day: UsageViewDay): Segment[] {
  if (metric === 'tokens') return [{ cls: 'bar-input', label: 'input tokens', value: day.inputTokens }, { cls: 'bar-output', label: 'output tokens', value: day.outputTokens }];
  return [
    { cls: 'bar-ok', label: 'answered', value: Math.max(0, day.requests - day.errors - day.cancelled) },
    { cls: 'bar-error', label: 'failed', value: day.errors },
    { cls: 'bar-cancelled', label: 'cancelled', value: day.cancelled },
  ];
}

function readout(day: UsageViewDay): string {
  if (metric === 'tokens') return `${dayLabel(day.day)}: ${compactNumber(day.inputTokens)} input and ${compactNumber(day.outputTokens)} output tokens`;
  const extra = [day.errors ? plural(day.errors, 'error') : '', day.cancelled ? `${compactNumber(day.cancelled)} cancelled` : ''].filter(Boolean).join(', ');
  return `${dayLabel(day.day)}: ${plural(day.requests, 'request')}${extra ? ` (${extra})` : ''}`;
}

/** The top of the scale: 2, 4, 6, 8, 10, 20, 40 … at or above `n`, so that its half is a whole number too. */
function niceMax(n: number): number {
  if (n <= 2) return 2;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 4, 6, 8, 10].map((f) => f * p).find((v) => v >= n && Number.isInteger(v / 2))!;
}

function chartSection(d: UsageViewData): HTMLElement {
  const group = el('vscode-radio-group', { variant: 'horizontal', 'aria-label': 'Show per day' },
    el('vscode-radio', { name: 'metric', value: 'requests', label: 'Requests', checked: metric === 'requests' }),
    el('vscode-radio', { name: 'metric', value: 'tokens', label: 'Tokens', checked: metric === 'tokens' }));
  group.addEventListener('change', (e) => {
    const v = (e.target as { value?: string } | null)?.value;
    if ((v === 'requests' || v === 'tokens') && v !== metric) {
      metric = v;
      render();
      (document.querySelector('.chart') as HTMLElement | null)?.focus();
    }
  });
  const live = el('p', { class: 'chart-readout', 'aria-live': 'polite' });
  const chart = el('div', { class: 'chart', tabindex: '0', role: 'img' });
  const totals = d.days.reduce((n, x) => n + segments(x).reduce((m, s) => m + s.value, 0), 0);
  chart.setAttribute('aria-label', `${metric === 'tokens' ? 'Tokens' : 'Requests'} per day, last ${d.days.length} days: ${compactNumber(totals)} in all. Left and right arrow keys move between days.`);
  const draw = () => drawChart(chart, d, live);
  chart.addEventListener('keydown', (e) => {
    const last = d.days.length - 1;
    const at = selected ?? last;
    const next = e.key === 'ArrowLeft' ? Math.max(0, at - 1) : e.key === 'ArrowRight' ? Math.min(last, at + 1) : e.key === 'Home' ? 0 : e.key === 'End' ? last : undefined;
    if (next === undefined) return;
    e.preventDefault();
    selected = next;
    draw();
  });
  chart.addEventListener('focus', () => {
    if (selected === undefined) {
      selected = d.days.length - 1;
      draw();
    }
  });
  resizer?.disconnect();
  resizer = new ResizeObserver(() => draw());
  resizer.observe(chart);
  const legend = el('div', { class: 'legend', 'aria-hidden': 'true' }, ...segments(d.days[0]).map((s) => el('span', { class: 'legend-item' }, el('span', { class: `swatch ${s.cls}` }), s.label)));
  return el('section', { class: 'chart-section' },
    el('div', { class: 'section-head' }, el('h2', { text: 'Per day' }), group),
    chart, legend, live);
}

function drawChart(host: HTMLElement, d: UsageViewData, live: HTMLElement): void {
  const width = Math.max(320, host.clientWidth);
  const height = 180;
  const left = 44;
  const right = 8;
  const top = 10;
  const bottom = 24;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(...d.days.map((x) => segments(x).reduce((n, s) => n + s.value, 0))));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('aria-hidden', 'true');
  const add = (tag: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node);
    return node;
  };
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    add('line', { x1: left, x2: width - right, y1: y, y2: y, class: f === 0 ? 'axis' : 'grid' });
    add('text', { x: left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, compactNumber(max * f));
  }
  const slot = plotW / d.days.length;
  const barW = Math.max(2, Math.min(24, slot * 0.7));
  d.days.forEach((day, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    if (i === selected) add('rect', { x: left + i * slot, y: top, width: slot, height: plotH, class: 'selected-day' });
    let y = top + plotH;
    for (const s of segments(day)) {
      if (s.value <= 0) continue;
      const h = Math.max(1, (s.value / max) * plotH);
      y -= h;
      add('rect', { x, y, width: barW, height: h, class: `bar ${s.cls}` });
    }
    // A transparent column per day: the pointer selects the day like the arrow keys do.
    const hit = add('rect', { x: left + i * slot, y: top, width: slot, height: plotH, class: 'hit' });
    hit.addEventListener('mouseenter', () => {
      if (selected === i) return;
      selected = i;
      drawChart(host, d, live);
    });
    const isLast = i === d.days.length - 1;
    if (i % 7 === (d.days.length - 1) % 7 || isLast) add('text', { x: left + i * slot + slot / 2, y: height - 6, class: 'tick', 'text-anchor': isLast ? 'end' : 'middle' }, isLast ? 'Today' : dayLabel(day.day));
  });
  host.replaceChildren(svg);
  live.textContent = selected !== undefined && d.days[selected] ? readout(d.days[selected]) : 'Point at a day, or focus the chart and use the arrow keys, to read its numbers.';
}

// ------------------------------------------------------------------------------ table

function tableSection(d: UsageViewData): HTMLElement {
  const head = el('tr', {}, ...['Connection', 'Requests', 'Errors', 'Tokens in / out', 'First token p50 / p95', 'Total p50 / p95', 'Last used'].map((h, i) =>
    el('th', { scope: 'col', class: i === 0 ? '' : 'num', text: h })));
  const ms = (a?: number, b?: number): string => (a === undefined || b === undefined ? '—' : `${duration(a)} / ${duration(b)}`);
  const body = el('tbody', {}, ...d.rows.map((r) => el('tr', { class: r.removed ? 'removed' : '' },
    el('th', { scope: 'row', class: 'connection' },
      el('span', { class: 'reference', text: r.reference }),
      r.removed ? el('span', { class: 'badge', text: 'removed', title: 'No longer in the manifest (removed or renamed): kept until Reset Usage' }) : null,
      el('span', { class: 'muted detail', text: [r.provider, r.folder].filter(Boolean).join(' · ') })),
    el('td', { class: 'num', text: compactNumber(r.requests) }),
    el('td', { class: 'num' },
      el('span', { text: compactNumber(r.errors), class: r.errors > 0 ? 'errors' : '' }),
      r.errorDetail || r.cancelled ? el('span', { class: 'muted detail', text: [r.errorDetail, r.cancelled ? `cancelled ${r.cancelled}` : ''].filter(Boolean).join(', ') }) : null),
    el('td', { class: 'num', title: r.estimated ? 'In part estimated (about 4 characters a token): the provider reported no counts for some requests' : 'As the provider reported them' },
      `${r.estimated ? '~' : ''}${compactNumber(r.inputTokens)} / ${compactNumber(r.outputTokens)}`),
    el('td', { class: 'num', text: ms(r.firstP50, r.firstP95) }),
    el('td', { class: 'num', text: ms(r.totalP50, r.totalP95) }),
    el('td', { class: 'num', text: r.lastDay ? dayLabel(r.lastDay) : '—' }),
  )));
  return el('section', { class: 'table-section' },
    el('h2', { text: 'Per connection' }),
    el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, head), body)),
    el('p', { class: 'muted note', text: `Latency is measured in the editor from the request to the first text or tool call, and to the end of the reply, over the last ${d.latencySamples} successful requests of each connection. Errors are counted by outcome, as in Test Connection. ~ marks token counts that are in part our estimate because the provider reported none.` }));
}
