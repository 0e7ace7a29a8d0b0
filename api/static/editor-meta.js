// The editor's metadata form. The server reads and writes the front matter (POST /api/editor/metadata), so the
// form and the document text never disagree: editing the form rewrites the front matter (shown as raw YAML in
// the advanced view), editing the YAML or the body refills the form, and every problem `corpus validate` would
// report is listed in Chinese next to the field's name (and the field outlined).

import { FIELDS, INDUSTRIES, KINDS, NEEDS, fieldName } from "./editor-labels.js";
import { escapeHtml } from "./markdown.js";

const TEXT_INPUTS = ["title", "kind", "effective_date", "review_by", "issuer", "document_number", "vendor", "url"];
const LIST_INPUTS = ["articles", "regions"]; // typed as one line, separated by 、 or commas
const CHECK_LISTS = { industries: INDUSTRIES, need_categories: NEEDS };
const splitList = (v) => v.split(/[,，、;；\n]/).map((x) => x.trim()).filter(Boolean);

export class MetadataForm {
  /**
   * @param {object} parts
   * @param {HTMLFormElement} parts.form  the form (#meta-form)
   * @param {{ get: () => string, set: (text: string) => void, inputs: HTMLElement[] }} parts.text
   *   the whole document (front matter + body) and the elements whose edits change it
   * @param {HTMLElement} parts.problems  list for validation problems
   * @param {HTMLDetailsElement} parts.whyBox  where the importer's reasons are shown
   * @param {(path: string, opts: object) => Promise<any>} parts.api  /api/editor caller (throws on errors)
   */
  constructor({ form, text, problems, whyBox, api }) {
    Object.assign(this, { form, text, problemList: problems, whyBox, api });
    this.seq = 0; // only the newest reply is applied
    this.timer = null;
    this.dirty = false; // form edits not yet written into the text
    for (const [value, label] of Object.entries(KINDS)) form.elements.kind.append(new Option(label, value));
    for (const [list, labels] of Object.entries(CHECK_LISTS)) {
      form.querySelector(`[data-list="${list}"]`).innerHTML = Object.entries(labels).map(([value, label]) =>
        `<label><input type="checkbox" name="${list}" value="${value}">${escapeHtml(label)}</label>`).join("");
    }
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("input", () => {
      this.dirty = true;
      this.later(() => this.sync(true), 300);
    });
    for (const input of text.inputs) input.addEventListener("input", () => this.later(() => this.sync(false), 500));
  }

  later(work, ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(work, ms);
  }

  /** Write pending form edits into the text now (before saving). */
  async flush() {
    clearTimeout(this.timer);
    if (this.dirty) await this.sync(true);
  }

  /** Refill the form from the text (after loading a version). */
  refresh() {
    clearTimeout(this.timer);
    this.dirty = false;
    return this.sync(false);
  }

  fields() {
    const els = this.form.elements;
    const fields = {};
    for (const name of TEXT_INPUTS) fields[name] = els[name].value;
    for (const name of LIST_INPUTS) fields[name] = splitList(els[name].value);
    for (const list of Object.keys(CHECK_LISTS)) {
      fields[list] = [...this.form.querySelectorAll(`input[name="${list}"]:checked`)].map((b) => b.value);
    }
    fields.illustrative = els.illustrative.checked;
    return fields;
  }

  fill(fields) {
    const els = this.form.elements;
    const editing = (el) => document.activeElement === el; // never overwrite what the user is typing
    for (const name of TEXT_INPUTS) if (!editing(els[name])) els[name].value = fields[name] ?? "";
    for (const name of LIST_INPUTS) if (!editing(els[name])) els[name].value = (fields[name] ?? []).join("、");
    for (const list of Object.keys(CHECK_LISTS)) {
      for (const box of this.form.querySelectorAll(`input[name="${list}"]`)) box.checked = (fields[list] ?? []).includes(box.value);
    }
    els.illustrative.checked = Boolean(fields.illustrative);
  }

  showProblems(problems) {
    for (const el of this.form.querySelectorAll(".invalid")) el.classList.remove("invalid");
    this.problemList.innerHTML = problems
      .map((p) => `<li data-field="${escapeHtml(p.field ?? "")}"><b>${escapeHtml(p.label || fieldName(p.field))}</b>：${escapeHtml(p.message)}`
        + `<span class="muted small">（元数据第 ${p.line ?? "?"} 行）</span></li>`).join("");
    for (const p of problems) {
      const key = String(p.field ?? "").replace(/^source\./, "").split(/[.[]/)[0];
      const target = key in CHECK_LISTS ? this.form.querySelector(`[data-list="${key}"]`)?.closest("fieldset") : this.form.elements[key];
      if (target instanceof Element) target.classList.add("invalid");
    }
  }

  showSuggestions(suggestions, open = false) {
    const entries = Object.entries(suggestions ?? {});
    this.whyBox.hidden = !entries.length;
    this.whyBox.open = open && entries.length > 0;
    this.whyBox.querySelector("ul").innerHTML = entries
      .map(([field, why]) => `<li><b>${escapeHtml(FIELDS[field] ?? fieldName(field))}</b>：${escapeHtml(why.join("；"))}</li>`).join("");
  }

  async sync(fromForm) {
    const seq = ++this.seq;
    const text = this.text.get();
    const body = fromForm ? { text, fields: this.fields() } : { text };
    let result;
    try {
      result = await this.api("/metadata", { method: "POST", body });
    } catch (err) {
      if (seq === this.seq) this.showProblems([{ line: 1, field: "front matter", message: err.message.replace(/^内容未通过校验：/, "") }]);
      return;
    }
    if (seq !== this.seq) return;
    if (fromForm) {
      this.dirty = false;
      this.text.set(result.text);
    } else {
      this.fill(result.fields);
    }
    this.showProblems(result.problems);
  }
}
