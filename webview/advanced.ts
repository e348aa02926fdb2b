/** Advanced Properties: a key/value editor of headers and other endpoint properties. */
import type { AdvancedRow } from '../src/core/form/formProtocol';
import type { TextControl } from './combo';
import { clear, el, icon } from './dom';

interface RowView {
  row: AdvancedRow;
  root: HTMLElement;
  name: TextControl;
  value: TextControl;
  message: HTMLElement;
}

type SelectControl = HTMLElement & { value: string; disabled: boolean };

export class AdvancedEditor {
  readonly root: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly buttons: HTMLDivElement;
  private views: RowView[] = [];
  /** Rows the user has typed in: their problems show at once. */
  readonly touched = new Set<number>();

  constructor(rows: readonly AdvancedRow[], private readOnly: boolean, private readonly onChange: () => void) {
    this.body = el('div', { class: 'advanced-rows', role: 'group', 'aria-label': 'Advanced Properties' });
    const add = (kind: AdvancedRow['kind'], label: string) => {
      const b = el('vscode-button', { secondary: true, icon: 'add', text: label });
      b.addEventListener('click', () => this.add(kind));
      return b;
    };
    this.buttons = el('div', { class: 'advanced-buttons' }, add('header', 'Add Header'), add('property', 'Add Property'));
    this.root = el('div', { class: 'advanced' }, this.body, this.buttons);
    for (const r of rows) this.views.push(this.makeRow({ ...r }));
    this.render();
  }

  get rows(): AdvancedRow[] {
    return this.views.map((v) => ({ ...v.row }));
  }

  setReadOnly(readOnly: boolean): void {
    this.readOnly = readOnly;
    this.render();
  }

  private add(kind: AdvancedRow['kind']): void {
    const view = this.makeRow({ kind, name: '', value: '' });
    this.views.push(view);
    this.render();
    view.name.focus();
    this.onChange();
  }

  private remove(view: RowView): void {
    const i = this.views.indexOf(view);
    this.views.splice(i, 1);
    // Later rows move up: so does their "touched" mark.
    const moved = [...this.touched].filter((t) => t !== i).map((t) => (t > i ? t - 1 : t));
    this.touched.clear();
    moved.forEach((t) => this.touched.add(t));
    this.render();
    (this.views[Math.min(i, this.views.length - 1)]?.name ?? this.buttons.firstElementChild as HTMLElement | null)?.focus();
    this.onChange();
  }

  private makeRow(row: AdvancedRow): RowView {
    // `label`, not `aria-label`: the web components put it on their inner control, where a screen reader reads it.
    const kind = el('vscode-single-select', { class: 'advanced-kind', label: 'Kind' },
      el('vscode-option', { value: 'header', text: 'Header', selected: row.kind === 'header' }),
      el('vscode-option', { value: 'property', text: 'Property', selected: row.kind === 'property' })) as SelectControl;
    const name = el('vscode-textfield', { class: 'advanced-name', placeholder: row.kind === 'header' ? 'Header name, e.g. X-Title' : 'Property name', label: row.kind === 'header' ? 'Header name' : 'Property name', spellcheck: false }) as TextControl;
    const value = el('vscode-textfield', { class: 'advanced-value', placeholder: 'Value', label: row.kind === 'header' ? 'Header value' : 'Property value', spellcheck: false }) as TextControl;
    name.value = row.name;
    value.value = row.value;
    const removeButton = el('vscode-icon', { name: 'trash', actionIcon: true, label: 'Remove this property', title: 'Remove' });
    const message = el('div', { class: 'message', hidden: true, role: 'alert' });
    const root = el('div', { class: 'advanced-row' }, el('div', { class: 'advanced-cells' }, kind, name, value, removeButton), message);
    const view: RowView = { row, root, name, value, message };
    const changed = () => {
      this.touched.add(this.views.indexOf(view));
      this.onChange();
    };
    kind.addEventListener('change', () => {
      row.kind = kind.value === 'property' ? 'property' : 'header';
      name.placeholder = row.kind === 'header' ? 'Header name, e.g. X-Title' : 'Property name';
      name.label = row.kind === 'header' ? 'Header name' : 'Property name';
      value.label = row.kind === 'header' ? 'Header value' : 'Property value';
      changed();
    });
    name.addEventListener('input', () => {
      row.name = name.value;
      changed();
    });
    value.addEventListener('input', () => {
      row.value = value.value;
      changed();
    });
    removeButton.addEventListener('vsc-click', () => this.remove(view));
    return view;
  }

  private render(): void {
    clear(this.body);
    if (this.views.length === 0) this.body.appendChild(el('p', { class: 'advanced-empty', text: 'No advanced properties.' }));
    for (const v of this.views) {
      v.name.readonly = this.readOnly;
      v.value.readonly = this.readOnly;
      this.body.appendChild(v.root);
    }
    this.buttons.hidden = this.readOnly;
    for (const b of Array.from(this.buttons.children)) (b as HTMLElement & { disabled: boolean }).disabled = this.readOnly;
    this.root.querySelectorAll<HTMLElement & { disabled: boolean }>('.advanced-kind').forEach((k) => { k.disabled = this.readOnly; });
    this.root.querySelectorAll<HTMLElement>('.advanced-row vscode-icon').forEach((i) => { i.hidden = this.readOnly; });
  }

  /** Shows `advanced.<i>.name|value` messages under their rows. */
  showMessages(errors: Record<string, string>, warnings: Record<string, string>, showAll: boolean): void {
    this.views.forEach((v, i) => {
      const visible = showAll || this.touched.has(i);
      const nameError = errors[`advanced.${i}.name`];
      const valueError = errors[`advanced.${i}.value`];
      const warning = warnings[`advanced.${i}.name`] ?? warnings[`advanced.${i}.value`];
      v.name.invalid = visible && !!nameError;
      v.value.invalid = visible && !!valueError;
      const text = nameError ?? valueError ?? warning;
      clear(v.message);
      v.message.hidden = !visible || !text;
      if (visible && text) {
        v.message.className = `message ${nameError || valueError ? 'error' : 'warning'}`;
        v.message.append(icon(nameError || valueError ? 'error' : 'warning'), el('span', { text }));
      }
    });
  }
}
