/* Yishi (议事) — the tablet: members, the chair, observers.
 * Renders the room state the server sends; never computes a rule (counts, chair_may_speak, results all come
 * from the server). An opinion is pending until the server acknowledges it, then "已记录 HH:MM:SS".
 */
(function () {
  'use strict';

  var T = window.YishiRoom.strings('tablet');  // meeting/js_strings.py, in the page's language

  var R = window.YishiRoom;
  var el = R.el;
  var script = document.currentScript;
  var TOKEN = script.dataset.token;
  var KIND = script.dataset.kind;
  var ZONE = script.dataset.zone || 'Asia/Shanghai';
  var MATERIAL_BASE = (script.dataset.materialUrl || '/materials/0').replace(/0$/, '');
  var IS_CHAIR = KIND === 'chair';
  var IS_OBSERVER = KIND === 'observer';

  function $(id) { return document.getElementById(id); }
  function fmt(s, o) { return String(s).replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ''; }); }
  function stanceLabel(s) { return T.stance[s] || s; }

  var ui = {
    itemKey: null,
    stance: null,       // the stance being composed
    composing: false,
    correcting: false,
    deferOpen: false,
    writtenOpen: false,
    writtenForms: {},   // item_id → {node, stance, status}
    viewing: null,      // material id shown in the viewer
    agendaLive: null,
    detail: null,       // the current item's summary, materials, history (asked for; see withDetail)
    detailAsked: null   // the detail_version last asked for
  };

  var CLOSED = script.dataset.closed === '1';  // the meeting is over: this page shows its end and the minutes

  var initial = R.initial('initial-state');
  var room = CLOSED ? afterTheMeeting(initial) : R.connect({
    auth: { token: TOKEN },
    initial: initial,
    zone: ZONE,
    storageKey: TOKEN,
    onChange: render
  });

  /** After the meeting there is no room to connect to (the link no longer enters it): the page keeps the state it
   *  was rendered with, and every action answers that the meeting is over. */
  function afterTheMeeting(init) {
    var over = { ok: false, error: { code: 'meeting_closed', message: T.ask.closed } };
    var r = {
      state: init.state || null, me: init.me || null, connected: false, everConnected: false, refused: null,
      zone: ZONE, socket: null, closed: true,
      act: function () { return Promise.resolve(over); },
      sendReliable: function () { return Promise.resolve(over); },
      sendOpinion: function () { return Promise.resolve(over); },
      pendingFor: function () { return null; },
      sync: function () {},
      fmtTime: function (iso, withSeconds) { return R.fmtTime(iso, ZONE, withSeconds); }
    };
    R.current = r;
    return r;
  }

  // ------------------------------------------------------------------ derived (from server facts only)

  function myOpinion(s, me) {
    var cur = s.current;
    if (!cur || !me || !me.opinions) { return null; }
    var o = me.opinions[String(cur.id)];
    return o && o.round === cur.round ? o : null;
  }

  function isRecused(s, me) {
    var cur = s.current;
    if (!cur || !me) { return false; }
    return (cur.recused_person_ids || []).indexOf(me.person_id) >= 0 || (me.recused_item_ids || []).indexOf(cur.id) >= 0;
  }

  function live(cur) { return cur && (cur.status === 'open' || cur.status === 'voting'); }

  /** Do I preside over the item under way? The chair — or, when the chair is recused from it, the acting chair
   *  the server names (current.presiding_person_id): he speaks last, may defer and decide. */
  function presides() {
    var cur = room.state && room.state.current;
    var me = room.me;
    if (live(cur) && me && cur.presiding_person_id !== undefined) { return cur.presiding_person_id === me.person_id; }
    return IS_CHAIR;
  }

  /** May I press an opinion button now? Straight from the server's progress flags. */
  function mayAct(cur) {
    var p = (cur && cur.progress) || {};
    if (!cur || cur.status !== 'voting') { return false; }
    if (presides()) { return !!p.chair_may_speak; }
    return !p.chair_has_spoken;
  }

  // ------------------------------------------------------------------ render

  function render() {
    var s = room.state;
    var me = room.me;
    if (!s) { return; }
    var cur = s.current;
    var key = cur ? cur.id + ':' + cur.round : null;
    if (key !== ui.itemKey) {
      ui.itemKey = key;
      resetComposer();
      ui.deferOpen = false;
      if ($('defer-reason')) { $('defer-reason').value = ''; }
      if ($('decide-reason')) { $('decide-reason').value = ''; }
    }
    var recused = isRecused(s, me);
    withDetail(cur, recused);
    renderHead(s, me);
    renderAsk(s, me, recused);
    renderItem(s, me, recused);
    renderOpinion(s, me, recused);
    if ($('chair')) { renderChair(s, me, recused); }
    renderWritten(s, me);
    renderResult(s, me);
    renderAgenda(s);
    if (window.YishiTabletMinutes) { window.YishiTabletMinutes.update(s); }
    if (!CLOSED && s.meeting.status === 'closed' && !ui.leaving) {
      // the secretary closed the meeting: the link no longer enters the room; open the page for after the meeting
      ui.leaving = true;
      setTimeout(function () { window.location.replace(window.location.href); }, 800);
    }
    if (ui.viewing && (!cur || recused || !(cur.materials || []).some(function (m) { return m.id === ui.viewing; }))) {
      closeViewer();
    }
  }

  /**
   * The member view carries no summary, materials or history (a recused member must receive nothing of the
   * item): ask for them once per item and whenever its materials change, and merge the answer in. The chair's
   * full view already has them.
   */
  function withDetail(cur, recused) {
    if (!cur || IS_OBSERVER || recused || cur.detail_version === undefined) { return; }
    var d = ui.detail;
    if (d && d.version === cur.detail_version) {
      cur.summary = d.summary; cur.amount_yuan = d.amount_yuan; cur.materials = d.materials; cur.history = d.history;
      return;
    }
    if (ui.detailAsked === cur.detail_version) { return; }
    var version = ui.detailAsked = cur.detail_version;
    room.act('item_detail', { item_id: cur.id }).then(function (ack) {
      if (ack && ack.ok) {
        ui.detail = { version: version, summary: ack.summary, amount_yuan: ack.amount_yuan,
                      materials: ack.materials, history: ack.history };
        render();
      } else if (ui.detailAsked === version) {
        ui.detailAsked = null;  // offline or refused: ask again with the next state
      }
    });
  }

  function renderHead(s, me) {
    $('meeting-title').textContent = s.meeting.title;
    var meta = [s.meeting.starts_at || s.meeting.date];
    if (s.meeting.place) { meta.push(s.meeting.place); }
    meta.push(T.meetingStatus[s.meeting.status] || '');
    $('meeting-meta').textContent = meta.filter(Boolean).join(' · ');
    if (me && $('me-attendance')) {
      var badge = $('me-attendance');
      badge.textContent = R.tr(me.attendance_label) || '';
      badge.className = 'badge ' + (me.present ? 'ok' : 'warn');
      $('me-name').textContent = me.name + (me.title ? '（' + me.title + '）' : '');
    }
    if ($('check-in')) {
      R.show($('check-in'), !!me && !me.present && s.meeting.status !== 'closed' && !room.refused);
    }
  }

  function askText(s, me, recused) {
    var A = T.ask;
    var cur = s.current;
    if (room.refused) { return A.refused; }
    if (s.meeting.status === 'closed') { return A.closed; }
    if (IS_OBSERVER || !me) {
      if (s.meeting.status === 'scheduled') { return A.obsScheduled; }
      if (!live(cur)) { return A.obsWaiting; }
      return cur.status === 'voting' ? A.obsOpinions : A.obsDiscussion;
    }
    if (!me.present) {
      if (me.attendance === 'absent') { return A.absent; }
      if (me.attendance === 'left') { return A.left; }
      return s.meeting.status === 'in_session' ? A.expectedDuring : A.expectedBefore;
    }
    if (s.meeting.status === 'scheduled') { return A.scheduled; }
    if (!live(cur)) { return s.last_closed ? A.waitNext : A.waitFirst; }
    if (recused) { return A.recused; }
    if (cur.status === 'open') { return A.discussion; }
    var p = cur.progress || {};
    var mine = myOpinion(s, me);
    if (room.pendingFor('give_opinion', cur.id)) { return A.sending; }
    if (presides()) {
      if (!p.chair_may_speak) { return p.waiting ? fmt(T.chairWait, { n: p.waiting }) : T.chairWaitShort; }
      if (!mine) { return A.chairLastNow; }
      return cur.head_decides ? A.chairDecide : A.chairDone;
    }
    if (!mine) { return p.chair_has_spoken ? A.closedForYou : A.speak; }
    return p.chair_has_spoken ? A.final : A.mayCorrect;
  }

  function renderAsk(s, me, recused) {
    var ask = $('ask');
    ask.textContent = askText(s, me, recused);
    var cur = s.current;
    var mine = myOpinion(s, me);
    var urgent = !IS_OBSERVER && me && me.present && live(cur) && cur.status === 'voting' && !recused && !mine && mayAct(cur);
    ask.className = 'ask' + (urgent ? ' ask-urgent' : '') + (recused ? ' ask-calm' : '');
  }

  function amountText(y) {
    if (y === null || y === undefined) { return ''; }
    if (y >= 10000 && y % 100 === 0) { return (y / 10000).toLocaleString('zh-CN') + T.wanYuan; }
    return y.toLocaleString('zh-CN') + T.yuan;
  }

  function itemIndex(s, id) {
    for (var i = 0; i < s.agenda.length; i++) { if (s.agenda[i].id === id) { return i + 1; } }
    return '';
  }

  function renderItem(s, me, recused) {
    var cur = s.current;
    R.show($('recused'), !!cur && live(cur) && recused && !IS_OBSERVER);
    var visible = !!cur && live(cur) && !recused;
    R.show($('item'), visible);
    if (!visible) { return; }
    $('item-position').textContent = fmt(T.itemNo, { n: itemIndex(s, cur.id) });
    $('item-category').textContent = R.tr(cur.category_label) || '';
    var phase = $('item-phase');
    phase.textContent = cur.phase === 'opinions' ? T.phaseOpinions : T.phaseDiscussion;
    phase.className = 'badge ' + (cur.phase === 'opinions' ? 'bad' : 'info');
    $('item-title').textContent = cur.title;
    $('item-presenter').textContent = cur.presenter || T.none;
    $('item-unit').textContent = cur.submitting_unit || T.none;
    R.show($('item-unit-row'), !!cur.submitting_unit);
    R.show($('item-amount-row'), cur.amount_yuan !== null && cur.amount_yuan !== undefined);
    $('item-amount').textContent = amountText(cur.amount_yuan);
    $('item-summary').textContent = cur.summary || '';
    R.show($('item-summary'), !!cur.summary);

    var hist = cur.history || [];
    R.show($('item-history'), hist.length > 0);
    R.replace($('item-history'), hist.map(function (h) {
      return el('p', { class: 'muted', text: fmt(T.history, {
        date: h.date, session: h.session_number, result: R.tr(h.result_label) || T.status[h.status] || '',
        reason: h.defer_reason ? fmt(T.historyReason, { reason: h.defer_reason }) : ''
      }) });
    }));

    var mats = IS_OBSERVER ? [] : (cur.materials || []);
    R.show($('materials'), mats.length > 0);
    R.replace($('materials-list'), mats.map(function (m) {
      return el('li', {}, [el('button', {
        type: 'button', class: 'material-button', testid: 'material-' + m.id,
        onclick: function () { openViewer(m); }
      }, [el('span', { class: 'material-name', text: m.filename }), el('span', { class: 'material-open', text: T.materialOpen })])]);
    }));

    var p = cur.progress || {};
    var prog = $('item-progress');
    R.show(prog, cur.status === 'voting');
    prog.textContent = fmt(T.progress, { spoken: p.spoken, eligible: p.eligible });
  }

  function resetComposer() {
    ui.stance = null;
    ui.composing = false;
    ui.correcting = false;
    if ($('opinion-reason')) { $('opinion-reason').value = ''; }
    if ($('composer-problem')) { $('composer-problem').hidden = true; }
  }

  function renderOpinion(s, me, recused) {
    var card = $('opinion');
    var cur = s.current;
    var show = !IS_OBSERVER && !!me && me.present && !!cur && cur.status === 'voting' && !recused && s.meeting.status === 'in_session';
    R.show(card, show);
    if (!show) { return; }
    var p = cur.progress || {};
    var mine = myOpinion(s, me);
    var pend = room.pendingFor('give_opinion', cur.id);
    var can = mayAct(cur);

    // my status: pending until acknowledged, then "已记录 HH:MM:SS"
    var status = $('my-status');
    var parts = [];
    if (pend) {
      var label = stanceLabel(pend.payload.stance);
      status.className = 'my-status status-pending';
      parts.push(el('strong', { text: fmt(room.connected ? T.pending : T.pendingOffline, { stance: label }) }));
    } else if (mine) {
      status.className = 'my-status status-recorded';
      parts.push(el('strong', { text: fmt(T.recorded, { at: mine.at }) }));
      parts.push(el('span', { class: 'my-stance stance-text-' + mine.stance, text: fmt(T.yourOpinion, { stance: stanceLabel(mine.stance) }) + (mine.version > 1 ? T.corrected : '') }));
      if (mine.reason) { parts.push(el('span', { class: 'my-reason', text: T.reasonPrefix + mine.reason })); }
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
      if (phr.dataset.stance !== st) {
        phr.dataset.stance = st;
        R.replace(phr, (T.phrases[st] || []).map(function (text, i) {
          return el('button', { type: 'button', class: 'phrase', testid: 'phrase-' + i, text: text,
            onclick: function () { addPhrase($('opinion-reason'), text); } });
        }));
      }
    }
  }

  function addPhrase(area, text) {
    var v = area.value.trim();
    area.value = v ? (v.indexOf(text) >= 0 ? v : v + T.phraseSep + text) : text;
    area.focus();
  }

  function chooseStance(stance) {
    var cur = room.state && room.state.current;
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
    var s = room.state;
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
    room.sendOpinion({ item_id: cur.id, round: cur.round, stance: stance, reason: reason }).then(function (ack) {
      if (ack.ok) {
        if ($('opinion-reason')) { $('opinion-reason').value = ''; }
        ui.stance = null;
        R.showNotice(T.recordedNotice);
      } else {
        R.showError(ack.error);
        // keep what was typed so it can be fixed and sent again
        var now = room.state && room.state.current;
        if (now && now.id === cur.id && now.round === cur.round && ack.error && ack.error.code === 'reason_required') {
          ui.stance = stance;
          ui.composing = true;
        }
      }
      render();
    });
    render();
  }

  // ------------------------------------------------------------------ chair

  function renderChair(s, me, recused) {
    var card = $('chair');
    var cur = s.current;
    var show = !!me && me.present && live(cur) && !recused && s.meeting.status === 'in_session' && presides();
    R.show(card, show);
    if (!show) { return; }
    var p = cur.progress || {};
    if (cur.status === 'voting') {
      $('chair-progress').textContent = fmt(T.chairProgress, { spoken: p.spoken, eligible: p.eligible }) +
        (p.waiting ? fmt(T.chairWaiting, { n: p.waiting }) : T.chairAllDone) + '。';
      var list = cur.not_spoken || [];
      var others = list.filter(function (x) { return !x.is_chair; });
      R.replace($('chair-not-spoken'), others.length ? [
        el('p', { class: 'not-spoken-title', text: T.notSpokenTitle }),
        el('ul', { class: 'name-chips' }, list.map(function (x) {
          return el('li', { class: x.is_chair ? 'chip chip-chair' : 'chip', text: x.name + (x.is_chair ? T.chairLastMark : '') });
        }))
      ] : [el('p', { class: 'muted', text: T.allSpoken })]);
    } else {
      $('chair-progress').textContent = T.chairDiscussion;
      R.replace($('chair-not-spoken'), []);
    }

    var decide = cur.head_decides && cur.status === 'voting' && p.chair_has_spoken;
    R.show($('chair-decide'), !!decide);
    if (decide && cur.tally) {
      var t = cur.tally;
      $('chair-majority').textContent = fmt(T.majority, {
        agree: t.agree, disagree: t.disagree, defer: t.defer, yes: t.yes, needed: t.needed,
        verdict: t.passes ? T.verdictPass : T.verdictFail
      });
    }
    R.show($('defer-box'), ui.deferOpen);
    R.show($('chair-defer'), !ui.deferOpen);
    var dp = $('defer-phrases');
    if (!dp.firstChild) {
      T.deferPhrases.forEach(function (text) {
        dp.appendChild(el('button', { type: 'button', class: 'phrase', text: text, onclick: function () { addPhrase($('defer-reason'), text); } }));
      });
    }
  }

  function headDecide(adopt) {
    var cur = room.state && room.state.current;
    if (!cur) { return; }
    var btns = [$('decide-adopt'), $('decide-reject')];
    btns.forEach(function (b) { b.disabled = true; });
    room.act('head_decide', { item_id: cur.id, adopt: adopt, reason: $('decide-reason').value.trim() }).then(function (ack) {
      btns.forEach(function (b) { b.disabled = false; });
      if (ack.ok) { R.showNotice(T.decided); } else { R.showError(ack.error); }
    });
  }

  function deferItem() {
    var cur = room.state && room.state.current;
    if (!cur) { return; }
    var reason = $('defer-reason').value.trim();
    if (!reason) { R.showError(T.deferNeedReason); $('defer-reason').focus(); return; }
    $('defer-confirm').disabled = true;
    room.act('defer_item', { item_id: cur.id, reason: reason }).then(function (ack) {
      $('defer-confirm').disabled = false;
      if (ack.ok) { ui.deferOpen = false; $('defer-reason').value = ''; R.showNotice(T.deferred); render(); }
      else { R.showError(ack.error); }
    });
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
        room.sendReliable('written_opinion', { item_id: it.id, stance: f.stance, reason: text }).then(function (ack) {
          if (ack.ok) { R.showNotice(T.writtenSent); room.sync(); } else { R.showError(ack.error); }
          render();
        });
        render();
      } });
    f.title = el('h3', { class: 'written-title' });
    f.status = el('p', { class: 'written-status', testid: 'written-status-' + it.id, hidden: true });
    f.form = el('div', { class: 'written-form' }, [el('div', { class: 'opinion-buttons small' }, buttons),
      el('label', { class: 'reason-label', for: 'written-reason-' + it.id, text: T.writtenReason }), reason,
      el('div', { class: 'phrases' }, T.phrases.defer.concat(T.phrases.disagree.slice(0, 1)).map(function (text) {
        return el('button', { type: 'button', class: 'phrase', text: text, onclick: function () { addPhrase(reason, text); } });
      })), submit]);
    f.node = el('div', { class: 'written-item', testid: 'written-' + it.id }, [f.title, f.status, f.form]);
    ui.writtenForms[it.id] = f;
    return f;
  }

  function renderWritten(s, me) {
    var card = $('written');
    var show = !IS_OBSERVER && !!me && !me.present && s.meeting.status !== 'closed' && !room.refused;
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
        var pend = room.pendingFor('written_opinion', e.item.id);
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

  // ------------------------------------------------------------------ the last result

  function renderResult(s, me) {
    var card = $('result');
    var last = s.last_closed;
    var recusedFromIt = last && me && (me.recused_item_ids || []).indexOf(last.id) >= 0;
    var show = !!last && !live(s.current) && !recusedFromIt;
    R.show(card, show);
    if (!show) { return; }
    var t = last.tally || {};
    var tone = { passed: 'ok', head_adopted: 'ok', not_passed: 'bad', head_rejected: 'bad', deferred: 'warn' }[last.result] || '';
    var rows = [
      el('p', { class: 'result-kicker', text: T.resultTitle }),
      el('h2', { class: 'result-item', text: last.title }),
      el('p', { class: 'result-label result-' + tone, testid: 'result-label', text: R.tr(last.result_label) })
    ];
    if (last.result !== 'deferred' || t.agree || t.disagree || t.defer) {
      rows.push(el('p', { class: 'result-tally', text: fmt(T.resultTally, t) }));
      var headMode = last.majority_passes !== undefined && last.majority_passes !== null;
      if (t.needed !== null && t.needed !== undefined && last.result !== 'deferred' && !headMode) { rows.push(el('p', { class: 'muted', text: fmt(T.resultRule, t) })); }
    }
    if (t.written_agree || t.written_disagree || t.written_defer) {
      rows.push(el('p', { class: 'muted', text: fmt(T.resultWritten, {
        a: t.written_agree || 0, d: t.written_disagree || 0, f: t.written_defer || 0,
        counted: t.written_counted ? T.writtenCounted : T.writtenNotCounted }) }));
    }
    if (last.majority_passes !== undefined && last.majority_passes !== null) {
      rows.push(el('p', { class: 'muted', text: fmt(T.majorityWas, { v: last.majority_passes ? T.verdictPass : T.verdictFail, yes: t.yes, needed: t.needed }) }));
    }
    if (last.defer_reason) { rows.push(el('p', { text: fmt(T.deferReason, { r: last.defer_reason }) })); }
    if (last.head_reason) { rows.push(el('p', { text: fmt(T.headReason, { r: last.head_reason }) })); }
    R.replace(card, rows);
  }

  function renderAgenda(s) {
    var cur = s.current;
    var isLive = !!live(cur);
    if (ui.agendaLive !== isLive) {  // open the agenda between items, fold it away while one is discussed
      ui.agendaLive = isLive;
      $('agenda').open = !isLive;
    }
    R.replace($('agenda-list'), s.agenda.map(function (it) {
      var isCur = cur && cur.id === it.id;
      return el('li', { class: 'agenda-row' + (isCur ? ' is-current' : '') }, [
        el('span', { class: 'agenda-title', text: it.title }),
        el('span', { class: 'badge ' + (isCur ? 'bad' : ''), text: R.tr(it.result_label) || T.status[it.status] || it.status })
      ]);
    }));
  }

  // ------------------------------------------------------------------ materials inside the page
  //
  // A PDF is drawn by pdf.js (static/vendor/pdfjs, imported the first time a PDF is opened; URLs from
  // <script id="pdfjs-config">) page by page into <canvas> elements: fit to the overlay's width, sharp on high-DPI
  // screens, each page drawn only when it comes near the visible part, and pages far from it freed again so that a
  // long document does not exhaust a tablet's memory. Only if pdf.js cannot be loaded does a PDF go to the
  // browser's own viewer (<iframe>) as before. Images use <img>, plain text an <iframe>.

  var PDFJS = R.initial('pdfjs-config');
  var PDF_MAX_PIXELS = 4096 * 4096;  // per canvas, in device pixels: older tablets fail on larger canvases
  var PDF_MAX_WIDTH = 1400;          // CSS px: pages fit the width of the overlay, up to this
  var PDF_MARGIN = 8;                // CSS px beside the pages (.pdf-page in room.css)
  var PDF_KEEP = 6;                  // drawn pages kept while they are out of reach, before the farthest are freed
  var pdfjsLoading = null;           // Promise of the pdf.js module
  var pdf = null;                    // the PDF in the viewer (see openPdf)

  function materialUrl(m, download) {
    return MATERIAL_BASE + m.id + '?token=' + encodeURIComponent(TOKEN) + (download ? '&download=1' : '');
  }

  function openViewer(m) {
    closePdf();
    var body = $('viewer-body');
    var url = materialUrl(m);
    var type = (m.content_type || '').toLowerCase();
    var isPdf = type === 'application/pdf';
    var node;
    if (isPdf) {
      node = el('p', { class: 'viewer-loading', role: 'status', testid: 'material-loading', text: T.pdfLoading });
    } else if (type.indexOf('image/') === 0) {
      node = el('img', { src: url, alt: m.filename, class: 'viewer-image' });
    } else if (type === 'text/plain') {
      node = el('iframe', { src: url, title: m.filename, class: 'viewer-frame viewer-text' });
    } else {
      node = el('p', { class: 'viewer-cannot', text: T.materialCannot });
    }
    R.replace(body, [node]);
    $('viewer-title').textContent = m.filename;
    $('viewer-download').href = materialUrl(m, true);
    ui.viewing = m.id;
    $('viewer').hidden = false;
    document.body.classList.add('viewer-open');
    $('viewer-close').focus();
    if (isPdf) { openPdf(m, url); }  // once the overlay is shown: the pages are sized to its width
  }

  function closeViewer() {
    closePdf();
    ui.viewing = null;
    $('viewer').hidden = true;
    R.clear($('viewer-body'));
    document.body.classList.remove('viewer-open');
  }

  function absoluteUrl(u) { return new URL(u, document.baseURI).href; }  // the worker resolves URLs from itself

  /** window.YishiImport, once static/js/import-module.js (a module script) has run. Module scripts run before
   *  DOMContentLoaded; a PDF opened earlier waits for it. */
  function moduleImport() {
    return new Promise(function (resolve) {
      if (typeof window.YishiImport === 'function' || document.readyState !== 'loading') { resolve(); return; }
      document.addEventListener('DOMContentLoaded', function () { resolve(); });
    }).then(function () {
      if (typeof window.YishiImport !== 'function') { throw new Error('this browser has no module scripts'); }
      return window.YishiImport;
    });
  }

  /** The pdf.js module, loaded once. import() lives in a module file (import-module.js) so that this file stays
   *  ES5 and needs no eval: a browser without dynamic import still runs the room page, and the PDF falls back to
   *  the iframe. */
  function loadPdfjs() {
    if (!pdfjsLoading) {
      pdfjsLoading = moduleImport().then(function (importer) {
        if (!PDFJS.module || !PDFJS.worker) { throw new Error('pdf.js is not configured'); }
        return importer(absoluteUrl(PDFJS.module));
      }).then(function (lib) {
        if (!lib || typeof lib.getDocument !== 'function') { throw new Error('not the pdf.js module'); }
        lib.GlobalWorkerOptions.workerSrc = absoluteUrl(PDFJS.worker);
        return lib;
      });
      pdfjsLoading.then(null, function () { pdfjsLoading = null; });  // try again with the next PDF
    }
    return pdfjsLoading;
  }

  /** The old way, used only when pdf.js cannot be loaded: the browser's own PDF viewer in a frame, or a new tab
   *  where the browser has none (e.g. some Android tablets). */
  function pdfFallback(m, url) {
    if (navigator.pdfViewerEnabled === false) {
      return el('div', { class: 'viewer-cannot' }, [
        el('p', { text: T.pdfCannot }),
        el('a', { class: 'big-link', href: url, target: '_blank', rel: 'noopener', text: T.pdfOpenTab })
      ]);
    }
    return el('iframe', { src: url, title: m.filename, class: 'viewer-frame' });
  }

  function openPdf(m, url) {
    var view = {
      closed: false, task: null, doc: null, pages: [], wrap: null, counter: null,
      width: 0, current: 0, busy: false, frame: 0, resizeTimer: 0, onScroll: null, onResize: null
    };
    pdf = view;
    loadPdfjs().then(function (lib) {
      if (view.closed) { return; }
      view.task = lib.getDocument({
        url: url,
        cMapUrl: absoluteUrl(PDFJS.cMapUrl),
        cMapPacked: true,
        standardFontDataUrl: absoluteUrl(PDFJS.standardFontDataUrl),
        wasmUrl: absoluteUrl(PDFJS.wasmUrl),
        iccUrl: absoluteUrl(PDFJS.iccUrl),
        isEvalSupported: false,
        enableXfa: false
      });
      view.task.promise.then(function (doc) {
        if (view.closed) { return null; }
        view.doc = doc;
        return doc.getPage(1).then(function (first) { if (!view.closed) { showPages(view, first); } });
      }).then(null, function (err) {
        if (view.closed) { return; }
        if (window.console) { console.warn('PDF material could not be shown:', err); }
        R.replace($('viewer-body'), [el('p', {
          class: 'viewer-cannot', role: 'alert', testid: 'material-error',
          text: err && err.name === 'PasswordException' ? T.pdfPassword : T.pdfFailed
        })]);
      });
    }, function (err) {
      if (view.closed) { return; }
      if (window.console) { console.warn('pdf.js could not be loaded; the browser shows the PDF:', err); }
      R.replace($('viewer-body'), [pdfFallback(m, url)]);
    });
  }

  function closePdf() {
    var view = pdf;
    if (!view) { return; }
    pdf = null;
    view.closed = true;
    if (view.frame) { cancelAnimationFrame(view.frame); }
    clearTimeout(view.resizeTimer);
    if (view.onScroll) { $('viewer-body').removeEventListener('scroll', view.onScroll); }
    if (view.onResize) { window.removeEventListener('resize', view.onResize); }
    view.pages.forEach(freePage);
    if (view.counter && view.counter.parentNode) { view.counter.parentNode.removeChild(view.counter); }
    if (view.task) { view.task.destroy(); }  // ends the worker and frees the document
  }

  /** One empty box per page, sized from the first page until each page's own size is known. */
  function showPages(view, first) {
    var size = first.getViewport({ scale: 1 });
    view.wrap = el('div', { class: 'pdf-pages', testid: 'material-pages' });
    for (var i = 1; i <= view.doc.numPages; i++) {
      var node = el('div', { class: 'pdf-page', 'data-page': i });
      view.wrap.appendChild(node);
      view.pages.push({ num: i, node: node, proxy: i === 1 ? first : null, ratio: size.height / size.width,
                        sized: i === 1, canvas: null, drawnWidth: 0, task: null, near: false, failed: false });
    }
    view.counter = el('span', { class: 'viewer-pages', testid: 'material-page-count' });
    $('viewer-download').parentNode.insertBefore(view.counter, $('viewer-download'));
    R.replace($('viewer-body'), [view.wrap]);
    view.onScroll = function () { queueUpdate(view); };
    view.onResize = function () {
      clearTimeout(view.resizeTimer);
      view.resizeTimer = setTimeout(function () { relayout(view); }, 150);
    };
    $('viewer-body').addEventListener('scroll', view.onScroll);
    window.addEventListener('resize', view.onResize);
    layoutPages(view);
    updatePdf(view);
    sizePages(view, 2);
  }

  /** Fit to width: every page as wide as the overlay (less the margins), as tall as its proportions say. */
  function layoutPages(view) {
    var body = $('viewer-body');
    for (var pass = 0; pass < 2; pass++) {  // again if the first pass brought in a scrollbar
      var width = Math.max(120, Math.floor(Math.min(PDF_MAX_WIDTH, body.clientWidth - 2 * PDF_MARGIN)));
      if (width === view.width) { break; }
      view.width = width;
      view.pages.forEach(function (p) {
        p.node.style.width = width + 'px';
        p.node.style.height = Math.round(width * p.ratio) + 'px';
      });
    }
  }

  function setRatio(view, p, proxy) {
    var size = proxy.getViewport({ scale: 1 });
    var ratio = size.height / size.width;
    p.sized = true;
    if (Math.abs(ratio - p.ratio) > 0.001) {
      p.ratio = ratio;
      p.node.style.height = Math.round(view.width * ratio) + 'px';
      queueUpdate(view);
    }
  }

  /** Learn each page's proportions in the background, one page at a time, so the boxes stop moving early. */
  function sizePages(view, num) {
    if (view.closed || num > view.pages.length) { return; }
    var p = view.pages[num - 1];
    (p.proxy ? Promise.resolve(p.proxy) : view.doc.getPage(num)).then(function (proxy) {
      if (view.closed) { return; }
      p.proxy = proxy;
      if (!p.sized) { setRatio(view, p, proxy); }
      sizePages(view, num + 1);
    }, function () { sizePages(view, num + 1); });
  }

  /** After a rotation or resize: new width, same place in the same page; pages are drawn again as needed. */
  function relayout(view) {
    if (view.closed) { return; }
    var body = $('viewer-body');
    var page = view.pages[Math.max(view.current, 1) - 1].node;
    var before = page.getBoundingClientRect();
    var fraction = (body.getBoundingClientRect().top - before.top) / (before.height || 1);
    layoutPages(view);
    var after = page.getBoundingClientRect();
    body.scrollTop += after.top - body.getBoundingClientRect().top + fraction * after.height;
    updatePdf(view);
  }

  function queueUpdate(view) {
    if (view.frame || view.closed) { return; }
    view.frame = requestAnimationFrame(function () { view.frame = 0; updatePdf(view); });
  }

  /** Which page is being read ("第 3 / 12 页") and which pages are within a screen of the visible part. */
  function updatePdf(view) {
    if (view.closed) { return; }
    var body = $('viewer-body');
    var box = body.getBoundingClientRect();
    var line = box.top + Math.min(box.height / 3, 240);
    var current = 1;
    view.pages.forEach(function (p) {
      var r = p.node.getBoundingClientRect();
      p.near = r.bottom > box.top - box.height && r.top < box.bottom + box.height;
      if (r.top <= line) { current = p.num; }
    });
    if (body.scrollTop > 0 && body.scrollTop + body.clientHeight >= body.scrollHeight - 2) { current = view.pages.length; }
    if (current !== view.current) {
      view.current = current;
      view.counter.textContent = fmt(T.pdfPage, { n: current, total: view.pages.length });
    }
    drawNext(view);
  }

  /** Draw one page at a time, the nearest to the page being read first; free far pages beyond PDF_KEEP. */
  function drawNext(view) {
    if (view.busy || view.closed) { return; }
    var far = view.pages.filter(function (p) { return p.canvas && !p.near; });
    var distance = function (p) { return Math.abs(p.num - view.current); };
    far.sort(function (a, b) { return distance(b) - distance(a); });
    far.slice(0, Math.max(0, far.length - PDF_KEEP)).forEach(freePage);
    var todo = view.pages.filter(function (p) { return p.near && !p.failed && p.drawnWidth !== view.width; });
    if (!todo.length) { return; }
    todo.sort(function (a, b) { return distance(a) - distance(b) || a.num - b.num; });
    view.busy = true;
    drawPage(view, todo[0]).then(function () { view.busy = false; drawNext(view); });
  }

  /** Render a page into a new canvas at the device's pixel density, then swap it in (no blank while redrawing). */
  function drawPage(view, p) {
    var width = view.width;
    return (p.proxy ? Promise.resolve(p.proxy) : view.doc.getPage(p.num)).then(function (proxy) {
      if (view.closed) { return null; }
      p.proxy = proxy;
      if (!p.sized) { setRatio(view, p, proxy); }
      var viewport = proxy.getViewport({ scale: width / proxy.getViewport({ scale: 1 }).width });
      var dpr = Math.min(window.devicePixelRatio || 1, Math.sqrt(PDF_MAX_PIXELS / (viewport.width * viewport.height)));
      var canvas = el('canvas', { class: 'pdf-canvas', role: 'img', 'aria-label': fmt(T.pdfPageLabel, { n: p.num }) });
      canvas.width = Math.floor(viewport.width * dpr);
      canvas.height = Math.floor(viewport.height * dpr);
      p.task = proxy.render({ canvas: canvas, viewport: viewport, transform: [dpr, 0, 0, dpr, 0, 0] });
      return p.task.promise.then(function () {
        p.task = null;
        if (view.closed) { return; }
        if (p.canvas) {
          p.node.replaceChild(canvas, p.canvas);
          p.canvas.width = 0;
          p.canvas.height = 0;
        } else {
          p.node.appendChild(canvas);
        }
        p.canvas = canvas;
        p.drawnWidth = width;
      });
    }).then(null, function (err) {
      p.task = null;
      if (view.closed || (err && err.name === 'RenderingCancelledException')) { return; }
      if (window.console) { console.warn('PDF page ' + p.num + ' could not be drawn:', err); }
      p.failed = true;
      p.node.appendChild(el('p', { class: 'pdf-page-failed', text: T.pdfPageFailed }));
    });
  }

  function freePage(p) {
    if (p.task) { p.task.cancel(); p.task = null; }
    if (p.canvas) {
      p.node.removeChild(p.canvas);
      p.canvas.width = 0;  // lets the browser release the pixels at once
      p.canvas.height = 0;
      p.canvas = null;
    }
    p.drawnWidth = 0;
    if (p.proxy) { p.proxy.cleanup(); }
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
  if ($('check-in')) {
    $('check-in').addEventListener('click', function () {
      var btn = $('check-in');
      btn.disabled = true;
      room.act('check_in', {}).then(function (ack) {
        btn.disabled = false;
        if (ack.ok) { R.showNotice(T.checkedIn); room.sync(); } else { R.showError(ack.error); }
      });
    });
  }
  if ($('chair')) {
    $('chair-defer').addEventListener('click', function () { ui.deferOpen = true; render(); $('defer-reason').focus(); });
    $('defer-cancel').addEventListener('click', function () { ui.deferOpen = false; render(); });
    $('defer-confirm').addEventListener('click', deferItem);
    $('decide-adopt').addEventListener('click', function () { headDecide(true); });
    $('decide-reject').addEventListener('click', function () { headDecide(false); });
  }
  $('viewer-close').addEventListener('click', closeViewer);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && ui.viewing) { closeViewer(); } });

  render();
})();
