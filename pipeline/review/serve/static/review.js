// The document view of `pipeline review serve`: rows built from the page's JSON with
// textContent only (no text is ever parsed as HTML), CAT-tool keys, saves as JSON POSTs.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("document-data").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const rowsBody = document.getElementById("rows");
  const statusLine = document.getElementById("status");
  const filterSelect = document.getElementById("filter");
  const checkSelect = document.getElementById("check-filter");
  const searchInput = document.getElementById("search");
  const dialog = document.getElementById("glossary-dialog");
  const form = document.getElementById("glossary-form");
  const segments = data.segments;
  const rows = [];
  let current = -1;
  let editing = null; // {index, textarea}

  const ORIGIN_LABELS = {
    engine: "engine", memory: "memory", review: "reviewed", approved: "approved",
    suggestion: "suggestion", source: "English source", tm: "imported TM",
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function isDone(s) { return s.origin === "review" || s.origin === "approved"; }
  function isFrench(s) { return (s.lang || "fr") === "fr"; }

  function entryNote(term) {
    const e = (data.glossary || {})[term.source] || {};
    const parts = [term.source + " → " + term.target];
    if (e.kind) parts.push("kind: " + e.kind);
    if (e.variants && e.variants.length) parts.push("variants: " + e.variants.join("; "));
    if (e.forbidden && e.forbidden.length) parts.push("forbidden: " + e.forbidden.join("; "));
    if (e.note) parts.push("note: " + e.note);
    parts.push(term.ok === false ? "MISSING in the English" : term.ok ? "ok" : "not checked");
    return parts.join("\n");
  }

  // text with [start, end, className, title] spans wrapped in <mark>, overlapping ones skipped
  function marked(text, spans) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    for (const [start, end, className, title] of spans) {
      if (start < last || end <= start) continue;
      fragment.append(text.slice(last, start));
      const mark = el("mark", className, text.slice(start, end));
      mark.title = title;
      fragment.append(mark);
      last = end;
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function englishSpans(s) {
    const spans = [];
    for (const term of s.terms || []) {
      if (!term.target) continue;
      const pattern = new RegExp(
        "(?<![\\p{L}\\p{N}])" + escapeRegExp(term.target) + "(?![\\p{L}\\p{N}])", "giu");
      for (const match of s.en.matchAll(pattern)) {
        spans.push([match.index, match.index + match[0].length, "term", entryNote(term)]);
      }
    }
    return spans;
  }

  function frenchSpans(s) {
    return (s.terms || []).map((t) => [
      t.start, t.end, t.ok === false ? "term missing" : "term", entryNote(t)]);
  }

  // "suggested glossary entry: {source: X, target: Y, kind: person}" of consistency.entity
  function suggestedEntry(finding) {
    const m = /source: (.*?), target: (.*?)(?:, kind: (\w+))?\}/.exec(finding.evidence || "");
    return m ? { source: m[1], target: m[2], kind: m[3] || "" } : null;
  }

  function renderRow(s, index) {
    const tr = el("tr", "segment");
    tr.dataset.id = s.id;
    tr.dataset.origin = s.origin || "none";
    tr.dataset.index = String(index);
    if (!isFrench(s)) tr.classList.add("passthrough");
    if (isDone(s)) tr.classList.add("done");
    const severities = new Set((s.findings || []).map((f) => f.severity));
    if (severities.has("error")) tr.classList.add("has-error");
    else if (severities.has("warning")) tr.classList.add("has-warning");

    const idCell = el("td", "id");
    idCell.append(el("span", "segment-id", s.id), el("br"));
    const origin = el("span", "origin " + (s.origin || "none"), ORIGIN_LABELS[s.origin] || s.origin || "none");
    origin.title = s.reviewer ? "by " + s.reviewer : (s.engine || s.origin || "");
    idCell.append(origin);
    if (s.reviewer) idCell.append(el("br"), el("span", "reviewer", s.reviewer));
    if (s.waiting) idCell.append(el("br"), el("span", "waiting", "saved; not yet in every output"));
    if (s.version) {
      const link = el("button", "history", "history (H)");
      link.type = "button";
      link.addEventListener("click", () => { select(index); showHistory(index); });
      idCell.append(el("br"), link);
    }

    const frCell = el("td", "fr");
    frCell.lang = s.lang || "fr";
    frCell.append(marked(s.fr, frenchSpans(s)));

    const enCell = el("td", "en");
    enCell.lang = "en";
    const enText = el("div", "text");
    enText.append(marked(s.en || "", englishSpans(s)));
    enCell.append(enText);
    for (const t of s.terms || []) {
      if (t.ok === false) enCell.append(el("span", "missing-target", "missing glossary term: " + t.target));
    }
    if (isFrench(s)) enCell.addEventListener("click", (event) => {
      if (editing && editing.index === index) return;
      if (event.target.closest("button")) return;
      select(index);
      edit(index);
    });

    const notes = el("td", "notes");
    if (s.findings && s.findings.length) {
      const list = el("ul", "findings");
      for (const f of s.findings) {
        const li = el("li", "finding " + f.severity);
        li.append(el("span", "check", f.check), ": " + f.message);
        if (f.evidence) li.append(" ", el("q", "", f.evidence));
        const entry = f.check === "consistency.entity" ? suggestedEntry(f) : null;
        if (entry) {
          const button = el("button", "add-term", "add to glossary");
          button.type = "button";
          button.addEventListener("click", () => openGlossary(entry));
          li.append(" ", button);
        }
        list.append(li);
      }
      notes.append(list);
    }
    if (s.suggestion && !isDone(s)) {
      const box = el("div", "suggestion");
      box.append(el("span", "score", s.suggestion.score + "% match"), " ");
      box.append(el("span", "suggested", s.suggestion.en));
      const from = el("div", "earlier-fr", "");
      from.append("for: ", el("span", "", s.suggestion.fr));
      from.lang = "fr";
      box.append(from);
      const button = el("button", "accept", "accept (S)");
      button.type = "button";
      button.addEventListener("click", () => { select(index); acceptSuggestion(index); });
      box.append(button);
      notes.append(box);
    }
    if (s.conflict) notes.append(conflictBox(s, index));
    tr.append(idCell, frCell, enCell, notes);
    tr.addEventListener("mousedown", () => { if (current !== index) select(index); });
    return tr;
  }

  function conflictBox(s, index) {
    const box = el("div", "conflict");
    box.append(el("strong", "", "Not saved: this segment changed since you opened it."));
    const theirs = el("div", "theirs");
    theirs.append("Now: ", el("span", "text", s.conflict.theirs));
    if (s.conflict.theirs_by) theirs.append(" (" + s.conflict.theirs_by + ")");
    const yours = el("div", "yours");
    yours.append("Yours: ", el("span", "text", s.conflict.yours));
    const keep = el("button", "keep-theirs", "keep theirs");
    keep.type = "button";
    keep.addEventListener("click", () => { delete s.conflict; refresh(index); });
    const mine = el("button", "use-mine", "save mine over it");
    mine.type = "button";
    mine.addEventListener("click", () => {
      const text = s.conflict.yours;
      delete s.conflict;
      save(index, "edit", text, false);
    });
    box.append(theirs, yours, keep, " ", mine);
    return box;
  }

  function refresh(index) {
    const tr = renderRow(segments[index], index);
    rows[index].replaceWith(tr);
    rows[index] = tr;
    applyFilter(tr, segments[index]);
    if (index === current) tr.classList.add("current");
  }

  function matches(s) {
    const filter = filterSelect.value;
    const check = checkSelect.value;
    if (filter === "unreviewed" && (!isFrench(s) || isDone(s))) return false;
    if (filter === "reviewed" && !isDone(s)) return false;
    if ((filter === "flagged" || check) && !(s.findings || []).some((f) => !check || f.check === check)) return false;
    const query = searchInput.value.trim().toLocaleLowerCase();
    if (query && !(s.fr.toLocaleLowerCase().includes(query) || (s.en || "").toLocaleLowerCase().includes(query))) return false;
    return true;
  }

  function applyFilter(tr, s) { tr.hidden = !matches(s); }

  function applyFilters() {
    let shown = 0;
    rows.forEach((tr, i) => { applyFilter(tr, segments[i]); shown += !tr.hidden; });
    document.getElementById("shown").textContent = shown + " of " + segments.length + " shown";
  }

  function updateSummary() {
    const french = segments.filter(isFrench);
    const reviewed = french.filter((s) => s.origin === "review").length;
    const approved = french.filter((s) => s.origin === "approved").length;
    document.getElementById("summary").textContent =
      segments.length + " segments, " + reviewed + " reviewed, " + approved + " approved, " +
      (french.length - reviewed - approved) + " remaining";
  }

  function select(index, scroll) {
    if (index < 0 || index >= rows.length) return;
    if (editing && editing.index !== index) cancelEdit();
    if (current >= 0 && rows[current]) rows[current].classList.remove("current");
    current = index;
    rows[index].classList.add("current");
    if (scroll !== false) rows[index].scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    for (let i = current + step; i >= 0 && i < rows.length; i += step) {
      if (!rows[i].hidden) { select(i); return; }
    }
  }

  function nextUnreviewed(from) {
    for (let n = 1; n <= segments.length; n++) {
      const i = (from + n) % segments.length;
      if (rows[i] && !rows[i].hidden && isFrench(segments[i]) && !isDone(segments[i])) return i;
    }
    return -1;
  }

  function edit(index) {
    const s = segments[index];
    if (!isFrench(s)) return;
    if (editing) cancelEdit();
    const cell = rows[index].querySelector("td.en");
    const textarea = el("textarea", "editor");
    textarea.value = s.en || "";
    textarea.rows = Math.max(2, Math.ceil((s.en || "").length / 60));
    textarea.setAttribute("aria-label", "English of " + s.id);
    cell.querySelector(".text").hidden = true;
    cell.prepend(textarea);
    editing = { index, textarea };
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  }

  function cancelEdit() {
    if (!editing) return;
    const { index, textarea } = editing;
    editing = null;
    textarea.remove();
    const text = rows[index].querySelector("td.en .text");
    if (text) text.hidden = false;
  }

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.className = isError ? "error" : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = { error: response.statusText }; }
    return { status: response.status, payload };
  }

  const saving = new Set(); // segments whose save is on its way: one at a time each

  async function save(index, kind, text, advance) {
    const s = segments[index];
    if (saving.has(index)) return;
    saving.add(index);
    say("saving " + s.id + "…");
    let answer;
    try {
      answer = await post("/api/save", {
        doc: data.name, id: s.id, en: text, kind, base_version: s.version,
      });
    } catch (error) {
      say("not saved: the server does not answer (is 'pipeline review serve' running?)", true);
      return;
    } finally {
      saving.delete(index);
    }
    const { status, payload } = answer;
    if (status === 200) {
      segments[index] = payload.segment;
      if (editing && editing.index === index) editing = null;
      refresh(index);
      updateSummary();
      say((kind === "approved" ? "approved " : "saved ") + s.id);
      if (advance) {
        const next = nextUnreviewed(index);
        if (next >= 0) select(next);
        else say((kind === "approved" ? "approved " : "saved ") + s.id + "; no unreviewed segment left");
      }
    } else if (status === 409) {
      const conflict = payload.conflict;
      segments[index] = Object.assign(payload.segment, { conflict });
      if (editing && editing.index === index) editing = null;
      refresh(index);
      say("not saved: " + s.id + " was changed by someone else; choose a text", true);
    } else {
      say("not saved: " + (payload.error || status), true);
    }
  }

  async function showHistory(index) {
    const s = segments[index];
    const response = await fetch("/api/history/" + encodeURIComponent(s.id), { credentials: "same-origin" });
    const payload = await response.json();
    const notes = rows[index].querySelector("td.notes");
    const old = notes.querySelector(".versions");
    if (old) old.remove();
    const list = el("ol", "versions");
    for (const v of payload.history || []) {
      const item = el("li", "version");
      item.append(el("span", "kind", v.kind), " by " + (v.reviewer || "unknown") + " at " + v.at +
        " (" + (v.source || "?") + "): ", el("span", "text", v.en));
      list.append(item);
    }
    notes.append(list);
  }

  function acceptSuggestion(index) {
    const s = segments[index];
    if (!s.suggestion || isDone(s)) { say("no suggestion for " + s.id, true); return; }
    save(index, "edit", s.suggestion.en, true);
  }

  function openGlossary(entry) {
    form.reset();
    document.getElementById("glossary-error").textContent = "";
    document.getElementById("glossary-result").textContent = "";
    for (const [key, value] of Object.entries(entry || {})) {
      if (form.elements[key]) form.elements[key].value = value;
    }
    dialog.showModal();
    form.elements[entry && entry.source ? "target" : "source"].focus();
  }

  function frenchSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return "";
    const node = selection.anchorNode && selection.anchorNode.parentElement;
    if (!node || !node.closest("td.fr")) return "";
    return selection.toString().trim();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = {};
    for (const key of ["source", "target", "kind", "variants", "forbidden", "note"]) {
      fields[key] = form.elements[key].value;
    }
    const { status, payload } = await post("/api/glossary", fields);
    if (status === 200) {
      document.getElementById("glossary-error").textContent = "";
      const affected = payload.affected;
      document.getElementById("glossary-result").textContent =
        "Added " + payload.term + " → " + payload.target + ". " + affected.length +
        " segment(s) hold it" + (affected.length ? " (" + affected.slice(0, 8).join(", ") +
        (affected.length > 8 ? ", …" : "") + ")" : "") +
        "; run 'pipeline run' to translate them with it.";
      say("glossary: added " + payload.term);
    } else {
      document.getElementById("glossary-error").textContent = payload.error || String(status);
    }
  });
  document.getElementById("glossary-close").addEventListener("click", () => dialog.close());
  document.getElementById("add-selection").addEventListener("mousedown", (e) => e.preventDefault());
  document.getElementById("add-selection").addEventListener("click", () => {
    openGlossary({ source: frenchSelection() });
  });

  document.addEventListener("keydown", (event) => {
    if (dialog.open) return;
    if (editing) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        save(editing.index, "edit", editing.textarea.value, true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        cancelEdit();
      }
      return;
    }
    const target = event.target;
    if (target.closest && target.closest("input, select, textarea, button")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (key === "ArrowDown" || key === "j") { event.preventDefault(); move(current < 0 ? 1 : 1); }
    else if (key === "ArrowUp" || key === "k") { event.preventDefault(); move(-1); }
    else if (current < 0) return;
    else if (key === "Enter") { event.preventDefault(); edit(current); }
    else if (key === "a" || key === "A") {
      event.preventDefault();
      if (isFrench(segments[current])) save(current, "approved", segments[current].en, true);
    } else if (key === "s" || key === "S") { event.preventDefault(); acceptSuggestion(current); }
    else if (key === "h" || key === "H") { event.preventDefault(); if (segments[current].version) showHistory(current); }
    else if (key === "g" || key === "G") { event.preventDefault(); openGlossary({ source: frenchSelection() }); }
  });

  filterSelect.addEventListener("change", applyFilters);
  checkSelect.addEventListener("change", applyFilters);
  searchInput.addEventListener("input", applyFilters);

  // First render: the first screen of rows at once, the rest in chunks after it is
  // painted, so a long document shows (and takes keys) without waiting for every row.
  const FIRST_ROWS = 60;
  const CHUNK = 400;
  const checks = new Set();
  function build(from, to) {
    const fragment = document.createDocumentFragment();
    for (let i = from; i < to; i++) {
      const tr = renderRow(segments[i], i);
      rows.push(tr);
      fragment.append(tr);
      for (const f of segments[i].findings || []) checks.add(f.check);
    }
    rowsBody.append(fragment);
  }
  function finish() {
    for (const check of [...checks].sort()) checkSelect.append(new Option(check, check));
    applyFilters();
    if (current < 0) {
      const first = nextUnreviewed(-1);
      if (first >= 0) select(first, false);
    }
    document.body.dataset.ready = "true";
    window.reviewRenderedAt = performance.now();
  }
  function rest(from) {
    if (from >= segments.length) { finish(); return; }
    build(from, Math.min(from + CHUNK, segments.length));
    setTimeout(() => rest(from + CHUNK), 0);
  }
  build(0, Math.min(FIRST_ROWS, segments.length));
  if (segments.length > FIRST_ROWS) {
    const first = nextUnreviewed(-1);
    if (first >= 0 && first < rows.length) select(first, false);
  }
  requestAnimationFrame(() => setTimeout(() => {
    window.reviewFirstPaintAt = performance.now(); // the first screen of rows is painted
    rest(rows.length);
  }, 0));
})();
