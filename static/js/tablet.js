/* Yishi (议事) — the tablet (see tablet-kit.js for its parts): the connection, the render, the page's head, the
 * ask line, the current item and the agenda. Loaded last: it connects and renders for the first time.
 */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt, ui = K.ui;
  var TOKEN = K.TOKEN, ZONE = K.ZONE, IS_OBSERVER = K.IS_OBSERVER, CLOSED = K.CLOSED;
  var myOpinion = K.myOpinion, isRecused = K.isRecused, live = K.live, presides = K.presides, mayAct = K.mayAct;
  var openViewer = K.openViewer, closeViewer = K.closeViewer;                           // tablet-viewer.js
  var resetComposer = K.resetComposer, renderOpinion = K.renderOpinion, renderWritten = K.renderWritten;  // tablet-opinion.js
  var renderChair = K.renderChair, renderResult = K.renderResult;                       // tablet-chair.js

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

  K.room = room;
  K.render = render;

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
    K.renderFloor(s, me);  // tablet-floor.js
    renderOpinion(s, me, recused);
    if ($('chair')) { renderChair(s, me, recused); }
    if (K.renderChairRoom) { K.renderChairRoom(s, me); }  // tablet-chair-room.js (deadends)
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

  // ------------------------------------------------------------------ events

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

  render();
})(window.YishiTablet);
