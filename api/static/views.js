// DOM builders for the chat: profile card, source details, source list, history items, export text.
// Everything untrusted goes in through textContent; only markdown.js produces HTML, and it escapes first.

/** h("p", {class: "x"}, "text", child) → element; attributes with null/false values are skipped. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const SAFE_URL = /^https?:\/\//i;

// Line icons (24×24, drawn with the current colour): no emoji font needed on any device.
const ICON_PATHS = {
  up: "M7 11v9H4v-9h3zm0 0 4-8c1.7 0 2.8 1.3 2.5 3L13 9h5.6c1.3 0 2.2 1.2 1.9 2.4l-1.7 7A2 2 0 0 1 16.9 20H7",
  down: "M7 13V4H4v9h3zm0 0 4 8c1.7 0 2.8-1.3 2.5-3L13 15h5.6c1.3 0 2.2-1.2 1.9-2.4l-1.7-7A2 2 0 0 0 16.9 4H7",
  trash: "M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  download: "M12 4v11m-5-5 5 5 5-5M5 20h14",
};

/** An inline SVG icon; `name` is a key of ICON_PATHS (trusted constants only). */
export function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICON_PATHS[name]);
  svg.append(path);
  return svg;
}
const SOURCES_SHOWN = 5; // documents listed under a reply before "展开全部"
const LEVELS = { 1: "一", 2: "二", 3: "三", 4: "四", 5: "五" };

