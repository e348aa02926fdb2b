/**
 * A text field with a pick-list: any value can be typed, and the catalogue's values
 * are offered below it (filtered as you type, Down/Up to move, Enter to pick, Escape
 * to close), like VS Code's suggest widget.
 */
import type { FieldOption } from '../src/core/form/formProtocol';
import { clear, el } from './dom';

export type TextControl = HTMLElement & { value: string; invalid: boolean; readonly: boolean; disabled: boolean; placeholder: string | undefined; label: string; type?: string };

let listIds = 0;

export class SuggestField {
  readonly root: HTMLDivElement;
  readonly input: TextControl;
  private readonly list: HTMLUListElement;
  private readonly toggle: HTMLElement;
  private shown: FieldOption[] = [];
  private active = -1;

  constructor(id: string, private readonly options: readonly FieldOption[], private readonly onValue: (value: string) => void) {
    const listId = `suggest-${++listIds}`;
    this.input = el('vscode-textfield', { id, autocomplete: 'off', spellcheck: false }) as TextControl;
    this.toggle = el('vscode-icon', { name: 'chevron-down', actionIcon: true, label: 'Show suggestions', slot: 'content-after', title: 'Show suggestions (Down arrow)' });
    this.input.appendChild(this.toggle);
    this.list = el('ul', { class: 'suggest-list', role: 'listbox', id: listId, hidden: true, 'aria-label': 'Suggestions' });
    this.root = el('div', { class: 'suggest' }, this.input, this.list);

    this.input.addEventListener('input', () => {
      this.onValue(this.input.value);
      if (document.activeElement === this.input) this.open(true);
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('focusout', () => setTimeout(() => {
      if (!this.root.contains(document.activeElement)) this.close();
    }, 120));
    this.toggle.addEventListener('vsc-click', () => {
      if (this.list.hidden) this.open(false);
      else this.close();
      this.input.focus();
    });
  }

  get value(): string {
    return this.input.value;
  }

  set value(v: string) {
    this.input.value = v;
  }

  setReadOnly(readOnly: boolean): void {
    this.input.readonly = readOnly;
    this.toggle.hidden = readOnly || this.options.length === 0;
  }

  private open(filtered: boolean): void {
    if (this.input.readonly || this.options.length === 0) return;
    const q = this.input.value.trim().toLowerCase();
    this.shown = filtered && q
      ? this.options.filter((o) => o.value.toLowerCase().includes(q) || (o.description ?? '').toLowerCase().includes(q))
      : [...this.options];
    if (filtered && this.shown.length === 1 && this.shown[0].value === this.input.value) this.shown = [];
    if (this.shown.length === 0) {
      this.close();
      return;
    }
    this.active = this.shown.findIndex((o) => o.value === this.input.value);
    this.renderList();
    this.list.hidden = false;
  }

  close(): void {
    this.list.hidden = true;
    this.active = -1;
  }

  private renderList(): void {
    clear(this.list);
    this.shown.forEach((o, i) => {
      const item = el('li', { role: 'option', class: i === this.active ? 'active' : '', 'aria-selected': String(i === this.active), id: `${this.list.id}-${i}` },
        el('span', { class: 'suggest-value', text: o.label }),
        o.description ? el('span', { class: 'suggest-description', text: o.description }) : undefined);
      // mousedown, not click: the field keeps the focus.
      item.addEventListener('mousedown', (e) => {
        e.preventDefault();
        this.pick(i);
      });
      this.list.appendChild(item);
    });
    this.list.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }

  private pick(i: number): void {
    const o = this.shown[i];
    if (!o) return;
    this.input.value = o.value;
    this.close();
    this.onValue(o.value);
  }

  private onKey(e: KeyboardEvent): void {
    const isOpen = !this.list.hidden;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!isOpen) this.open(false);
      if (this.shown.length === 0) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.shown.length) % this.shown.length;
      this.renderList();
    } else if (e.key === 'Enter' && isOpen && this.active >= 0) {
      e.preventDefault();
      this.pick(this.active);
    } else if (e.key === 'Escape' && isOpen) {
      e.preventDefault();
      e.stopPropagation();
      this.close();
    } else if (e.key === 'Tab') {
      this.close();
    }
  }
}
