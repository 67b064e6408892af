/* Yishi (议事) — the secretary's minutes editor (templates/minutes_edit.html, while the minutes are a draft).
 *
 * Each item saves itself: a pause in typing (or leaving a box) sends that item's texts, and only that item's, to
 * PUT /api/v1/meetings/<m>/minutes/items/<i> with the version they were based on. What is typed is never lost:
 *   - the boxes are never rewritten from the server, so saving one item leaves another's unsaved text alone;
 *   - a refused save keeps the text in its box and says why ("未保存：<reason>");
 *   - every keystroke is kept in localStorage (meeting + item + field) until the server has it, and offered back
 *     after a reload when it differs from what the server holds;
 *   - a save based on a version someone else has saved over is refused by the server ("已被他人修改"): both texts
 *     are shown, and the secretary chooses.
 * The preview, the items still without 会议议定 and the warnings come from the server with each save
 * (minutes/summary.py composes the 纪要: nothing of it is repeated here).
 * Without JavaScript the forms post as before. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  }
  // meeting/js_strings.py, in the page's language: <script type="application/json" id="yishi-strings">
  function strings(part) { return readJson("yishi-strings")[part] || {}; }
  var T = strings("editor");
  var DATA = readJson("minutes-editor-data");
  var FIELDS = DATA.fields || [];
  var MEETING = DATA.meeting_id;
  var DEBOUNCE_MS = 800;
  var RETRY_MS = 5000;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function fmt(s, o) {
    return String(s || "").replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ""; });
  }
  function key(itemId, field) { return "yishi-minutes-draft:" + MEETING + ":" + itemId + ":" + field; }
  function store() { try { return window.localStorage; } catch (e) { return null; } }
  function readDraft(itemId, field) {
    var ls = store();
    if (!ls) { return null; }
    try { return JSON.parse(ls.getItem(key(itemId, field)) || "null"); } catch (e) { return null; }
  }
  function writeDraft(itemId, field, text, base) {
    var ls = store();
    if (!ls) { return; }
    try { ls.setItem(key(itemId, field), JSON.stringify({ text: text, base: base, at: new Date().toISOString() })); } catch (e) { /* full */ }
  }
  function dropDraft(itemId, field) {
    var ls = store();
    if (ls) { try { ls.removeItem(key(itemId, field)); } catch (e) { /* ignore */ } }
  }
  function hm(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    var p = function (n) { return ("0" + n).slice(-2); };
    return (d.getMonth() + 1) + "/" + d.getDate() + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  var editors = [];

  function Editor(section) {
    var self = this;
    this.section = section;
    this.id = section.getAttribute("data-item-id");
    this.number = section.getAttribute("data-number");
    this.form = section.querySelector("form.editor-form");
    this.url = this.form.getAttribute("data-api");
    this.version = section.getAttribute("data-version") || "";
    this.stateEl = section.querySelector(".save-state");
    this.boxes = {};
    this.saved = {};  // what the server holds, field by field (as the page was rendered, then as each save answered)
    FIELDS.forEach(function (f) {
      var box = self.form.querySelector('[data-field="' + f + '"]');
      if (!box) { return; }
      self.boxes[f] = box;
      self.saved[f] = box.value;
      box.addEventListener("input", function () { self.changed(f); });
      box.addEventListener("blur", function () { if (self.dirty()) { self.flush(); } });
    });
    this.timer = null;
    this.inflight = false;
    this.again = false;
    this.refused = false;  // the last save was refused: wait for the next change (or a choice) before trying again
    this.form.addEventListener("submit", function (e) { e.preventDefault(); self.refused = false; self.flush(); });
    section.querySelector('[data-draft="restore"]').addEventListener("click", function () { self.restore(); });
    section.querySelector('[data-draft="discard"]').addEventListener("click", function () { self.discard(); });
    section.querySelector('[data-conflict="mine"]').addEventListener("click", function () { self.keepMine(); });
    section.querySelector('[data-conflict="theirs"]').addEventListener("click", function () { self.takeTheirs(); });
    this.offerDrafts();
  }

  Editor.prototype.values = function () {
    var out = {};
    for (var f in this.boxes) { out[f] = this.boxes[f].value; }
    return out;
  };
  Editor.prototype.dirty = function () {
    for (var f in this.boxes) { if (this.boxes[f].value !== this.saved[f]) { return true; } }
    return false;
  };
  Editor.prototype.show = function (cls, text) {
    this.stateEl.className = "save-state " + cls;
    this.stateEl.textContent = text;
  };
  Editor.prototype.changed = function (field) {
    writeDraft(this.id, field, this.boxes[field].value, this.version);
    this.refused = false;
    this.show("state-pending", T.pending);
    this.schedule(DEBOUNCE_MS);
  };
  Editor.prototype.schedule = function (ms) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.flush(); }, ms);
  };
  Editor.prototype.flush = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.inflight) { this.again = true; return; }
    if (this.refused) { return; }
    if (!this.dirty()) {
      if (this.stateEl.classList.contains("state-pending")) { this.show("state-saved", this.savedText || ""); }
      return;
    }
    var sent = this.values();
    var body = { base_version: this.version };
    for (var f in sent) { body[f] = f === "deadline" ? (sent[f] || null) : sent[f]; }
    this.inflight = true;
    this.show("state-saving", T.saving);
    fetch(this.url, {
      method: "PUT",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (res) { return { status: resp.status, res: res }; }, function () {
        return { status: resp.status, res: null };
      });
    }).then(function (r) {
      self.inflight = false;
      if (r.res && r.res.ok) {
        self.accepted(sent, r.res);
      } else if (r.status >= 500 || !r.res) {
        self.show("state-error", fmt(T.notSaved, { reason: T.serverError }));
        self.schedule(RETRY_MS);
      } else {
        self.refusedWith(r.res.error || {});
      }
      if (self.again) { self.again = false; self.flush(); }
    }).catch(function () {
      self.inflight = false;
      self.again = false;
      self.show("state-error", fmt(T.notSaved, { reason: T.offline }));
      self.schedule(RETRY_MS);  // the text stays in the box and in the local draft
    });
  };
  Editor.prototype.accepted = function (sent, res) {
    var item = res.item || {};
    this.version = item.version || "";
    this.form.querySelector('input[name="base_version"]').value = this.version;
    for (var f in sent) {
      this.saved[f] = item[f] !== undefined ? item[f] : sent[f];
      if (this.boxes[f].value === this.saved[f]) { dropDraft(this.id, f); }
      else { writeDraft(this.id, f, this.boxes[f].value, this.version); }  // typed meanwhile: now on this version
    }
    this.hideConflict();
    this.savedText = fmt(T.saved, { t: item.saved_at });
    if (this.dirty()) { this.show("state-pending", T.pending); this.schedule(DEBOUNCE_MS); }
    else { this.show("state-saved", this.savedText); }
    if (res.editor) { showEditor(res.editor); }
  };
  Editor.prototype.refusedWith = function (err) {
    this.refused = true;
    if (err.code === "minutes_item_stale") {
      this.show("state-error", fmt(T.notSaved, { reason: T.stale }));
      this.showConflict(err);
    } else {
      this.show("state-error", fmt(T.notSaved, { reason: err.message || "" }));
    }
  };

  // ---------------------------------------------------------------- two tabs: both texts shown
  Editor.prototype.showConflict = function (err) {
    var box = this.section.querySelector(".conflict");
    var list = box.querySelector(".conflict-texts");
    this.theirs = { version: err.version || "", texts: err.current || {} };
    box.querySelector(".conflict-text").textContent = (err.message || T.stale) + " " + T.mine;
    list.textContent = "";
    var head = document.createElement("p");
    head.textContent = fmt(T.theirs, { by: this.theirs.texts.saved_by || "", t: this.theirs.texts.saved_at || "" });
    list.parentNode.insertBefore(head, list);
    if (this.conflictHead) { this.conflictHead.remove(); }
    this.conflictHead = head;
    var mine = this.values();
    for (var f in this.boxes) {
      var theirs = this.theirs.texts[f] === undefined ? "" : this.theirs.texts[f];
      if (theirs === mine[f]) { continue; }
      var dt = document.createElement("dt");
      dt.textContent = (T.fields || {})[f] || f;
      var dd = document.createElement("dd");
      dd.setAttribute("data-testid", "conflict-theirs-" + f);
      dd.textContent = theirs || T.empty;
      list.appendChild(dt);
      list.appendChild(dd);
    }
    box.hidden = false;
  };
  Editor.prototype.hideConflict = function () {
    this.section.querySelector(".conflict").hidden = true;
    this.theirs = null;
  };
  Editor.prototype.keepMine = function () {
    if (!this.theirs) { return; }
    this.version = this.theirs.version;  // seen: now based on their version
    for (var f in this.boxes) { this.saved[f] = this.theirs.texts[f] === undefined ? "" : this.theirs.texts[f]; }
    this.refused = false;
    this.hideConflict();
    this.flush();
  };
  Editor.prototype.takeTheirs = function () {
    if (!this.theirs) { return; }
    this.version = this.theirs.version;
    this.form.querySelector('input[name="base_version"]').value = this.version;
    for (var f in this.boxes) {
      var text = this.theirs.texts[f] === undefined ? "" : this.theirs.texts[f];
      this.boxes[f].value = text;
      this.saved[f] = text;
      dropDraft(this.id, f);
    }
    this.refused = false;
    this.hideConflict();
    this.show("state-saved", "");
  };

  // ---------------------------------------------------------------- a reload: the local draft offered back
  Editor.prototype.offerDrafts = function () {
    var found = {};
    var at = "";
    for (var f in this.boxes) {
      var d = readDraft(this.id, f);
      if (!d) { continue; }
      if (d.text === this.boxes[f].value) { dropDraft(this.id, f); continue; }  // the server has it
      found[f] = d;
      if (!at || d.at > at) { at = d.at; }
    }
    this.drafts = found;
    var offer = this.section.querySelector(".draft-offer");
    if (!Object.keys(found).length) { offer.hidden = true; return; }
    offer.querySelector(".draft-offer-text").textContent = fmt(T.draftFound, { at: hm(at) });
    offer.hidden = false;
  };
  Editor.prototype.restore = function () {
    var base = null;
    for (var f in this.drafts) {
      this.boxes[f].value = this.drafts[f].text;
      if (base === null) { base = this.drafts[f].base; }
    }
    // the draft was typed on the version it was based on: if the server has moved on since, the save is refused
    // as stale and both texts are shown
    if (base !== null && base !== undefined) { this.version = base; }
    this.section.querySelector(".draft-offer").hidden = true;
    this.drafts = {};
    this.refused = false;
    this.flush();
  };
  Editor.prototype.discard = function () {
    for (var f in this.drafts) { dropDraft(this.id, f); }
    this.drafts = {};
    this.section.querySelector(".draft-offer").hidden = true;
  };

  // ---------------------------------------------------------------- what the server says after each save
  function showEditor(state) {
    var preview = document.getElementById("preview");
    if (preview && state.preview) {
      preview.textContent = "";
      state.preview.forEach(function (p) {
        var el = document.createElement("p");
        el.className = "para para-" + p.role;
        el.textContent = (p.label || "") + p.text;
        preview.appendChild(el);
      });
    }
    var missing = document.querySelector('[data-testid="missing-decisions"]');
    var approve = document.querySelector('[data-testid="approve"]');
    if (missing && state.missing) {
      missing.hidden = !state.missing.length;
      missing.querySelector(".missing-list").textContent = state.missing.join(T.missingSep || "；");
    }
    if (approve && state.missing) {
      approve.disabled = state.missing.length > 0 || approve.getAttribute("data-open") === "1";
    }
    var all = document.getElementById("preview-warnings");
    if (all && state.warnings) {
      all.textContent = "";
      editors.forEach(function (ed) {
        (state.warnings[ed.id] || []).forEach(function (w) {
          var li = document.createElement("li");
          li.textContent = fmt(T.itemWarning, { n: ed.number, w: w });
          all.appendChild(li);
        });
      });
    }
    editors.forEach(function (ed) {
      var list = ed.section.querySelector(".item-warnings");
      if (!list || !state.warnings) { return; }
      list.textContent = "";
      (state.warnings[ed.id] || []).forEach(function (w) {
        var li = document.createElement("li");
        li.textContent = w;
        list.appendChild(li);
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".minutes-item"), function (section) {
    if (section.querySelector("form.editor-form")) { editors.push(new Editor(section)); }
  });
  editors.forEach(function (ed) { ed.savedText = ed.stateEl.textContent; });

  window.addEventListener("beforeunload", function (e) {
    var busy = editors.some(function (ed) { return ed.inflight || ed.dirty(); });
    if (busy) { e.preventDefault(); e.returnValue = T.leave; return T.leave; }
  });
  window.YishiMinutesEditor = { editors: editors, flush: function () { editors.forEach(function (ed) { ed.flush(); }); } };
})();
