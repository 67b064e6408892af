/* Yishi (议事) — the console (see console-kit.js for its parts): the connection, the render, the meeting, the quorum,
 * the roll call, the agenda, the observers, the meeting's and the item's actions, the keyboard shortcuts. Loaded last:
 * it connects and renders for the first time.
 */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt, ui = K.ui;
  var MEETING_ID = K.MEETING_ID, ZONE = K.ZONE;
  var act = K.act, current = K.current, nextPending = K.nextPending, openItem = K.openItem;
  var renderCurrent = K.renderCurrent, renderLastResult = K.renderLastResult;  // console-item.js

  var room = R.connect({
    auth: { meeting_id: MEETING_ID },
    initial: R.initial('initial-state'),
    zone: ZONE,
    onChange: render
  });
  K.room = room;
  K.render = render;

  // ------------------------------------------------------------------ render

  function render() {
    var s = room.state;
    if (!s) { return; }
    var cur = s.current;
    var key = cur ? cur.id + ':' + cur.round : null;
    if (key !== ui.itemKey) {
      ui.itemKey = key;
      ui.notesDirty = false;
      $('notes-saved').textContent = '';
      $('recusal-reason').value = '';
      $('written-reason').value = '';
    }
    renderMeeting(s);
    renderQuorum(s);
    renderDevices(s);
    renderRoster(s);
    renderAgenda(s);
    renderCurrent(s);
    K.renderFloor(s);  // console-floor.js
    renderLastResult(s);
    renderObservers(s);
  }

  function renderMeeting(s) {
    var m = s.meeting;
    $('meeting-title').textContent = m.title;
    $('meeting-meta').textContent = [m.starts_at, m.place, R.tr(m.decision_mode_label), m.chair && fmt(T.chairIs, { name: m.chair.name }),
      m.recorder && fmt(T.recorder, { name: m.recorder })].filter(Boolean).join(' · ');
    var st = $('meeting-status');
    st.textContent = T.meetingStatus[m.status] || m.status;
    st.className = 'badge ' + (m.status === 'in_session' ? 'ok' : m.status === 'closed' ? 'bad' : 'warn');
    R.show($('open-meeting'), m.status === 'scheduled');
    R.show($('close-meeting'), m.status === 'in_session');
  }

  function renderQuorum(s) {
    var a = s.attendance;
    var q = a.quorum;
    var c = a.counts || {};
    var pct = a.n ? Math.min(100, Math.round(100 * a.present / a.n)) : 0;
    var mark = a.n ? Math.min(100, Math.round(100 * q.needed / a.n)) : 0;
    var nodes = [
      el('div', { class: 'q-numbers' }, [
        el('div', { class: 'q-num' }, [el('b', { testid: 'quorum-n', text: a.n }), el('span', { text: T.quorumN })]),
        el('div', { class: 'q-num' }, [el('b', { testid: 'quorum-present', text: a.present }), el('span', { text: T.quorumPresent })]),
        el('div', { class: 'q-num' }, [el('b', { testid: 'quorum-needed', text: q.needed }), el('span', { text: T.quorumOpen })]),
        el('div', { class: 'q-num' }, [el('b', { testid: 'quorum-pass', text: a.pass_needed }), el('span', { text: T.quorumPass })])
      ]),
      el('div', { class: 'q-bar', 'aria-hidden': 'true' }, [
        el('div', { class: 'q-fill ' + (q.ok ? 'ok' : 'bad'), style: { width: pct + '%' } }),
        el('div', { class: 'q-mark', style: { left: mark + '%' } })
      ]),
      el('p', { class: 'q-verdict ' + (q.ok ? 'ok' : 'bad'), testid: 'quorum-verdict' }, [
        el('span', { text: fmt(q.ok ? T.quorumOk : T.quorumBad, q) }),
        q.source ? el('span', { class: 'q-cite', title: q.source, text: fmt(T.paren, { x: q.source }) }) : null
      ]),
      el('p', { class: 'q-counts muted', text: fmt(T.counts, c) })
    ];
    if (a.cannot_pass) {
      nodes.push(el('div', { class: 'q-warning', role: 'alert', testid: 'cannot-pass' }, [
        el('strong', { text: T.cannotPass }),
        el('span', { text: fmt(T.cannotPassDetail, { present: a.present, needed: a.pass_needed, rule: a.pass_rule }) })
      ]));
    }
    var passRule = fmt(T.passRule, { rule: a.pass_rule }) + (a.pass_source ? fmt(T.paren, { x: a.pass_source }) : '');
    nodes.push(el('p', { class: 'source', title: passRule, text: passRule }));
    var box = $('quorum');
    box.className = 'quorum ' + (q.ok ? 'q-ok' : 'q-bad') + (a.cannot_pass ? ' q-cannot-pass' : '');
    R.replace(box, nodes);
  }

  function rollButton(p, attendance, label, cls) {
    var testid = 'rollcall-' + attendance + '-' + p.person_id;
    return el('button', { type: 'button', class: 'roll ' + (cls || ''), testid: testid, text: label,
      'aria-pressed': p.attendance === attendance ? 'true' : 'false',
      title: fmt(T.rollTitle, { label: label, name: p.name }),
      onclick: function (e) { rollCall(p, attendance, e.currentTarget); } });
  }

  function rollCall(p, attendance, button) {
    if (attendance === 'absent') {
      R.askReason(fmt(T.absentTitle, { name: p.name }), T.absentLabel, { required: true, requiredText: T.absentNeed, value: p.absence_reason || '' })
        .then(function (reason) { if (reason !== null) { act('roll_call', { person_id: p.person_id, attendance: 'absent', reason: reason }, button); } });
    } else if (attendance === 'left') {
      R.askReason(fmt(T.leftTitle, { name: p.name }), T.leftLabel, {})
        .then(function (reason) { if (reason !== null) { act('roll_call', { person_id: p.person_id, attendance: 'left', reason: reason }, button); } });
    } else {
      act('roll_call', { person_id: p.person_id, attendance: attendance }, button);
    }
  }

  /** The check before (and during) the meeting: every member expected in the room has a tablet connected, or the
      names of those who have not — members on leave (请假) or gone (离席) are not expected. */
  function renderDevices(s) {
    var box = $('device-check');
    if (!box) { return; }
    var expected = s.roster.filter(function (p) { return p.attendance !== 'absent' && p.attendance !== 'left'; });
    var missing = expected.filter(function (p) { return !p.connected; });
    box.className = 'device-check ' + (missing.length ? 'bad' : 'ok');
    box.textContent = missing.length
      ? fmt(T.devicesMissing, { n: missing.length, names: missing.map(function (p) { return p.name; }).join('、') })
      : fmt(T.devicesAll, { n: expected.length });
    box.title = box.textContent;
  }

  function renderRoster(s) {
    var closed = s.meeting.status === 'closed';
    R.replace($('roster-body'), s.roster.map(function (p) {
      var times = [];
      if (p.arrived_at) { times.push(fmt(T.arrived, { t: p.arrived_at })); }
      if (p.left_at) { times.push(fmt(T.left, { t: p.left_at })); }
      var tone = { present: 'ok', late: 'warn', absent: 'bad', left: 'warn', expected: '' }[p.attendance] || '';
      return el('tr', { testid: 'roster-' + p.person_id, class: 'att-' + p.attendance }, [
        el('td', { class: 'r-name' }, [
          el('div', { class: 'r-line' }, [
            el('span', { class: 'conn-dot ' + (p.connected ? 'on' : 'off'), title: p.connected ? T.online : T.offline, 'aria-hidden': 'true' }),
            el('strong', { text: p.name }),
            el('span', { class: 'badge ' + tone, testid: 'attendance-' + p.person_id, text: R.tr(p.attendance_label) }),
            p.is_chair ? el('span', { class: 'badge bad', text: T.chair }) : null
          ]),
          el('div', { class: 'r-sub muted', title: [p.title, p.connected ? T.online : T.offline].concat(times).filter(Boolean).join(' · ') }, [
            p.title ? el('span', { text: p.title + ' · ' }) : null,
            el('span', { class: 'r-conn ' + (p.connected ? 'on' : 'off'), testid: 'connected-' + p.person_id, text: p.connected ? T.online : T.offline }),
            times.length ? el('span', { class: 'r-times', text: ' · ' + times.join(' · ') }) : null
          ]),
          p.absence_reason ? el('div', { class: 'r-reason', title: p.absence_reason, text: p.absence_reason }) : null
        ]),
        el('td', { class: 'r-actions' }, closed ? [] : [
          rollButton(p, 'present', T.rollPresent, 'ok'),
          rollButton(p, 'late', T.rollLate, ''),
          rollButton(p, 'absent', T.rollAbsent, ''),
          rollButton(p, 'left', T.rollLeft, '')
        ])
      ]);
    }));
  }

  function renderAgenda(s) {
    var cur = s.current;
    var inSession = s.meeting.status === 'in_session';
    var closedMeeting = s.meeting.status === 'closed';
    R.replace($('agenda'), s.agenda.map(function (it, i) {
      var isCur = cur && cur.id === it.id;
      var tone = { passed: 'ok', head_adopted: 'ok', not_passed: 'bad', head_rejected: 'bad', deferred: 'warn', withdrawn: 'warn' }[it.result] || (isCur ? 'info' : '');
      var missing = it.missing_steps || [];
      var actions = [];
      if (it.status === 'pending' && !closedMeeting) {
        actions.push(el('button', { type: 'button', class: 'primary small', testid: 'open-item-' + it.id, text: T.openNext,
          onclick: function (e) { openItem(it, e.currentTarget); } }));
      }
      if (it.status === 'pending' && inSession) { // deadends: 暂缓审议 / 撤回议题 of an item not yet opened
        actions.push(el('button', { type: 'button', class: 'secondary small', testid: 'shelve-' + it.id, text: T.shelve,
          onclick: function (e) { setAside(it, 'defer_item', e.currentTarget); } }));
        actions.push(el('button', { type: 'button', class: 'secondary small', testid: 'withdraw-' + it.id, text: T.withdraw,
          onclick: function (e) { setAside(it, 'withdraw_item', e.currentTarget); } }));
      }
      if (it.status === 'closed' && inSession) {
        actions.push(el('button', { type: 'button', class: 'secondary small', testid: 'reconsider-' + it.id, text: T.reconsider,
          onclick: function () { reconsider(it); } }));
      }
      return el('li', { class: 'agenda-item' + (isCur ? ' is-current' : ''), testid: 'agenda-' + it.id }, [
        el('div', { class: 'a-top' }, [
          el('span', { class: 'a-no', text: (i + 1) + '.' }),
          el('span', { class: 'a-title', text: it.title + (it.carried_from_item_id ? T.carried : '') })
        ]),
        el('div', { class: 'a-meta' }, [
          el('span', { class: 'badge info', text: R.tr(it.category_label) }),
          el('span', { class: 'badge ' + tone, testid: 'item-status-' + it.id,
            text: (R.tr(it.result_label) || T.itemStatus[it.status] || it.status) + (it.round > 1 ? ' · ' + fmt(T.round, { n: it.round }) : '') }),
          it.presenter ? el('span', { class: 'muted', text: it.presenter }) : null
        ]),
        missing.length && it.status === 'pending' ? el('p', { class: 'a-missing', testid: 'missing-' + it.id, text: fmt(T.missing, { steps: missing.map(R.tr).join(T.listSep) }) }) : null,
        actions.length ? el('div', { class: 'a-actions' }, actions) : null
      ]);
    }));
  }

  function renderObservers(s) {
    var obs = s.observers || [];
    R.replace($('observers'), obs.length ? [
      el('h3', { text: T.observers }),
      el('ul', { class: 'plain-list' }, obs.map(function (o) {
        return el('li', { text: o.name + [o.unit, o.role].filter(Boolean).map(function (x) { return ' · ' + x; }).join('') });
      }))
    ] : []);
  }


  // ------------------------------------------------------------------ actions

  function deferItem() {
    var cur = current();
    if (!cur) { return; }
    R.askReason(T.deferTitle, T.deferLabel, { required: true, requiredText: T.deferNeed, hint: T.deferHint, danger: true, okText: T.deferTitle })
      .then(function (reason) { if (reason !== null) { act('defer_item', { item_id: cur.id, reason: reason }, $('defer-item'), T.done); } });
  }

  // -- deadends: an item not yet opened set aside — 暂缓审议 (defer_item) or 撤回议题 (withdraw_item), with the reason
  function setAside(it, action, button) {
    var shelve = action === 'defer_item';
    R.askReason(fmt(shelve ? T.shelveTitle : T.withdrawTitle, { title: it.title }), shelve ? T.shelveLabel : T.withdrawLabel,
      { required: true, requiredText: shelve ? T.shelveNeed : T.withdrawNeed, hint: shelve ? T.shelveHint : T.withdrawHint,
        danger: true, okText: shelve ? T.shelve : T.withdraw })
      .then(function (reason) { if (reason !== null) { act(action, { item_id: it.id, reason: reason }, button, T.setAside); } });
  }

  function headDecide(adopt) {
    var cur = current();
    if (!cur) { return; }
    R.askReason(adopt ? T.headTitleAdopt : T.headTitleReject, T.headLabel, { okText: adopt ? T.headTitleAdopt : T.headTitleReject })
      .then(function (reason) {
        if (reason !== null) { act('head_decide', { item_id: cur.id, adopt: adopt, reason: reason }, adopt ? $('head-adopt') : $('head-reject'), T.done); }
      });
  }

  function reconsider(it) {
    var s = room.state;
    var boxes = s.roster.map(function (p) {
      return el('label', { class: 'check' }, [
        el('input', { type: 'checkbox', value: String(p.person_id), testid: 'reconsider-member-' + p.person_id }), ' ', p.name
      ]);
    });
    var area = el('textarea', { rows: 2, class: 'dialog-reason', testid: 'dialog-reason', maxlength: 2000 });
    R.dialog({
      title: fmt(T.reconsiderTitle, { title: it.title }),
      body: [el('p', { class: 'muted', text: T.reconsiderHint }), el('div', { class: 'check-grid' }, boxes),
        el('label', { class: 'dialog-label' }, [T.reconsiderLabel, area])],
      okText: T.reconsider,
      collect: function (complain) {
        var reason = area.value.trim();
        if (!reason) { complain(T.reconsiderNeed); return false; }
        var ids = boxes.map(function (b) { return b.querySelector('input'); }).filter(function (i) { return i.checked; })
          .map(function (i) { return parseInt(i.value, 10); });
        return { ids: ids, reason: reason };
      }
    }).then(function (v) {
      if (v) { act('reconsider', { item_id: it.id, agreeing_person_ids: v.ids, reason: v.reason }, null, T.done); }
    });
  }

  $('open-meeting').addEventListener('click', function (e) { act('open_meeting', {}, e.currentTarget); });
  $('close-meeting').addEventListener('click', function (e) {
    var btn = e.currentTarget;
    R.dialog({ title: T.closeMeetingTitle, body: el('p', { text: T.closeMeetingText }), okText: T.closeMeetingOk, danger: true })
      .then(function (ok) { if (ok) { act('close_meeting', {}, btn); } });
  });
  $('call-opinions').addEventListener('click', function (e) { var cur = current(); if (cur) { act('call_opinions', { item_id: cur.id }, e.currentTarget); } });
  $('close-item').addEventListener('click', function (e) { var cur = current(); if (cur) { act('close_item', { item_id: cur.id }, e.currentTarget); } });
  $('defer-item').addEventListener('click', deferItem);
  $('head-adopt').addEventListener('click', function () { headDecide(true); });
  $('head-reject').addEventListener('click', function () { headDecide(false); });

  // keyboard shortcuts for the frequent actions (not while typing, not with modifiers, not under a dialog)
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    if (document.querySelector('dialog[open]')) { return; }
    var s = room.state;
    if (!s) { return; }
    var key = (e.key || '').toLowerCase();
    var cur = current();
    if (key === 'o') {
      if (cur) { return; }
      var next = nextPending(s);
      if (next) { e.preventDefault(); openItem(next, null); }
    } else if (key === 'c') {
      if (cur) { e.preventDefault(); act('call_opinions', { item_id: cur.id }, $('call-opinions')); }
    } else if (key === 'r') {
      if (cur && !cur.head_decides) { e.preventDefault(); act('close_item', { item_id: cur.id }, $('close-item')); }
    } else if (key === 'd') {
      if (cur) { e.preventDefault(); deferItem(); }
    }
  });

  render();
})(window.YishiConsole);
