// Canonym review page: cluster pasted or uploaded names, confirm or split entities (recorded as
// judgements in the registry), browse the registry. Plain JavaScript, no build step, no network
// beyond this service. Every name is put in the page with textContent, never as HTML.
"use strict";

const AUTHOR = "review-page";
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

function status(text, isError) {
  const box = $("status");
  box.textContent = text;
  box.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const headers = { "content-type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (data.error && data.error.message) || response.statusText;
    throw new Error(`${response.status}: ${message}`);
  }
  return data;
}

// --- input -------------------------------------------------------------------------------------

function parseCsvLine(line) {
  const cells = [];
  let cell = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { cells.push(cell); cell = ""; }
    else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function namesFromFile(name, text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  if (!/\.csv$/i.test(name) || !lines.length) return lines;
  const header = parseCsvLine(lines[0]).map((h) => h.trim().toLowerCase());
  const column = Math.max(header.indexOf("name"), 0);
  return lines.slice(1).map((l) => parseCsvLine(l)[column] || "").filter((n) => n.trim());
}

function currentNames() {
  return $("names").value.split(/\r?\n/).map((n) => n.trim()).filter((n) => n);
}

// --- entities ----------------------------------------------------------------------------------

let entities = [];

async function cluster() {
  const names = currentNames();
  if (!names.length) { status("Paste or upload some names first.", true); return; }
  $("cluster-button").disabled = true;
  status(`Clustering ${names.length} names…`);
  try {
    const body = await api("POST", "v1/cluster", { names, explain: true, resolve: true });
    entities = body.entities.map((e) => ({ ...e, state: "open" }));
    render();
    status(`${body.names} distinct names, ${body.entities_count} entities.`);
  } catch (err) {
    status(`Clustering failed: ${err.message}`, true);
  } finally {
    $("cluster-button").disabled = false;
  }
}

function percent(x) { return `${Math.round(x * 100)}%`; }

function memberRow(entity, member, index) {
  const box = el("input", { type: "checkbox", className: "split-box", title: "select to split off" });
  box.dataset.index = String(index);
  box.disabled = entity.state !== "open" || entity.members.length < 2;
  const bar = el("div", { className: "bar" }, el("span"));
  bar.firstChild.style.width = percent(member.confidence);
  return el("li", { className: "member" }, box,
    el("span", { className: "member-name" }, member.name, member.count > 1 ? ` ×${member.count}` : ""),
    el("span", { className: "member-confidence" }, member.confidence.toFixed(2)), bar);
}

function registryLine(entity) {
  const link = entity.registry;
  if (!link) return null;
  const badge = el("span", { className: `badge ${link.decision}` }, link.decision);
  const text = link.decision === "matched" ? ` registry: ${link.canonical} (${link.entity_id})` : "";
  return el("span", { className: "registry", title: link.reason }, badge, text);
}

function entityCard(entity, index) {
  const card = el("div", { className: `entity ${entity.state}` });
  card.dataset.index = String(index);
  card.append(el("h3", {},
    el("span", { className: "canonical" }, entity.canonical),
    el("span", { className: "confidence" }, `confidence ${entity.confidence.toFixed(2)}`),
    registryLine(entity)));
  card.append(el("ul", { className: "members" },
    ...entity.members.map((m, i) => memberRow(entity, m, i))));
  if (entity.weakest_link) {
    const w = entity.weakest_link;
    card.append(el("div", { className: "weakest" },
      el("strong", {}, "Weakest link: "), `${w.name} ~ ${w.partner} (${w.probability.toFixed(2)}): `,
      el("span", { className: "weakest-summary" }, w.summary)));
  }
  card.append(actions(entity, index));
  return card;
}

function actions(entity, index) {
  const row = el("div", { className: "actions" });
  if (entity.state === "confirmed") {
    row.append(el("span", { className: "done" }, entity.note));
    return row;
  }
  const matched = entity.registry && entity.registry.decision === "matched";
  let kind = null;
  if (!matched) {
    kind = el("select", { className: "kind", title: "kind of the new registry entity" },
      ...["person", "place", "org", "other"].map((k) => el("option", { value: k }, k)));
  }
  const confirm = el("button", { type: "button", className: "primary confirm" },
    matched ? "Confirm" : "Confirm as new entity");
  confirm.addEventListener("click", () => confirmEntity(index, kind ? kind.value : null));
  const split = el("button", { type: "button", className: "split" }, "Split selected");
  split.disabled = entity.members.length < 2;
  split.addEventListener("click", () => splitEntity(index));
  row.append(confirm, split);
  if (kind) row.append(kind);
  if (entity.note) row.append(el("span", { className: "done" }, entity.note));
  return row;
}

function render() {
  const box = $("entities");
  box.replaceChildren(...entities.map(entityCard));
}

async function judge(name, entityId, verdict) {
  return api("POST", "v1/judgements", { name, entity_id: entityId, verdict, author: AUTHOR });
}

async function confirmEntity(index, kind) {
  const entity = entities[index];
  try {
    let entityId;
    if (entity.registry && entity.registry.decision === "matched") {
      entityId = entity.registry.entity_id;
    } else {
      const created = await api("POST", "v1/entities", { canonical: entity.canonical, kind });
      entityId = created.id;
      entity.registry = { decision: "matched", entity_id: entityId, canonical: created.canonical,
        reason: "created from the review page" };
    }
    for (const member of entity.members) await judge(member.name, entityId, "confirmed");
    entity.state = "confirmed";
    entity.note = `${entity.members.length} names confirmed for ${entityId}`;
    status(`Confirmed ${entity.canonical}.`);
    render();
    searchRegistry();
  } catch (err) {
    status(`Confirm failed: ${err.message}`, true);
  }
}

async function splitEntity(index) {
  const entity = entities[index];
  const card = $("entities").querySelector(`.entity[data-index="${index}"]`);
  const picked = [...card.querySelectorAll(".split-box:checked")].map((b) => Number(b.dataset.index));
  if (!picked.length || picked.length === entity.members.length) {
    status("Select some, not all, of the names to split off.", true);
    return;
  }
  const away = entity.members.filter((_, i) => picked.includes(i));
  const stay = entity.members.filter((_, i) => !picked.includes(i));
  try {
    const matched = entity.registry && entity.registry.decision === "matched";
    if (matched) {
      for (const m of away) await judge(m.name, entity.registry.entity_id, "rejected");
    }
    const note = matched
      ? `${away.length} rejected for ${entity.registry.entity_id}`
      : `${away.length} split off`;
    entities.splice(index, 1,
      { ...entity, members: stay, weakest_link: null, note },
      { ...entity, canonical: away[0].name, members: away, weakest_link: null,
        registry: { decision: "new", reason: "split off on the review page" },
        confidence: away.length > 1 ? entity.confidence : 1, note: "" });
    status(`Split ${away.map((m) => m.name).join(", ")} off ${entity.canonical}.`);
    render();
  } catch (err) {
    status(`Split failed: ${err.message}`, true);
  }
}

// --- registry ----------------------------------------------------------------------------------

async function searchRegistry() {
  const q = $("registry-q").value.trim();
  const params = new URLSearchParams({ limit: "50" });
  if (q) params.set("q", q);
  try {
    const page = await api("GET", `v1/entities?${params}`);
    $("registry-count").textContent = `${page.count} entities${q ? ` matching "${q}"` : ""}`;
    $("registry-list").replaceChildren(...page.data.map((e) => {
      const item = el("li", { className: "registry-entity", title: e.id },
        el("strong", {}, e.canonical), ` · ${e.kind}${e.country ? `, ${e.country}` : ""} · ${e.alias_count} names`);
      item.addEventListener("click", () => showEntity(e));
      return item;
    }));
  } catch (err) {
    $("registry-count").textContent = `Registry unavailable: ${err.message}`;
  }
}

async function showEntity(entity) {
  const page = await api("GET", `v1/entities/${encodeURIComponent(entity.id)}/aliases?limit=200`);
  $("registry-detail").replaceChildren(
    el("h3", {}, entity.canonical),
    el("p", { className: "hint" }, `${entity.id} · ${page.count} aliases`),
    el("ul", { className: "aliases" },
      ...page.data.map((a) => el("li", {}, a.name, el("span", { className: "hint" }, ` ${a.script} · ${a.source}`)))));
}

// --- wiring ------------------------------------------------------------------------------------

$("cluster-button").addEventListener("click", cluster);
$("registry-search").addEventListener("click", searchRegistry);
$("registry-q").addEventListener("keydown", (e) => { if (e.key === "Enter") searchRegistry(); });
$("file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const names = namesFromFile(file.name, await file.text());
  $("names").value = names.join("\n");
  status(`${names.length} names read from ${file.name}.`);
});
$("api-key").value = localStorage.getItem("canonym-api-key") || "";
$("api-key").addEventListener("change", () => localStorage.setItem("canonym-api-key", $("api-key").value));
searchRegistry();
