// A finished needs brief, laid out for reading: the summary stays open at the top, then a table of contents,
// then one collapsible section per heading (监管驱动, each need category, visit questions); inside a category,
// the top three needs are open and any further ones closed. Works on the HTML markdown.js produced.

import { h } from "./views.js";

const OPEN_NEEDS = 3;
let sequence = 0;

/** Wraps `heading` and the siblings after it, up to the next heading of `level` or higher, in <details>. */
function wrap(heading, stopAt, open, className) {
  const details = h("details", { class: className, open: open || null });
  const summary = h("summary", {});
  heading.before(details);
  summary.append(heading);
  details.append(summary);
  let node = details.nextSibling;
  while (node && !(node.nodeType === 1 && stopAt.includes(node.tagName))) {
    const next = node.nextSibling;
    details.append(node);
    node = next;
  }
  return details;
}

/** Lays out `body` (the .md element of a brief reply); `S` gives the labels. Idempotent. */
export function layoutBrief(body, S) {
  if (body.dataset.layout === "brief") return;
  const sections = [...body.querySelectorAll(":scope > h3")];
  if (sections.length < 2) return;
  body.dataset.layout = "brief";
  const id = `brief-${++sequence}`;
  const toc = h("nav", { class: "brief-toc", "aria-label": S.brief.toc }, h("strong", {}, S.brief.toc));
  const list = h("ol", {});
  let summaryDone = false;
  sections.forEach((heading, index) => {
    heading.id = `${id}-${index}`;
    const isSummary = !summaryDone && heading.textContent.trim() === S.brief.summary;
    if (isSummary) {
      summaryDone = true;
      heading.closest(".md").classList.add("has-summary");
      return; // the summary stays open and is not folded
    }
    const link = h("a", { href: `#${heading.id}` }, heading.textContent);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const target = document.getElementById(heading.id);
      const details = target?.closest("details");
      if (details) details.open = true;
      target?.scrollIntoView({ block: "start" });
    });
    list.append(h("li", {}, link));
    const details = wrap(heading, ["H3", "H2"], true, "brief-section");
    [...details.querySelectorAll(":scope > h4")].forEach((need, rank) =>
      wrap(need, ["H4", "H3", "H2"], rank < OPEN_NEEDS, "brief-need"));
  });
  toc.append(list);
  const first = body.querySelector(":scope > details.brief-section");
  if (first) first.before(toc);
  else body.append(toc);
}

/** Before printing, open every section (closed <details> do not print); returns a function that restores them. */
export function openAllForPrint(root = document) {
  const closed = [...root.querySelectorAll("details:not([open])")];
  closed.forEach((node) => { node.open = true; });
  return () => closed.forEach((node) => { node.open = false; });
}
