// The /rankings page: filters → /api/rankings (list and bar chart), /api/rankings/trend (weekly ranks),
// /api/rankings/map (a need's rank by province, drawn as a tile-grid cartogram). Charts: vendored ECharts.

const $ = (selector) => document.querySelector(selector);
const form = $("#filters");
const charts = {};

// Province tiles placed by rough geography: [column, row]. A schematic, not a map.
const TILES = {
  "黑龙江省": [7, 0], "内蒙古自治区": [5, 1], "吉林省": [7, 1], "新疆维吾尔自治区": [0, 2], "北京市": [5, 2],
  "天津市": [6, 2], "辽宁省": [7, 2], "甘肃省": [1, 3], "宁夏回族自治区": [2, 3], "山西省": [3, 3], "河北省": [4, 3],
  "山东省": [5, 3], "西藏自治区": [0, 4], "青海省": [1, 4], "陕西省": [2, 4], "河南省": [3, 4], "江苏省": [4, 4],
  "上海市": [5, 4], "四川省": [1, 5], "重庆市": [2, 5], "湖北省": [3, 5], "安徽省": [4, 5], "浙江省": [5, 5],
  "云南省": [1, 6], "贵州省": [2, 6], "湖南省": [3, 6], "江西省": [4, 6], "福建省": [5, 6], "台湾省": [6, 6],
  "广西壮族自治区": [2, 7], "广东省": [3, 7], "澳门特别行政区": [4, 7], "香港特别行政区": [5, 7], "海南省": [3, 8],
};
const SHORT = (name) => name.replace(/(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$/, "");
const SHADES = ["#08306b", "#2171b5", "#4292c6", "#6baed6", "#c6dbef"];
const shade = (rank) => (rank === 1 ? SHADES[0] : rank <= 3 ? SHADES[1] : rank <= 5 ? SHADES[2] : rank <= 10 ? SHADES[3] : SHADES[4]);

let pending = 0; // requests in flight, shown as body[data-busy] so tests (and styles) can tell when the page settled

async function getJSON(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  document.body.dataset.busy = String(++pending);
  try {
    const response = await fetch(`${path}?${query}`, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(Array.isArray(body.detail) ? body.detail.join("；") : body.detail || response.statusText);
    return body;
  } finally {
    document.body.dataset.busy = String(--pending);
  }
}

function filters() {
  return Object.fromEntries(new FormData(form).entries());
}

function chart(id) {
  if (!window.echarts) return null;
  charts[id] ??= window.echarts.init(document.getElementById(id), null, { renderer: "svg" });
  return charts[id];
}

function option(select, value, label) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = label;
  select.append(node);
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function renderList(body) {
  const list = $("#list");
  list.replaceChildren();
  for (const cell of body.cells) {
    const item = el("li", null, { "data-need": cell.need });
    const title = cell.guide ? el("a", cell.need_title, { href: cell.guide }) : el("span", cell.need_title);
    item.append(title, el("span", cell.band, { class: "band" }));
    if (cell.cases.length) {
      const cases = el("span", "案例：", { class: "cases" });
      cell.cases.forEach((c, i) => cases.append(i ? "、" : "", el("a", c.title, { href: c.url })));
      item.append(cases);
    }
    list.append(item);
  }
  $("#empty").hidden = body.cells.length > 0;
  const bar = chart("bar");
  if (!bar) return;
  const cells = [...body.cells].slice(0, 15).reverse();
  const top = cells.length;
  document.getElementById("bar").style.height = `${Math.max(120, 40 + 30 * top)}px`;
  bar.resize();
  bar.setOption({
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "item", formatter: (p) => `${p.name}<br>第 ${p.data.rank} 名 · ${p.data.band}` },
    xAxis: { type: "value", show: false, max: top },
    yAxis: { type: "category", data: cells.map((c) => (c.need_title.length > 14 ? `${c.need_title.slice(0, 14)}…` : c.need_title)),
      axisTick: { show: false } },
    series: [{ type: "bar", data: cells.map((c) => ({ value: top - c.rank + 1, rank: c.rank, band: c.band })),
      barMaxWidth: 22, itemStyle: { color: "#0b5f8a" }, label: { show: true, position: "right", formatter: (p) => `#${p.data.rank}` } }],
  }, true);
  $("#bar").hidden = body.cells.length === 0;
}

async function renderTrend(params) {
  const body = await getJSON("/api/rankings/trend", { industry: params.industry, province: params.province });
  const line = chart("trend");
  if (!line) return;
  line.setOption({
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { type: "scroll", top: 0 },
    tooltip: { trigger: "axis" },
    // 13 week labels on a phone: drop those that would overlap. No axis name: on an inverted axis it sits at
    // the bottom, over the week labels; the heading says what the numbers are.
    xAxis: { type: "category", data: body.weeks.map((w) => w.slice(5)), axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", inverse: true, min: 1, max: (v) => Math.max(v.max, 5), minInterval: 1 },
    series: body.series.map((s) => ({ type: "line", name: s.need_title.slice(0, 12), data: s.ranks, connectNulls: false })),
  }, true);
}

async function renderMap(params) {
  const need = $("#map-need").value;
  if (!need) return;
  const body = await getJSON("/api/rankings/map", { need, industry: params.industry, window: params.window, kind: params.kind });
  const ranks = Object.fromEntries(body.provinces.map((p) => [p.province, p.rank]));
  const grid = chart("map");
  if (!grid) return;
  const data = Object.entries(TILES).map(([name, [x, y]]) => ({
    name, value: [x, y], rank: ranks[name] ?? null,
    itemStyle: { color: ranks[name] ? shade(ranks[name]) : "#e9ecef" },
    label: { color: ranks[name] && ranks[name] <= 5 ? "#fff" : "#1d2630" },
  }));
  const size = Math.max(28, Math.min(64, (document.getElementById("map").clientWidth - 24) / 8.5));
  grid.setOption({
    grid: { left: 4, right: 4, top: 4, bottom: 4 },
    tooltip: { formatter: (p) => `${p.name}：${p.data.rank ? `第 ${p.data.rank} 名` : "未公布"}` },
    xAxis: { type: "value", min: -0.5, max: 7.5, show: false },
    yAxis: { type: "value", min: -0.5, max: 8.5, inverse: true, show: false },
    series: [{ type: "scatter", symbol: "roundRect", symbolSize: size, data,
      label: { show: true, fontSize: size < 40 ? 10 : 12, formatter: (p) => `${SHORT(p.name)}\n${p.data.rank ? `#${p.data.rank}` : "—"}` } }],
  }, true);
}

let generation = 0; // a newer render supersedes an older one still waiting for its response

async function render() {
  const mine = ++generation;
  const params = filters();
  $("#error").hidden = true;
  $("#csv").href = `/api/rankings.csv?${new URLSearchParams(Object.entries(params).filter(([, v]) => v))}`;
  try {
    const body = await getJSON("/api/rankings", params);
    if (mine !== generation) return;
    $("#simulated").hidden = !body.simulated;
    $("#noise").hidden = !body.noise;
    if (body.k) {
      for (const node of document.querySelectorAll("[data-k]")) node.textContent = body.k;
      for (const node of document.querySelectorAll("[data-band]")) node.textContent = `≥${body.k} 家伙伴`;
    }
    $("#period").textContent = body.period ? `统计周期：${body.period.from} 至 ${body.period.to}（${body.period.weeks}）` : "还没有发布排行。";
    renderList(body);
    const select = $("#map-need");
    if (body.cells.length && !body.cells.some((c) => c.need === select.value)) select.value = body.cells[0].need;
    await Promise.all([renderTrend(params), renderMap(params)]);
    if (mine === generation) document.body.dataset.rendered = String(mine);
  } catch (error) {
    $("#error").textContent = error.message;
    $("#error").hidden = false;
  }
}

async function start() {
  const options = await getJSON("/api/rankings/options");
  for (const i of options.industries) option(form.industry, i.code, i.label);
  for (const p of options.provinces) option(form.province, p.name, p.name);
  for (const n of options.needs) option($("#map-need"), n.id, n.title);
  form.addEventListener("change", render);
  $("#map-need").addEventListener("change", () => renderMap(filters()));
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  await render();
  document.body.dataset.ready = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
