// Tiny DOM helpers for the admin page: build elements without innerHTML (rule data is never markup).

/** h('button', { type: 'button', onclick }, 'Save') — attributes starting with `on` become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string' && key !== 'list') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

let uniqueCounter = 0;
/** A fresh element id, so every generated input can have a `<label for>`. */
export function uid(prefix) {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}

/** A labelled form control: returns { wrap, input }. */
export function field(labelText, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
  return { wrap, input: control };
}

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** Long DICOM UIDs: keep the tail, which is where they differ; the full value stays in the title. */
export function shortUid(uidValue) {
  if (!uidValue) return '—';
  const s = String(uidValue);
  return s.length > 24 ? `…${s.slice(-20)}` : s;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** An inline "are you sure" box after `anchor`'s children: destructive buttons need a second click. */
export function confirmInline(anchor, question, yesText, onYes) {
  anchor.querySelector('.confirm')?.remove();
  const box = h('div', { class: 'confirm', role: 'group', 'aria-label': question },
    h('span', {}, question),
    h('button', { type: 'button', class: 'danger', onclick: onYes }, yesText),
    h('button', { type: 'button', onclick: () => box.remove() }, 'Cancel'));
  anchor.append(box);
  box.querySelector('button').focus();
}
