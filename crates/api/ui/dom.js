// DOM helpers. Text always goes in through `textContent`, never as markup,
// so data from the API cannot inject elements or scripts.

/**
 * Creates an element with attributes and children. A child that is a
 * string becomes a text node; `null` and `undefined` are skipped.
 * `className` and `dataset` entries are set as properties, every other
 * attribute with `setAttribute`.
 */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === "className") {
      node.className = value;
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children as `element` does. */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined) {
      continue;
    }
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Returns the element with `id`, failing loudly when the page lacks it. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) {
    throw new Error(`the page has no element #${id}`);
  }
  return node;
}

/** Replaces every child of `node` with `children`. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}
