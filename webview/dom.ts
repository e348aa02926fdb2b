/** Small DOM helpers: elements from tag, properties and children; text only through textContent. */

type Child = Node | string | undefined | null | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Partial<Record<string, unknown>>, ...children: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Partial<Record<string, unknown>>, ...children: Child[]): HTMLElement;
export function el(tag: string, props: Partial<Record<string, unknown>> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = String(v);
    else if (k === 'text') node.textContent = String(v);
    else if (k.startsWith('attr:')) node.setAttribute(k.slice(5), v === true ? '' : String(v));
    else if (k.startsWith('aria-') || k === 'role' || k === 'for' || k === 'slot' || k === 'tabindex' || k === 'id' || k === 'name' || k === 'variant') node.setAttribute(k, v === true ? '' : String(v));
    else (node as unknown as Record<string, unknown>)[k] = v;
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function icon(name: string, extra = ''): HTMLSpanElement {
  return el('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
