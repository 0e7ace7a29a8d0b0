// A deliberately small Markdown renderer for the advisor's own output, which is untrusted text:
// every line is HTML-escaped before any markup is added, and no raw HTML or links pass through.
// Supported: # to ###### headings, paragraphs, "- " / "* " and "1. " lists, "> " quotes,
// **bold**, `code`, "---" rules, and [n] citation markers that become links to source n.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

/** Inline markup on one raw line; `sources` maps n → {title} for the citation links. */
function inline(raw, sources) {
  let html = escapeHtml(raw);
  html = html.replace(/`([^`]+)`/g, "<code>$1</code>");
  html = html.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  html = html.replace(/\[(\d{1,4})\]/g, (marker, n) => {
    const source = sources.get(Number(n));
    if (!source) return marker;
    return `<a class="cite" href="#source-${n}" data-n="${n}" title="${escapeHtml(source.title)}">[${n}]</a>`;
  });
  return html;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const ORDERED = /^\s*\d{1,3}[.)]\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;
const RULE = /^\s*(?:-{3,}|\*{3,})\s*$/;

/**
 * Renders `text` to an HTML string. Headings shift down one level (# → h2) so a message
 * never competes with the page's h1. `sources`: a Map or array of {n, title}.
 */
export function renderMarkdown(text, { sources = new Map() } = {}) {
  const byNumber = sources instanceof Map ? sources : new Map(sources.map((s) => [Number(s.n), s]));
  const out = [];
  let paragraph = [];
  let list = null; // {tag, items}
  let quote = [];

  const flushParagraph = () => {
    if (paragraph.length) out.push(`<p>${paragraph.map((l) => inline(l, byNumber)).join("<br>")}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i, byNumber)}</li>`).join("")}</${list.tag}>`);
    list = null;
  };
  const flushQuote = () => {
    if (quote.length) out.push(`<blockquote><p>${quote.map((l) => inline(l, byNumber)).join("<br>")}</p></blockquote>`);
    quote = [];
  };
  const flushAll = () => {
    flushParagraph();
    flushList();
    flushQuote();
  };

  for (const line of String(text ?? "").split(/\r\n|\n|\r/)) {
    let match;
    if (!line.trim()) {
      flushAll();
    } else if ((match = line.match(HEADING))) {
      flushAll();
      const level = Math.min(match[1].length + 1, 6);
      out.push(`<h${level}>${inline(match[2], byNumber)}</h${level}>`);
    } else if (RULE.test(line)) {
      flushAll();
      out.push("<hr>");
    } else if ((match = line.match(QUOTE))) {
      flushParagraph();
      flushList();
      quote.push(match[1]);
    } else if ((match = line.match(BULLET)) || (match = line.match(ORDERED))) {
      const tag = BULLET.test(line) ? "ul" : "ol";
      flushParagraph();
      flushQuote();
      if (list && list.tag !== tag) flushList();
      list = list || { tag, items: [] };
      list.items.push(match[1]);
    } else if (list && /^\s{2,}\S/.test(line)) {
      list.items[list.items.length - 1] += " " + line.trim(); // a wrapped list item
    } else {
      flushList();
      flushQuote();
      paragraph.push(line.trim());
    }
  }
  flushAll();
  return out.join("\n");
}
