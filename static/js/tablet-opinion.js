/* Yishi (议事) — the tablet (see tablet-kit.js): the opinion composer; written opinions of absent members. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt, ui = K.ui;
  var IS_OBSERVER = K.IS_OBSERVER;
  var stanceLabel = K.stanceLabel, myOpinion = K.myOpinion, live = K.live, presides = K.presides;
  var mayAct = K.mayAct, addPhrase = K.addPhrase;
  function render() { K.render(); }  // tablet.js

  // ------------------------------------------------------------------ the opinion composer

  function resetComposer() {
    ui.stance = null;
    ui.composing = false;
    ui.correcting = false;
    if ($('opinion-reason')) { $('opinion-reason').value = ''; }
    if ($('composer-problem')) { $('composer-problem').hidden = true; }
  }

  /* quick reasons that fit the item: T.phrases is keyed by category, then by stance (meeting/js_strings.py) */
  function phrasesFor(category, stance) {
    var table = T.phrases[category] || T.phrases.other;
    return table[stance] || [];
  }

  function renderOpinion(s, me, recused) {
    var card = $('opinion');
    var cur = s.current;
    var show = !IS_OBSERVER && !!me && me.present && !!cur && cur.status === 'voting' && !recused && s.meeting.status === 'in_session';
    R.show(card, show);
    if (!show) { return; }
    var p = cur.progress || {};
    var mine = myOpinion(s, me);
    var pend = K.room.pendingFor('give_opinion', cur.id);
    var can = mayAct(cur);

    // my status: pending until acknowledged, then "已记录 HH:MM:SS"
    var status = $('my-status');
    var parts = [];
    if (pend) {
      var label = stanceLabel(pend.payload.stance);
      status.className = 'my-status status-pending';
      parts.push(el('strong', { text: fmt(K.room.connected ? T.pending : T.pendingOffline, { stance: label }) }));
    } else if (mine) {
      status.className = 'my-status status-recorded';
      parts.push(el('strong', { text: fmt(T.recorded, { at: mine.at }) }));
      parts.push(el('span', { class: 'my-stance stance-text-' + mine.stance, text: fmt(T.yourOpinion, { stance: stanceLabel(mine.stance) }) + (mine.version > 1 ? T.corrected : '') }));
      if (mine.reason) { parts.push(el('span', { class: 'my-reason', text: T.reasonPrefix + mine.reason })); }
      if (mine.proxy_by) { // deadends: 代录 — recorded for me by the secretary; I confirm or correct it until the chair speaks
        parts.push(el('span', { class: 'badge warn', testid: 'my-proxy', text: fmt(T.proxyMine, { name: mine.proxy_by, at: mine.proxy_at }) }));
        if (can) {
          parts.push(el('button', { type: 'button', class: 'secondary big-button', testid: 'proxy-confirm', text: T.proxyConfirm,
            onclick: function () { confirmProxy(cur, mine); } }));
        }
      }
    } else {
      status.className = 'my-status status-none';
      parts.push(el('strong', { text: T.notYet }));
    }
    R.replace(status, parts);

    // why the buttons are disabled
    var hint = '';
    if (presides() && !p.chair_may_speak) { hint = p.waiting ? fmt(T.chairWait, { n: p.waiting }) : T.chairWaitShort; }
    else if (!presides() && p.chair_has_spoken) { hint = T.lockedAfterChair; }
    $('opinion-hint').textContent = hint;
    R.show($('opinion-hint'), !!hint && !pend);

    var showButtons = !pend && (!mine || ui.correcting || ui.composing);
    R.show($('opinion-buttons'), showButtons);
    Array.prototype.forEach.call(document.querySelectorAll('#opinion-buttons .stance'), function (b) {
      b.disabled = !can;
      b.setAttribute('aria-pressed', ui.composing && ui.stance === b.dataset.stance ? 'true' : 'false');
      if (!can) { b.title = hint; } else { b.removeAttribute('title'); }
    });
    R.show($('opinion-change'), !!mine && !pend && can && !ui.correcting && !ui.composing);

    var composing = ui.composing && can && !pend;
    R.show($('composer'), composing);
    if (composing) {
      var st = ui.stance;
      var required = st === 'disagree' || st === 'defer';
      $('composer-title').textContent = fmt(T.chooseTitle, { stance: stanceLabel(st) });
      $('reason-label').textContent = required ? T.reasonRequired : T.reasonOptional;
      $('opinion-reason').required = required;
      $('opinion-confirm').textContent = fmt(T.confirm, { stance: stanceLabel(st) });
      $('opinion-confirm').className = 'big-button confirm-' + st;
      var phr = $('phrases');
      var shown = st + ' ' + cur.category;
      if (phr.dataset.shown !== shown) {
        phr.dataset.shown = shown;
        R.replace(phr, phrasesFor(cur.category, st).map(function (text, i) {
          return el('button', { type: 'button', class: 'phrase', testid: 'phrase-' + i, text: text,
            onclick: function () { addPhrase($('opinion-reason'), text); } });
        }));
      }
    }
  }


  function confirmProxy(cur, mine) {
    R.hideError();
    K.room.sendOpinion({ item_id: cur.id, round: cur.round, stance: mine.stance, reason: mine.reason || '' }).then(function (ack) {
      if (ack.ok) { R.showNotice(T.recordedNotice); } else { R.showError(ack.error); }
      render();
    });
    render();
  }

  function chooseStance(stance) {
    var cur = K.room.state && K.room.state.current;
    if (!mayAct(cur)) { return; }
    ui.stance = stance;
    ui.composing = true;
    $('composer-problem').hidden = true;
    render();
    var area = $('opinion-reason');
    if (stance !== 'agree') { area.focus(); }
    $('composer').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function confirmOpinion() {
    var s = K.room.state;
    var cur = s && s.current;
    if (!cur || !ui.stance) { return; }
    var stance = ui.stance;
    var reason = $('opinion-reason').value.trim();
    if ((stance === 'disagree' || stance === 'defer') && !reason) {
      var problem = $('composer-problem');
      problem.textContent = fmt(T.needReason, { stance: stanceLabel(stance) });
      problem.hidden = false;
      $('opinion-reason').focus();
      return;
    }
    ui.composing = false;
    ui.correcting = false;
    R.hideError();
    K.room.sendOpinion({ item_id: cur.id, round: cur.round, stance: stance, reason: reason }).then(function (ack) {
      if (ack.ok) {
        if ($('opinion-reason')) { $('opinion-reason').value = ''; }
        ui.stance = null;
        R.showNotice(T.recordedNotice);
      } else {
        R.showError(ack.error);
        // keep what was typed so it can be fixed and sent again
        var now = K.room.state && K.room.state.current;
        if (now && now.id === cur.id && now.round === cur.round && ack.error && ack.error.code === 'reason_required') {
          ui.stance = stance;
          ui.composing = true;
        }
      }
      render();
    });
    render();
  }

  // ------------------------------------------------------------------ written opinions (absent members)

  function writtenItems(s, me) {
    var out = [];
    var recusedIds = me.recused_item_ids || [];
    s.agenda.forEach(function (it) {
      var isCurrent = s.current && s.current.id === it.id && live(s.current);
      if (!isCurrent && it.status !== 'pending') { return; }
      if (recusedIds.indexOf(it.id) >= 0) { return; }
      if (isCurrent && (s.current.recused_person_ids || []).indexOf(me.person_id) >= 0) { return; }
      out.push({ item: it, current: isCurrent });
    });
    return out;
  }

  function writtenForm(entry) {
    var it = entry.item;
    var f = ui.writtenForms[it.id];
    if (f) { return f; }
    f = { stance: null };
    var reason = el('textarea', { class: 'reason', rows: 2, maxlength: 2000, testid: 'written-reason-' + it.id, id: 'written-reason-' + it.id });
    var buttons = ['agree', 'disagree', 'defer'].map(function (st) {
      return el('button', { type: 'button', class: 'stance stance-' + st + ' stance-small', testid: 'written-' + st + '-' + it.id,
        'aria-pressed': 'false', text: T.stance[st], onclick: function () {
          f.stance = st;
          buttons.forEach(function (b) { b.setAttribute('aria-pressed', b === this ? 'true' : 'false'); }, this);
        } });
    });
    var submit = el('button', { type: 'button', class: 'primary big-button', testid: 'written-submit-' + it.id, text: T.writtenSubmit,
      onclick: function () {
        if (!f.stance) { R.showError(T.chooseStanceFirst); return; }
        var text = reason.value.trim();
        if ((f.stance === 'disagree' || f.stance === 'defer') && !text) {
          R.showError(fmt(T.needReason, { stance: T.stance[f.stance] }));
          reason.focus();
          return;
        }
        K.room.sendReliable('written_opinion', { item_id: it.id, stance: f.stance, reason: text }).then(function (ack) {
          if (ack.ok) { R.showNotice(T.writtenSent); K.room.sync(); } else { R.showError(ack.error); }
          render();
        });
        render();
      } });
    f.title = el('h3', { class: 'written-title' });
    f.status = el('p', { class: 'written-status', testid: 'written-status-' + it.id, hidden: true });
    f.form = el('div', { class: 'written-form' }, [el('div', { class: 'opinion-buttons small' }, buttons),
      el('label', { class: 'reason-label', for: 'written-reason-' + it.id, text: T.writtenReason }), reason,
      el('div', { class: 'phrases' }, phrasesFor(it.category, 'defer').concat(phrasesFor(it.category, 'disagree').slice(0, 1)).map(function (text) {
        return el('button', { type: 'button', class: 'phrase', text: text, onclick: function () { addPhrase(reason, text); } });
      })), submit]);
    f.node = el('div', { class: 'written-item', testid: 'written-' + it.id }, [f.title, f.status, f.form]);
    ui.writtenForms[it.id] = f;
    return f;
  }

  function renderWritten(s, me) {
    var card = $('written');
    var show = !IS_OBSERVER && !!me && !me.present && s.meeting.status !== 'closed' && !K.room.refused;
    R.show(card, show);
    if (!show) { return; }
    var entries = writtenItems(s, me);
    var list = $('written-list');
    var nodes = [];
    var collapsed = me.attendance === 'expected' && !ui.writtenOpen;
    card.classList.toggle('collapsed', collapsed);
    R.show($('written-intro'), !collapsed);
    if (me.attendance === 'expected') {
      nodes.push(el('button', { type: 'button', class: 'secondary big-button', testid: 'written-toggle', text: T.writtenToggle,
        'aria-expanded': collapsed ? 'false' : 'true',
        onclick: function () { ui.writtenOpen = !ui.writtenOpen; render(); } }));
    }
    if (!collapsed) {
      if (!entries.length) { nodes.push(el('p', { class: 'muted', text: T.writtenNoItems })); }
      entries.forEach(function (e) {
        var f = writtenForm(e);
        f.title.textContent = e.item.title + (e.current ? T.writtenCurrent : '');
        var done = me.written && me.written[String(e.item.id)];
        var pend = K.room.pendingFor('written_opinion', e.item.id);
        if (done) {
          f.status.textContent = fmt(T.writtenDone, { at: done.at, stance: stanceLabel(done.stance) }) + (done.reason ? T.phraseSep + T.reasonPrefix + done.reason : '');
          f.status.className = 'written-status status-recorded';
        } else if (pend) {
          f.status.textContent = fmt(T.writtenPending, { stance: T.stance[pend.payload.stance] });
          f.status.className = 'written-status status-pending';
        }
        f.status.hidden = !(done || pend);
        f.form.hidden = !!(done || pend);
        nodes.push(f.node);
      });
    }
    // keep typed text: reuse the cached nodes rather than rebuilding them
    var active = document.activeElement;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    nodes.forEach(function (n) { list.appendChild(n); });
    if (active && list.contains(active)) { active.focus(); }
  }

  // ------------------------------------------------------------------ events

  Array.prototype.forEach.call(document.querySelectorAll('#opinion-buttons .stance'), function (b) {
    b.addEventListener('click', function () { chooseStance(b.dataset.stance); });
  });
  $('opinion-confirm').addEventListener('click', confirmOpinion);
  $('opinion-cancel').addEventListener('click', function () {
    ui.composing = false;
    ui.stance = null;
    ui.correcting = false;
    $('composer-problem').hidden = true;
    render();
  });
  $('opinion-change').addEventListener('click', function () { ui.correcting = true; render(); });

  K.resetComposer = resetComposer;
  K.renderOpinion = renderOpinion;
  K.renderWritten = renderWritten;
})(window.YishiTablet);