export function createViews(S) {
  const industry = (code) => S.industries[code] ?? (code && code !== "unknown" ? code : S.unknown);
  const regionLabel = (region = {}) => [...new Set([region.province, region.city, region.district].filter(Boolean))].join("");
  const mlps = (level) => (level ? S.mlpsLevel.replace("{level}", LEVELS[level] ?? level) : "");
  const percent = (x) => `${Math.round((Number(x) || 0) * 100)}%`;

  /** [label, value] pairs of a profile, the same facts the CLI prints. */
  function profileFacts(profile) {
    const facts = [[S.profile.industry, industry(profile.industry)]];
    if (profile.segment) facts.push([S.profile.segment, profile.segment]);
    if (profile.size) facts.push([S.profile.size, profile.size]);
    const region = regionLabel(profile.region || {});
    if (region) facts.push([S.profile.region, region]);
    if (profile.mlps_level) facts.push([S.profile.mlps, mlps(profile.mlps_level)]);
    if (profile.regulators?.length) facts.push([S.profile.regulators, profile.regulators.join("、")]);
    return facts;
  }

  function profileCard(profile) {
    const evidence = profile.evidence || [];
    const confidence = Number(profile.confidence) || 0;
    const known = profile.industry && profile.industry !== "unknown";
    // An unidentified customer: what is known so far, no 0% badge; the question is asked once, in the reply.
    const badge = known
      ? h("span", { class: `confidence ${confidence >= 0.8 ? "high" : confidence >= 0.5 ? "mid" : "low"}` },
        `${S.profile.confidence} ${percent(confidence)}`)
      : h("span", { class: "confidence pending" }, S.profile.pending);
    const facts = known ? profileFacts(profile) : profileFacts(profile).filter(([label]) => label !== S.profile.industry);
    return h(
      "section",
      { class: `profile-card${known ? "" : " unknown"}`, "aria-label": S.profile.title },
      h("div", { class: "profile-head" }, h("span", { class: "tag" }, S.profile.title),
        h("strong", { class: "profile-name" }, profile.name || ""), badge),
      facts.length
        ? h("dl", { class: "facts" }, facts.map(([label, value]) =>
          h("div", { class: label === S.profile.regulators ? "wide" : null }, h("dt", {}, label), h("dd", {}, value))))
        : null,
      known ? h("p", { class: "muted small" }, S.profile.inferred,
        profile.name ? h("button", { type: "button", class: "link-button watch-customer", "data-customer": profile.name }, "关注该客户") : null) : null,
      known && evidence.length
        ? h(
            "details",
            { class: "evidence" },
            h("summary", {}, S.profile.evidence.replace("{n}", evidence.length)),
            h("ul", {}, evidence.map((e) =>
              h("li", {}, h("b", {}, `${S.evidenceFields[e.field] ?? e.field}：`), e.detail || e.value,
                h("span", { class: "muted" }, ` （${S.evidenceSources[e.source] ?? e.source}）`)))),
          )
        : null,
    );
  }

  /** What makes two profile cards the same: the customer and every fact shown (a corrected profile is a new card). */
  function profileKey(profile) {
    const known = profile.industry && profile.industry !== "unknown";
    return JSON.stringify([profile.name || "", known, profileFacts(profile)]);
  }

  /** The line a follow-up shows instead of repeating the card: the customer, and a button back to `card`. */
  function profileRef(profile, card) {
    const show = h("button", { type: "button", class: "link-button" }, S.profile.showCard);
    show.addEventListener("click", () => {
      card.scrollIntoView({ block: "start" });
      card.classList.remove("flash");
      void card.offsetWidth; // restart the highlight
      card.classList.add("flash");
    });
    return h("p", { class: "profile-ref muted small" }, `${S.profile.sameAsAbove}：`,
      h("strong", { class: "profile-name" }, profile.name || ""), show);
  }

  /** The body of the source panel for one source. */
  function sourceDetails(source) {
    const badges = h("div", { class: "badges" }, h("span", { class: "badge" }, S.kinds[source.kind] ?? source.kind ?? ""));
    if (source.illustrative) badges.append(h("span", { class: "badge illustrative" }, S.source.illustrative));
    if (source.vendor) badges.append(h("span", { class: "badge vendor" }, `${S.source.vendor}：${source.vendor}`));
    const rows = [
      [S.source.locator, source.locator],
      [S.source.issuer, source.issuer],
      [S.source.documentNumber, source.document_number],
    ].filter(([, value]) => value);
    const meta = h("dl", { class: "source-meta" }, rows.map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))));
    if (source.url && SAFE_URL.test(source.url)) {
      meta.append(h("div", {}, h("dt", {}, S.source.url),
        h("dd", {}, h("a", { href: source.url, target: "_blank", rel: "noopener noreferrer" }, source.url))));
    }
    return [
      badges,
      meta,
      h("h3", { class: "passage-title" }, S.source.passage),
      h("blockquote", { class: "passage" }, source.text || ""),
      source.illustrative ? h("p", { class: "muted small" }, S.source.illustrativeNote) : null,
    ].filter(Boolean);
  }

  function sourceLabel(source) {
    return [`《${source.title}》`, source.locator, source.issuer].filter(Boolean).join(" ");
  }

  /** Sources grouped by document (in order of first citation): [{doc, title, issuer, illustrative, passages: [source]}]. */
  function groupSources(sources) {
    const groups = new Map();
    for (const source of [...sources].sort((a, b) => a.n - b.n)) {
      const key = source.doc_id || source.title;
      if (!groups.has(key)) groups.set(key, { title: source.title, issuer: source.issuer, illustrative: source.illustrative, passages: [] });
      groups.get(key).passages.push(source);
    }
    return [...groups.values()];
  }

  /**
   * A reply's sources, one row per document; each [n] opens the source panel. Part of the page (no scroll box of its
   * own): beyond SOURCES_SHOWN documents, the rest wait behind a "展开全部 N 条来源" toggle.
   */
  function sourceList(sources) {
    const groups = groupSources(sources);
    const summary = S.sourcesCount.replace("{docs}", groups.length).replace("{n}", sources.length);
    const collapsible = groups.length > SOURCES_SHOWN;
    const rows = groups.map((group, index) =>
      h("li", { class: `source-doc${index >= SOURCES_SHOWN ? " extra" : ""}` },
        h("span", { class: "source-doc-title" }, [`《${group.title}》`, group.issuer].filter(Boolean).join(" "),
          group.illustrative ? h("span", { class: "badge illustrative" }, S.source.illustrative) : null),
        h("span", { class: "source-passages" }, group.passages.map((s) =>
          h("button", { type: "button", class: "source-ref", "data-n": s.n, title: s.locator || s.title },
            h("span", { class: "n" }, `[${s.n}]`), s.locator ? ` ${s.locator}` : "")))));
    const section = h("section", { class: `source-list${collapsible ? " collapsed" : ""}`, "aria-label": S.sourcesHeading },
      h("h3", { class: "source-list-title" }, summary), h("ol", {}, rows));
    if (collapsible) {
      const more = S.sourcesMore.replace("{n}", groups.length);
      const toggle = h("button", { type: "button", class: "link-button source-more", "aria-expanded": "false" }, more);
      toggle.addEventListener("click", () => {
        const open = section.classList.toggle("collapsed") === false;
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? S.sourcesLess : more;
      });
      section.append(toggle);
    }
    return section;
  }

  function formatDate(iso) {
    // The server keeps UTC; SQLite drops the offset, so a bare timestamp is read as UTC.
    const text = String(iso ?? "");
    const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
    if (Number.isNaN(date.getTime())) return "";
    const now = new Date();
    const sameDay = date.toDateString() === now.toDateString();
    return sameDay
      ? date.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" })
      : date.toLocaleDateString("zh-CN", { month: "numeric", day: "numeric" });
  }

  /** The brief as Markdown: profile line, the text, then a 来源 list. */
  function exportMarkdown({ content, sources = [], profile = null }) {
    const parts = [];
    if (profile && profile.industry && profile.industry !== "unknown") {
      const facts = profileFacts(profile).map(([label, value]) => `${label}：${value}`);
      facts.push(`${S.profile.confidence}：${percent(profile.confidence)}`);
      parts.push(`> ${S.profile.exportLine}${facts.join("｜")}`);
    }
    parts.push(String(content || "").trim());
    if (sources.length) {
      const lines = sources.map((s) => {
        const extra = [s.document_number, s.illustrative ? S.source.illustrative : "", s.vendor ? `${S.source.vendor}：${s.vendor}` : "",
          s.url && SAFE_URL.test(s.url) ? `<${s.url}>` : ""].filter(Boolean);
        return `- [${s.n}] ${sourceLabel(s)}${extra.length ? "｜" + extra.join("｜") : ""}`;
      });
      parts.push(`## ${S.sourcesHeading}\n\n${lines.join("\n")}`);
    }
    return parts.join("\n\n") + "\n";
  }

  return {
    profileCard, profileKey, profileRef, sourceDetails, sourceList, sourceLabel, groupSources, formatDate, exportMarkdown,
  };
}
