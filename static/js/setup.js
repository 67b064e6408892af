/* Setting-up pages: drag-and-drop ordering (HTML5), small form helpers.
 * Everything here is an enhancement: without JavaScript the up/down buttons and plain forms do the same work. */
(function () {
  "use strict";

  // meeting/js_strings.py, in the page's language: <script type="application/json" id="yishi-strings">
  function strings(part) {
    var node = document.getElementById("yishi-strings");
    try { return (node && JSON.parse(node.textContent)[part]) || {}; } catch (e) { return {}; }
  }
  var T = strings("setup");
  var NUMBER_LOCALE = document.documentElement.lang || "zh-CN";  // <html lang="zh-CN"|"en">


  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /* confirmations (data-confirm) and printing (data-print): static/js/page.js, on every page */

  /* a refusal shown beside its form: bring it into view */
  var here = document.querySelector("[data-error-here]");
  if (here) {
    here.scrollIntoView({ block: "center" });
  }

  /* ------------------------------------------------------------ drag-and-drop ordering */
  function rows(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.classList.contains("sort-row"); });
  }

  function renumber(list) {
    rows(list).forEach(function (row, i, all) {
      var pos = row.querySelector(".pos");
      if (pos) { pos.textContent = String(i + 1); }
      var up = row.querySelector('button[value="up"], button[name="up"]');
      var down = row.querySelector('button[value="down"], button[name="down"]');
      if (up) { up.disabled = i === 0; }
      if (down) { down.disabled = i === all.length - 1; }
    });
  }

  function ids(list) {
    return rows(list).map(function (row) { return parseInt(row.getAttribute("data-id"), 10); });
  }

  function restore(list, order) {
    var byId = {};
    rows(list).forEach(function (row) { byId[row.getAttribute("data-id")] = row; });
    order.forEach(function (id) { list.appendChild(byId[String(id)]); });
    renumber(list);
  }

  /* the item cards below the agenda follow the agenda's order, and so do their "议题n" labels */
  function reorderCards(order) {
    var box = document.getElementById("item-cards");
    if (!box) { return; }
    order.forEach(function (id, i) {
      var card = box.querySelector('.item-card[data-id="' + id + '"]');
      if (card) {
        box.appendChild(card);
        var pos = card.querySelector(".item-head .pos");
        if (pos) { pos.textContent = pos.textContent.replace(/\d+/, String(i + 1)); }
      }
    });
  }

  function status(list, text, bad) {
    var out = list.parentNode.querySelector(".sort-status");
    if (out) {
      out.textContent = text;
      out.classList.toggle("bad", !!bad);
    }
  }

  function save(list, before) {
    var mode = list.getAttribute("data-sortable");
    if (mode === "form") {
      var form = list.closest("form");
      var saveBtn = form.querySelector("[data-save-order]");
      if (form.requestSubmit && saveBtn) { form.requestSubmit(saveBtn); } else { form.submit(); }
      return;
    }
    var order = ids(list);
    status(list, T.saving);
    fetch(list.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ item_ids: order })
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (r) {
      if (r.ok && r.body.ok) {
        reorderCards(order);
        status(list, r.body.message || T.saved);
      } else {
        restore(list, before);
        status(list, (r.body.error && r.body.error.message) || T.notSaved, true);
      }
    }).catch(function () {
      restore(list, before);
      status(list, T.offline, true);
    });
  }

  function makeSortable(list) {
    var dragged = null;
    var before = null;

    rows(list).forEach(function (row) {
      var handle = row.querySelector(".handle");
      if (!handle) { return; }
      /* only the handle starts a drag, so text in the row stays selectable */
      handle.addEventListener("mousedown", function () { row.draggable = true; });
      handle.addEventListener("touchstart", function () { row.draggable = true; }, { passive: true });
      row.addEventListener("dragstart", function (e) {
        dragged = row;
        before = ids(list);
        row.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", row.getAttribute("data-id"));
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("dragging");
        row.draggable = false;
        list.querySelectorAll(".drop-before, .drop-after").forEach(function (el) {
          el.classList.remove("drop-before", "drop-after");
        });
        if (dragged && before && before.join(",") !== ids(list).join(",")) {
          renumber(list);
          save(list, before);
        }
        dragged = null;
      });
    });

    list.addEventListener("dragover", function (e) {
      if (!dragged) { return; }
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      var target = e.target.closest(".sort-row");
      if (!target || target === dragged || target.parentNode !== list) { return; }
      var box = target.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? target.nextSibling : target);
    });
    list.addEventListener("drop", function (e) { e.preventDefault(); });
  }

  document.querySelectorAll("[data-sortable]").forEach(makeSortable);

  /* ------------------------------------------------------------ new meeting: session number and delegation */
  var kind = document.querySelector("select[data-next-sessions]");
  if (kind) {
    var next = JSON.parse(kind.getAttribute("data-next-sessions"));
    var session = document.querySelector('input[name="session_number"]');
    var suggested = session.value;
    kind.addEventListener("change", function () {
      /* follow the type's own sequence unless the secretary typed a number */
      if (session.value === suggested && next[kind.value]) {
        session.value = suggested = String(next[kind.value]);
      }
    });
  }
  var chair = document.querySelector("select[data-head]");
  if (chair) {
    var note = document.querySelector("[data-delegation-note]");
    var showDelegation = function () {
      var delegated = chair.value !== chair.getAttribute("data-head");
      note.classList.toggle("warn-text", delegated);
      note.classList.toggle("strong", delegated);
    };
    chair.addEventListener("change", showDelegation);
    showDelegation();
  }

  /* ------------------------------------------------------------ item form: fields by category, amount in 万元 */
  var itemForm = document.querySelector(".item-form");
  if (itemForm) {
    var sync = function () {
      var checked = itemForm.querySelector('input[name="category"]:checked');
      var cat = checked ? checked.value : "";
      itemForm.querySelectorAll("[data-show-for]").forEach(function (el) {
        var on = el.getAttribute("data-show-for").split(" ").indexOf(cat) >= 0;
        el.hidden = !on;
        /* a hidden field is not sent: subjects only belong to personnel items */
        el.querySelectorAll("input, select, textarea").forEach(function (f) { f.disabled = !on; });
      });
    };
    itemForm.addEventListener("change", function (e) {
      if (e.target.name === "category") { sync(); }
    });
    sync();

    var amount = itemForm.querySelector("[data-amount]");
    var out = itemForm.querySelector("[data-amount-out]");
    /* the same reading as meeting/amounts.py parse_amount: a bare number is 万元; 万, 亿, 元 as written */
    var readAmount = function (text) {
      var raw = text.replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
        .replace(/，/g, ",").replace(/．/g, ".").replace(/－/g, "-").replace(/￥/g, "¥")
        .replace(/[\s\u3000]/g, "").replace("人民币", "");
      if (!raw) { return null; }
      var m = /^([-+]?)¥?([0-9][0-9,]*(?:\.[0-9]+)?)(万元|万|亿元|亿|元)?$/.exec(raw);
      if (!m || m[1] === "-" || /,,|,$/.test(m[2])) { return NaN; }
      var scale = { "万": 1e4, "万元": 1e4, "亿": 1e8, "亿元": 1e8, "元": 1 }[m[3] || "万"];
      var yuan = Math.round(parseFloat(m[2].replace(/,/g, "")) * scale * 10000) / 10000;
      return yuan === Math.floor(yuan) ? yuan : NaN;
    };
    var showAmount = function () {
      var yuan = readAmount(amount.value);
      if (yuan === null) { out.textContent = ""; return; }
      out.textContent = isNaN(yuan) ? T.amountBad : T.amountIs
        .replace("{yuan}", yuan.toLocaleString(NUMBER_LOCALE))
        .replace("{wan}", (yuan / 10000).toLocaleString(NUMBER_LOCALE, { maximumFractionDigits: 4 }));
      out.classList.toggle("warn-text", isNaN(yuan));
    };
    if (amount && out) { amount.addEventListener("input", showAmount); showAmount(); }

    var add = itemForm.querySelector("[data-add-subject]");
    if (add) {
      add.addEventListener("click", function () {
        var box = itemForm.querySelector(".subject-rows");
        var last = box.querySelector(".subject-row:last-child");
        var copy = last.cloneNode(true);
        copy.querySelector("select").value = "";
        copy.querySelector("input").value = "";
        box.appendChild(copy);
        copy.querySelector("select").focus();
      });
    }
  }
})();
