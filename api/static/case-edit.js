// Write a case (or change one): customer (private), facts, content, attachments; then on to the redaction review.

import { $, $$, call, caseId, el, fileBase64, me, ready, showError } from "./cases-common.js";

const editing = location.pathname.endsWith("/edit") ? caseId() : null;
let options = null;

function option(select, value, label) {
  select.append(el("option", label, { value }));
}

function productRow(product = {}) {
  const row = el("div", null, { class: "product-row" });
  const category = el("select", null, { name: "product-category", "aria-label": "产品类别" });
  option(category, "", "选择类别");
  for (const s of options.solutions) option(category, s.id, s.title);
  category.value = product.category || "";
  const vendor = el("input", null, { type: "text", name: "product-vendor", maxlength: "80", placeholder: "厂商", "aria-label": "厂商" });
  vendor.value = product.vendor || "";
  const name = el("input", null, { type: "text", name: "product-name", maxlength: "120", placeholder: "产品或型号", "aria-label": "产品" });
  name.value = product.product || "";
  const remove = el("button", "删除", { type: "button", class: "link-button" });
  remove.addEventListener("click", () => row.remove());
  row.append(category, vendor, name, remove);
  $("#products").append(row);
}

function checks(root, name, items, label) {
  root.replaceChildren(...items.map((item) => {
    const wrap = el("label");
    wrap.append(el("input", null, { type: "checkbox", name, value: item.id }), document.createTextNode(item[label]));
    return wrap;
  }));
}

function fill(fields) {
  const form = $("#case-form");
  for (const name of ["customer", "title", "industry", "segment", "province", "size_band", "problem", "solution", "timeline", "budget", "outcome", "lessons", "text"]) {
    if (fields[name] != null) form[name].value = fields[name];
  }
  if (fields.year) form.year.value = fields.year;
  form.aliases.value = (fields.aliases || []).join("、");
  for (const box of $$("input[name=need]")) box.checked = (fields.need_categories || []).includes(box.value);
  for (const box of $$("input[name=solution-id]")) box.checked = (fields.solutions || []).includes(box.value);
  for (const product of fields.products || []) productRow(product);
  const files = (fields.attachments || []).map((a) => a.filename);
  $("#existing-attachments").hidden = files.length === 0;
  $("#existing-attachments").textContent = `已有附件：${files.join("、")}（不选择新文件则保留）`;
}

async function body() {
  const form = $("#case-form");
  const data = Object.fromEntries(new FormData(form).entries());
  const out = {
    title: data.title.trim(), customer: data.customer.trim() || null, industry: data.industry || null,
    aliases: data.aliases.split(/[,，、;；\n]/).map((a) => a.trim()).filter(Boolean),
    segment: data.segment.trim(), province: data.province, size_band: data.size_band.trim(),
    year: data.year ? Number(data.year) : null,
    need_categories: $$("input[name=need]:checked").map((b) => b.value),
    solutions: $$("input[name=solution-id]:checked").map((b) => b.value),
    products: $$(".product-row").map((row) => ({
      category: $("[name=product-category]", row).value, vendor: $("[name=product-vendor]", row).value.trim(),
      product: $("[name=product-name]", row).value.trim(),
    })).filter((p) => p.category),
  };
  for (const name of ["problem", "solution", "timeline", "budget", "outcome", "lessons", "text"]) out[name] = data[name];
  if (data.watch_id) out.watch_id = data.watch_id;
  const files = [...form.attachments.files];
  if (files.length) out.attachments = await Promise.all(files.map(async (f) => ({ filename: f.name, content_base64: await fileBase64(f) })));
  return out;
}

async function start() {
  await me();
  options = await call("/api/cases/options");
  const form = $("#case-form");
  for (const i of options.industries) option(form.industry, i.id, i.label);
  for (const p of options.provinces) option(form.province, p, p);
  for (const c of options.customers) option(form.watch_id, c.id, `${c.customer}（${[c.industry_label, c.segment, c.province].filter(Boolean).join(" · ")}）`);
  checks($("#needs"), "need", options.need_categories, "label");
  checks($("#solutions"), "solution-id", options.solutions, "title");
  form.watch_id.addEventListener("change", () => {
    const entry = options.customers.find((c) => c.id === form.watch_id.value);
    if (!entry) return;
    form.customer.value = entry.customer;
    if (entry.industry && entry.industry !== "unknown") form.industry.value = entry.industry;
    if (entry.segment) form.segment.value = entry.segment;
    if (entry.province) form.province.value = entry.province;
  });
  $("#add-product").addEventListener("click", () => productRow());
  if (editing) {
    $("#heading").textContent = "修改案例";
    document.title = "修改案例 · 渠道参谋";
    const item = await call(`/api/cases/${encodeURIComponent(editing)}`);
    fill(item.fields);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError($("#error"), null);
    $("#save").disabled = true;
    $("#saving").textContent = "正在保存并自动脱敏……";
    try {
      const data = await body();
      const saved = editing
        ? await call(`/api/cases/${encodeURIComponent(editing)}`, { method: "PUT", body: data })
        : await call("/api/cases", { method: "POST", body: data });
      location.assign(`/cases/${encodeURIComponent(saved.id)}/redaction`);
    } catch (error) {
      showError($("#error"), error);
      $("#saving").textContent = "";
      $("#save").disabled = false;
    }
  });
  ready();
}

start().catch((error) => showError($("#error"), error));
