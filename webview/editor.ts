/**
 * The connection editor form. It renders what the host sends (field specs, the draft,
 * whether a key is stored), reports every change for validation, and shows the host's
 * messages next to their fields. Typed keys stay in memory here until Save or Test
 * sends them to the host; they are never put in the webview state.
 */
import { defaultGeminiApiVersion, splitBedrockModelId } from '../src/core/providers/catalog';
import type {
  Draft, FieldId, FieldSpec, FormAction, FormState, HostMessage, ReplyResult, SecretDraft, SecretId, TestReport, ValidationReport,
} from '../src/core/form/formProtocol';
import { PROTOCOL_VERSION, SECRET_IDS, secretProblems } from '../src/core/form/formProtocol';
import { AdvancedEditor } from './advanced';
import { SuggestField, type TextControl } from './combo';
import { clear, el, icon } from './dom';
import { HostChannel } from './rpc';

type Control = HTMLElement & { value?: string; checked?: boolean; invalid?: boolean; readonly?: boolean; disabled?: boolean };

interface FieldView {
  spec: FieldSpec;
  group: HTMLElement;
  control: Control;
  suggest?: SuggestField;
  message: HTMLElement;
}

const SECTION_TITLES: Record<FieldSpec['section'], string> = {
  integration: 'Integration',
  model: 'Model',
  connection: 'Connection',
  credentials: 'Credentials',
};

const isSecret = (id: string): id is SecretId => (SECRET_IDS as readonly string[]).includes(id);

export class EditorApp {
  private readonly channel = new HostChannel((m) => this.notify(m));
  private state: FormState | undefined;
  private draft: Draft = { fields: {}, advanced: [] };
  private secret: SecretDraft = {};
  private report: ValidationReport | undefined;
  private readonly touched = new Set<string>();
  private showAll = false;
  private replacingKey = false;
  private geminiVersionTouched = false;
  private views = new Map<string, FieldView>();
  private advanced: AdvancedEditor | undefined;
  private busy: 'save' | 'test' | 'action' | undefined;
  private validateTimer: ReturnType<typeof setTimeout> | undefined;
  private validateSeq = 0;
  private notices: Array<{ level: 'info' | 'warning' | 'error'; text: string }> = [];
  // Elements rebuilt by render().
  private generalBox: HTMLElement = el('div');
  private statusBox: HTMLElement = el('div');
  private saveButton: Control = el('vscode-button');
  private testButton: Control | undefined;

