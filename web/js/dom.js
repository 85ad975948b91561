// Tiny DOM builder. Text always goes through textContent / text nodes, so data
// from the API can never become markup.

/**
 * h('div', {class: 'x', onclick: fn, dataset: {id: 1}}, 'text', child, [more])
 * - `text`: sets textContent
 * - `on<event>`: addEventListener
 * - `class`: className (string or array, falsy entries dropped)
 * - `style`: object of style properties
 * - `dataset`: object copied into el.dataset
 * - value / checked / disabled / selected / hidden / readOnly / multiple /
 *   htmlFor / tabIndex: set as properties
 * - everything else: setAttribute (skipped when null/undefined/false)
 */
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'readOnly',
  'multiple', 'htmlFor', 'tabIndex', 'indeterminate']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (k === 'class') {
        el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      } else if (k === 'text') {
        el.textContent = String(v);
      } else if (k === 'style' && typeof v === 'object') {
        Object.assign(el.style, v);
      } else if (k === 'dataset') {
        for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
      } else if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2).toLowerCase(), v);
      } else if (PROPS.has(k)) {
        el[k] = v;
      } else if (v !== false) {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}