  constructor(private readonly root: HTMLElement) {
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (!this.saveButton.disabled) void this.save();
      }
    });
  }

  start(): void {
    this.channel.request({ type: 'ready', protocol: PROTOCOL_VERSION }).catch((err: Error) => this.showStatus('error', err.message));
  }

  // ------------------------------------------------------------------------------
  // Host messages

  private notify(m: Exclude<HostMessage, { type: 'reply' }>): void {
    switch (m.type) {
      case 'init':
        this.init(m.state);
        break;
      case 'keyStatus':
        if (!this.state) return;
        this.state.keyStatus = m.keyStatus;
        this.state.keyOrigin = m.keyOrigin;
        this.state.keyLabel = m.keyLabel;
        if (m.keyStatus !== 'present') this.replacingKey = false;
        this.render();
        break;
      case 'notice':
        this.notices = [{ level: m.level, text: m.text }];
        this.renderGeneral();
        break;
    }
  }

  private init(state: FormState): void {
    this.state = state;
    this.channel.remember(state.restore);
    this.draft = structuredClone(state.draft);
    this.secret = {};
    this.report = undefined;
    this.touched.clear();
    this.showAll = false;
    this.replacingKey = false;
    this.geminiVersionTouched = state.mode === 'editConnection';
    this.notices = [];
    this.render();
    this.scheduleValidate(0);
    if (state.mode === 'addModel' || state.mode === 'addConnection') {
      const first = [...this.views.values()].find((v) => !v.spec.readOnly && (v.spec.control === 'text' || v.spec.control === 'combo'));
      setTimeout(() => (first?.suggest?.input ?? first?.control)?.focus(), 50);
    }
  }

  // ------------------------------------------------------------------------------
  // Rendering

  private get provider(): string {
    const p = this.draft.fields.provider;
    return typeof p === 'string' && this.state?.specs[p] ? p : Object.keys(this.state?.specs ?? {})[0] ?? '';
  }

  private get specs(): FieldSpec[] {
    return this.state?.specs[this.provider] ?? [];
  }

  private get readOnly(): boolean {
    return this.state?.readOnly ?? true;
  }

  private render(): void {
    const state = this.state;
    if (!state) return;
    clear(this.root);
    this.root.classList.remove('loading');
    this.views = new Map();
    this.advanced = undefined;

    const headerIcon = state.mode === 'editConnection' || state.mode === 'addConnection' ? 'plug' : this.provider === 'generic' ? 'globe' : 'hubot';
    const headerActions = el('div', { class: 'header-actions' });
    const action = (label: string, codicon: string, a: FormAction) => {
      const b = el('vscode-button', { secondary: true, icon: codicon, text: label });
      b.addEventListener('click', () => void this.action(a));
      headerActions.appendChild(b);
    };
    if (state.mode === 'editConnection') action('Edit Model', 'edit', 'editModel');
    if (state.mode === 'editModel' && !state.readOnly) action('Add Connection', 'add', 'addConnection');
    if (state.mode === 'editConnection' || state.mode === 'editModel') action('Reveal in Manifest', 'go-to-file', 'revealInManifest');
    this.root.appendChild(el('header', { class: 'page-header' },
      el('div', { class: 'header-icon' }, icon(headerIcon)),
      el('div', { class: 'header-text' }, el('h1', { text: state.title }), el('p', { class: 'subtitle', text: state.subtitle })),
      headerActions));

    if (state.readOnly && state.readOnlyReason) {
      this.root.appendChild(el('div', { class: 'banner info', role: 'note' }, icon(state.readOnlyReason.startsWith('Restricted') ? 'shield' : 'lock'), el('span', { text: state.readOnlyReason })));
    }
    this.generalBox = el('div', { class: 'general', 'aria-live': 'polite' });
    this.root.appendChild(this.generalBox);

    // Not a <form>: Enter in a field must not attempt a submission (the sandbox blocks it, with a console error).
    const form = el('div', { class: 'editor-form', role: 'form', 'aria-label': state.title });
    const sections = new Map<FieldSpec['section'], HTMLElement>();
    for (const spec of this.specs) {
      if (spec.section === 'integration' && state.mode !== 'addModel' && state.mode !== 'editModel') continue;
      let section = sections.get(spec.section);
      if (!section) {
        const id = `section-${spec.section}`;
        section = el('section', { class: `form-section section-${spec.section}`, 'aria-labelledby': id }, el('h2', { id, text: SECTION_TITLES[spec.section] }));
        sections.set(spec.section, section);
        form.appendChild(section);
        if (spec.section === 'credentials') this.renderKeyState(section);
      }
      if (spec.section === 'credentials' && !this.keyFieldsShown()) continue;
      section.appendChild(this.renderField(spec));
    }
    this.root.appendChild(form);
    this.root.appendChild(this.renderFooter());
    this.applyVisibility();
    this.showMessages();
    this.updateButtons();
  }

  private keyFieldsShown(): boolean {
    const s = this.state;
    if (!s || s.readOnly) return false;
    if (s.mode !== 'editConnection') return true;
    return s.keyStatus === 'missing' || (s.keyStatus === 'present' && this.replacingKey) || s.keyStatus === 'notNeeded';
  }

  /** "Key stored on this machine" with Replace and Remove; the key itself never comes here. */
  private renderKeyState(section: HTMLElement): void {
    const s = this.state!;
    const origin = s.keyOrigin ? `Sent only to ${s.keyOrigin}.` : undefined;
    const box = (codicon: string, title: string, detail?: string, ...buttons: HTMLElement[]) =>
      section.appendChild(el('div', { class: 'key-status', role: 'status' }, icon(codicon),
        el('div', { class: 'key-text' }, el('strong', { text: title }), detail ? el('span', { class: 'key-detail', text: detail }) : undefined),
        el('div', { class: 'key-buttons' }, ...buttons)));
    const button = (label: string, codicon: string, onClick: () => void) => {
      const b = el('vscode-button', { secondary: true, icon: codicon, text: label, disabled: s.readOnly });
      b.addEventListener('click', onClick);
      return b;
    };
    if (s.mode !== 'editConnection') {
      section.appendChild(el('p', { class: 'section-note', text: 'Keys are kept in VS Code SecretStorage on this machine, bound to the endpoint they are entered for — never in the manifest. You can also add the key later.' }));
      return;
    }
    switch (s.keyStatus) {
      case 'present':
        if (this.replacingKey) {
          box('key', s.keyLabel ? `Replacing ${s.keyLabel}` : 'Replacing the stored key', s.keyLabel ? 'Choose what replaces it below; Save stores it. The current choice stays until then.' : 'Type the new key; Save stores it. The old one stays until then.', button('Cancel', 'close', () => {
            this.replacingKey = false;
            this.secret = {};
            this.render();
            this.scheduleValidate(0);
          }));
        } else {
          // An AWS profile or an Entra ID identity is what the user chose, not a stored key.
          box('pass-filled', s.keyLabel ? `${s.keyLabel}, chosen on this machine` : 'Key stored on this machine', origin,
            button('Replace', 'edit', () => {
              this.replacingKey = true;
              this.render();
              (this.views.get('apiKey') ?? this.views.get('accessKeyId'))?.control.focus();
            }),
            button('Remove', 'trash', () => void this.action('removeKey')));
        }
        break;
      case 'missing':
        box('key', 'No key on this machine', `Type it below; Save stores it in SecretStorage.${origin ? ` ${origin}` : ''}`);
        break;
      case 'unknown':
        box('shield', 'Key status not read', 'In Restricted Mode no secret is read.');
        break;
      case 'notNeeded':
        box('circle-slash', 'No key needed', 'Authentication is None: nothing is sent with the requests.');
        break;
    }
  }

  private renderField(spec: FieldSpec): HTMLElement {
    const id = `f-${spec.id}`;
    const readOnly = this.readOnly || !!spec.readOnly;
    const message = el('div', { class: 'message', id: `${id}-message`, hidden: true, role: 'alert' });
    const help = spec.help ? el('div', { class: 'help', text: spec.help }) : undefined;
    let control: Control;
    let suggest: SuggestField | undefined;
    let extra: HTMLElement | undefined;
    const value = spec.id === 'advanced' ? '' : isSecret(spec.id) ? this.secret[spec.id] ?? '' : this.draft.fields[spec.id as FieldId];

    switch (spec.control) {
      case 'text':
      case 'password': {
        const t = el('vscode-textfield', { id, placeholder: spec.placeholder, spellcheck: false }) as TextControl;
        if (spec.control === 'password') {
          t.type = 'password';
          t.setAttribute('autocomplete', 'off');
        }
        t.value = typeof value === 'string' ? value : '';
        t.readonly = readOnly;
        t.addEventListener('input', () => this.setValue(spec.id, t.value));
        control = t;
        break;
      }
      case 'textarea': {
        const t = el('vscode-textarea', { id, placeholder: spec.placeholder, rows: 2, resize: 'none' }) as TextControl;
        t.value = typeof value === 'string' ? value : '';
        t.readonly = readOnly;
        t.addEventListener('input', () => this.setValue(spec.id, t.value));
        control = t;
        break;
      }
      case 'combo': {
        suggest = new SuggestField(id, spec.options ?? [], (v) => this.setValue(spec.id, v));
        suggest.value = typeof value === 'string' ? value : '';
        suggest.input.placeholder = spec.placeholder;
        suggest.setReadOnly(readOnly);
        control = suggest.input;
        if (spec.id === 'model' && this.provider === 'amazon-bedrock') extra = this.renderBedrockPrefix(suggest, readOnly);
        break;
      }
      case 'select': {
        const options = (spec.options ?? []).filter((o) => spec.id !== 'provider' || this.state?.mode !== 'addModel' || !o.group || o.group === this.draft.fields.integration);
        const s = el('vscode-single-select', { id, disabled: readOnly }, ...options.map((o) => el('vscode-option', { value: o.value, text: o.label, description: o.description ?? '', selected: o.value === value }))) as Control;
        s.addEventListener('change', () => this.setValue(spec.id, s.value ?? ''));
        control = s;
        break;
      }
      case 'radio': {
        const g = el('vscode-radio-group', { id, variant: 'horizontal' }, ...(spec.options ?? []).map((o) =>
          el('vscode-radio', { name: spec.id, value: o.value, label: o.label, checked: o.value === value, disabled: readOnly, title: o.description ?? '' }))) as Control;
        g.addEventListener('change', (e) => {
          const r = e.target as Control;
          if (r.checked && typeof r.value === 'string') this.setValue(spec.id, r.value);
        });
        control = g;
        break;
      }
      case 'checkbox': {
        const c = el('vscode-checkbox', { id, label: spec.label, checked: value !== false, disabled: readOnly }) as Control;
        c.addEventListener('change', () => this.setValue(spec.id, !!c.checked));
        control = c;
        break;
      }
      case 'advanced': {
        this.advanced = new AdvancedEditor(this.draft.advanced, readOnly, () => {
          this.draft.advanced = this.advanced!.rows;
          this.touched.add('advanced');
          this.changed();
        });
        control = this.advanced.root;
        break;
      }
    }
    const group = el('vscode-form-group', { variant: 'vertical', class: `field field-${spec.id}`, 'attr:data-field': spec.id });
    // A checkbox carries its own label; the integration choice sits under its section's heading.
    const label = spec.control === 'checkbox' || spec.control === 'radio' ? undefined : el('vscode-label', { for: id, required: !!spec.required && !readOnly, text: spec.label });
    if (readOnly && (spec.control === 'text' || spec.control === 'combo')) {
      control.appendChild(el('span', { slot: 'content-after', class: 'readonly-mark', title: 'Read-only' }, icon('lock')));
      group.classList.add('readonly');
    }
    group.append(...[label, suggest ? suggest.root : control, extra, el('vscode-form-helper', {}, message, help)].filter((n): n is HTMLElement => !!n));
    if (spec.control === 'radio' || spec.control === 'advanced') {
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', spec.label);
    }
    this.views.set(spec.id, { spec, group, control, suggest, message });
    return group;
  }

  /** Bedrock: a cross-region prefix helper that rewrites the model ID's prefix. */
  private renderBedrockPrefix(model: SuggestField, readOnly: boolean): HTMLElement {
    const current = splitBedrockModelId(model.value).prefix ?? '';
    const select = el('vscode-single-select', { id: 'f-bedrockPrefix', disabled: readOnly },
      ...(this.state?.helpers.bedrockPrefixes ?? []).map((o) => el('vscode-option', { value: o.value, text: o.label, selected: o.value === current }))) as Control;
    select.addEventListener('change', () => {
      const { base } = splitBedrockModelId(model.value);
      const prefix = select.value ?? '';
      model.value = prefix ? `${prefix}.${base}` : base;
      this.setValue('model', model.value);
    });
    return el('div', { class: 'prefix-helper' }, el('vscode-label', { for: 'f-bedrockPrefix', text: 'Cross-region inference prefix' }), select);
  }

  private renderFooter(): HTMLElement {
    const s = this.state!;
    this.saveButton = el('vscode-button', { icon: 'save', text: s.mode === 'addModel' || s.mode === 'addConnection' ? 'Save' : 'Save Changes', title: 'Save (Ctrl+S)' }) as Control;
    this.saveButton.addEventListener('click', () => void this.save());
    this.testButton = undefined;
    if (s.mode !== 'editModel') {
      this.testButton = el('vscode-button', { secondary: true, icon: 'beaker', text: 'Test Connection', title: 'Send a minimal real request with these settings' }) as Control;
      this.testButton.addEventListener('click', () => void this.test());
    }
    this.statusBox = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const right = el('div', { class: 'footer-right' });
    if (s.canDelete) {
      const del = el('vscode-button', { secondary: true, icon: 'trash', text: s.mode === 'editModel' ? 'Delete Model…' : 'Delete Connection…', class: 'danger' });
      del.addEventListener('click', () => void this.action('delete'));
      right.appendChild(del);
    }
    return el('footer', { class: 'actions' }, this.statusBox, el('div', { class: 'footer-buttons' }, this.saveButton, this.testButton, right));
  }

  /** Shows or hides fields that depend on another field (the header name, the key when Authentication is None). */
  private applyVisibility(): void {
    for (const v of this.views.values()) {
      const w = v.spec.showWhen;
      v.group.hidden = !!w && !w.values.includes(String((isSecret(w.field) ? this.secret[w.field] : this.draft.fields[w.field]) ?? ''));
    }
  }

  private renderGeneral(): void {
    clear(this.generalBox);
    const items = [...this.notices, ...(this.report?.general ?? []).map((g) => ({ level: g.level, text: g.text }))];
    for (const n of items) {
      const banner = el('div', { class: `banner ${n.level}` }, icon(n.level === 'info' ? 'info' : n.level), el('span', { text: n.text }));
      if (this.notices.includes(n)) {
        const reload = el('vscode-button', { secondary: true, icon: 'refresh', text: 'Reload' });
        reload.addEventListener('click', () => void this.action('reload'));
        banner.appendChild(reload);
      }
      this.generalBox.appendChild(banner);
    }
  }

  private showMessages(): void {
    const r = this.report;
    for (const [id, v] of this.views) {
      const visible = this.showAll || this.touched.has(id);
      const error = r?.errors[id];
      const warning = r?.warnings[id];
      if ('invalid' in v.control || v.control.tagName.startsWith('VSCODE-')) v.control.invalid = visible && !!error;
      clear(v.message);
      const text = visible ? error ?? warning : undefined;
      v.message.hidden = !text;
      if (text) {
        v.message.className = `message ${error ? 'error' : 'warning'}`;
        v.message.append(icon(error ? 'error' : 'warning'), el('span', { text }));
      }
    }
    this.advanced?.showMessages(r?.errors ?? {}, r?.warnings ?? {}, this.showAll);
    this.renderGeneral();
  }

  private dirty(): boolean {
    if (!this.state) return false;
    return JSON.stringify(this.draft) !== JSON.stringify(this.state.draft) || Object.values(this.secret).some((v) => !!v);
  }

  private updateButtons(): void {
    const s = this.state;
    const idle = this.busy === undefined;
    this.saveButton.disabled = !s || s.readOnly || !idle || !this.report?.canSave || !this.dirty();
    if (this.testButton) this.testButton.disabled = !s || s.readOnly || !idle;
  }

  private showStatus(level: 'info' | 'ok' | 'warning' | 'error' | 'progress', text: string, detail?: string): void {
    clear(this.statusBox);
    const lead = level === 'progress'
      ? el('vscode-progress-ring', { class: 'status-ring', ariaLabel: text })
      : icon(level === 'ok' ? 'pass-filled' : level === 'info' ? 'info' : level);
    this.statusBox.className = `status ${level}`;
    this.statusBox.append(lead, el('div', { class: 'status-text' }, el('span', { class: 'status-main', text }), detail ? el('span', { class: 'status-detail', text: detail }) : undefined));
  }

  // ------------------------------------------------------------------------------
  // Changes and requests

  private setValue(id: FieldSpec['id'], value: string | boolean): void {
    if (id === 'advanced') return;
    this.touched.add(id);
    if (isSecret(id)) {
      this.secret[id] = String(value);
      if (id === 'entraSource') this.applyVisibility();
      this.changed();
      return;
    }
    const before = this.draft.fields[id];
    this.draft.fields[id] = value;
    if (id === 'integration' && before !== value) {
      const provider = String(this.draft.fields.provider ?? '');
      if (value === 'api') this.draft.fields.provider = 'generic';
      else if (provider === 'generic' || provider === '') this.draft.fields.provider = 'openai';
      this.providerChanged();
      return;
    }
    if (id === 'provider' && before !== value) {
      this.providerChanged();
      return;
    }
    if (id === 'apiVersion') this.geminiVersionTouched = true;
    if (id === 'model' && this.provider === 'google-gemini' && !this.geminiVersionTouched && typeof value === 'string') {
      this.draft.fields.apiVersion = defaultGeminiApiVersion(value);
      const v = this.views.get('apiVersion');
      if (v?.suggest) v.suggest.value = String(this.draft.fields.apiVersion);
    }
    if (id === 'model' && this.provider === 'amazon-bedrock' && typeof value === 'string') {
      const prefix = this.root.querySelector<Control>('#f-bedrockPrefix');
      if (prefix) prefix.value = splitBedrockModelId(value).prefix ?? '';
    }
    if (id === 'authMode') {
      this.applyVisibility();
      if (value === 'none') this.secret = {};
    }
    this.changed();
  }

  /** A new provider: its own fields, with their defaults; names and descriptions stay. */
  private providerChanged(): void {
    const keep: FieldId[] = ['integration', 'provider', 'modelName', 'modelDescription', 'location', 'connectionName', 'connectionDescription', 'enabled'];
    const fields: Draft['fields'] = {};
    for (const k of keep) if (this.draft.fields[k] !== undefined) fields[k] = this.draft.fields[k];
    for (const spec of this.specs) {
      if (spec.id === 'advanced' || isSecret(spec.id) || keep.includes(spec.id as FieldId)) continue;
      fields[spec.id as FieldId] = typeof spec.defaultValue === 'string' ? spec.defaultValue : '';
    }
    this.draft = { fields, advanced: [] };
    this.secret = {};
    this.geminiVersionTouched = false;
    for (const k of [...this.touched]) if (!keep.includes(k as FieldId)) this.touched.delete(k);
    this.render();
    this.views.get('provider')?.control.focus();
    this.scheduleValidate(0);
  }

  private changed(): void {
    this.updateButtons();
    this.scheduleValidate(150);
  }

  private scheduleValidate(delay: number): void {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => void this.validate(), delay);
  }

  private async validate(): Promise<void> {
    const seq = ++this.validateSeq;
    try {
      const result = await this.channel.request({ type: 'validate', draft: this.draft });
      if (seq !== this.validateSeq || result.kind !== 'validation') return;
      // Key fields are checked by shape here as well, without sending them: only Save and Test carry keys.
      this.report = withKeyChecks(result.report, this.secret, this.provider);
      this.showMessages();
      this.updateButtons();
    } catch (err) {
      this.showStatus('error', (err as Error).message);
    }
  }

  private async run(kind: 'save' | 'test' | 'action', work: () => Promise<ReplyResult>): Promise<ReplyResult | undefined> {
    if (this.busy) return undefined;
    this.busy = kind;
    this.updateButtons();
    try {
      return await work();
    } catch (err) {
      this.showStatus('error', (err as Error).message);
      return undefined;
    } finally {
      this.busy = undefined;
      this.updateButtons();
    }
  }

  private async save(): Promise<void> {
    this.showAll = true;
    this.showMessages();
    if (!this.report?.canSave) return;
    this.showStatus('progress', 'Saving…');
    const result = await this.run('save', () => this.channel.request({ type: 'save', draft: this.draft, secret: { ...this.secret } }));
    if (!result) return;
    if (result.kind === 'saved') {
      this.secret = {};
      this.showStatus('ok', result.message);
    } else if (result.kind === 'cancelled') {
      if (result.report) {
        this.report = result.report;
        this.showMessages();
        this.updateButtons();
      }
      this.showStatus('warning', result.message ?? 'Nothing was saved.');
    }
  }

  private async test(): Promise<void> {
    this.showStatus('progress', 'Testing the connection…', 'A minimal real request, 30 seconds at most.');
    const result = await this.run('test', () => this.channel.request({ type: 'test', draft: this.draft, secret: { ...this.secret } }));
    if (!result) return;
    if (result.kind === 'test') this.showTest(result.report);
    else if (result.kind === 'cancelled') {
      if (result.report) {
        this.report = result.report;
        this.showAll = true;
        this.showMessages();
      }
      this.showStatus('warning', result.message ?? 'Nothing was sent.');
    }
  }

  private showTest(r: TestReport): void {
    if (r.ok) this.showStatus('ok', `Connection works · ${r.latencyMs} ms`);
    else this.showStatus(r.outcome === 'missing_credentials' || r.outcome === 'blocked' ? 'warning' : 'error', `${capitalize(r.label)}${r.status ? ` (HTTP ${r.status})` : ''}${r.latencyMs ? ` · ${r.latencyMs} ms` : ''}`, [r.message, r.hint].filter(Boolean).join(' '));
  }

  private async action(action: FormAction): Promise<void> {
    const result = await this.run('action', () => this.channel.request({ type: 'action', action }));
    if (result?.kind === 'done' && result.message) this.showStatus('info', result.message);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The host checks typed keys on Save/Test; until then the form checks their shape here, with the same function. */
function withKeyChecks(report: ValidationReport, secret: SecretDraft, provider: string): ValidationReport {
  const local = secretProblems(provider, secret);
  if (Object.keys(local).length === 0) return report;
  return { ...report, errors: { ...report.errors, ...local }, canSave: false };
}
