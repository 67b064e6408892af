/* Yishi (议事) — the secretary's console: roster and roll call, the quorum meter, the agenda, and the controls of
 * the current item. Every figure comes from the server's "full" state; every refusal is shown as the server's
 * one-sentence Chinese message with its source.
 */
(function () {
  'use strict';

  var T = window.YishiRoom.strings('console');  // meeting/js_strings.py, in the page's language

  var R = window.YishiRoom;
  var el = R.el;
  var script = document.currentScript;
  var MEETING_ID = parseInt(script.dataset.meetingId, 10);
  var ZONE = script.dataset.zone || 'Asia/Shanghai';
  var MATERIAL_BASE = (script.dataset.materialUrl || '/materials/0').replace(/0$/, '');
  // POST multipart "file" here to attach the scan of a signed written opinion (meeting/views.py)
  function scanUrl(writtenId) { return '/meetings/' + MEETING_ID + '/written-opinions/' + writtenId + '/scan'; }

  function $(id) { return document.getElementById(id); }
  function fmt(s, o) { return String(s).replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ''; }); }

  var ui = { itemKey: null, notesDirty: false, busy: {} };

  var room = R.connect({
    auth: { meeting_id: MEETING_ID },
    initial: R.initial('initial-state'),
    zone: ZONE,
    onChange: render
  });

  /** Run an action; a refusal shows the server's sentence and its source. Buttons are disabled meanwhile. */
  function act(name, payload, button, okText) {
    if (button) { button.disabled = true; }
    return room.act(name, payload).then(function (ack) {
      if (button) { button.disabled = false; }
      if (ack.ok) { R.hideError(); if (okText) { R.showNotice(okText); } }
      else { R.showError(ack.error); }
      render();
      return ack;
    });
  }

  function live(cur) { return cur && (cur.status === 'open' || cur.status === 'voting'); }

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
    renderRoster(s);
    renderAgenda(s);
    renderCurrent(s);
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
      el('p', { class: 'q-verdict ' + (q.ok ? 'ok' : 'bad'), testid: 'quorum-verdict',
        text: fmt(q.ok ? T.quorumOk : T.quorumBad, q) + (q.source ? fmt(T.paren, { x: q.source }) : '') }),
      el('p', { class: 'q-counts muted', text: fmt(T.counts, c) })
    ];
    if (a.cannot_pass) {
      nodes.push(el('div', { class: 'q-warning', role: 'alert', testid: 'cannot-pass' }, [
        el('strong', { text: T.cannotPass }),
        el('span', { text: fmt(T.cannotPassDetail, { present: a.present, needed: a.pass_needed, rule: a.pass_rule }) })
      ]));
    }
    nodes.push(el('p', { class: 'source', text: fmt(T.passRule, { rule: a.pass_rule }) + (a.pass_source ? fmt(T.paren, { x: a.pass_source }) : '') }));
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
          el('div', { class: 'r-sub muted' }, [
            p.title ? el('span', { text: p.title + ' · ' }) : null,
            el('span', { class: 'r-conn ' + (p.connected ? 'on' : 'off'), testid: 'connected-' + p.person_id, text: p.connected ? T.online : T.offline }),
            times.length ? el('span', { class: 'r-times', text: ' · ' + times.join(' · ') }) : null
          ]),
          p.absence_reason ? el('div', { class: 'r-reason', text: p.absence_reason }) : null
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

  function nextPending(s) {
    var pending = s.agenda.filter(function (it) { return it.status === 'pending'; });
    var ready = pending.filter(function (it) { return !(it.missing_steps || []).length; });
    return ready[0] || pending[0] || null;
  }

  function openItem(it, button) { act('open_item', { item_id: it.id }, button, T.opened); }

  function renderAgenda(s) {
    var cur = s.current;
    var inSession = s.meeting.status === 'in_session';
    var closedMeeting = s.meeting.status === 'closed';
    R.replace($('agenda'), s.agenda.map(function (it, i) {
      var isCur = cur && cur.id === it.id;
      var tone = { passed: 'ok', head_adopted: 'ok', not_passed: 'bad', head_rejected: 'bad', deferred: 'warn' }[it.result] || (isCur ? 'info' : '');
      var missing = it.missing_steps || [];
      var actions = [];
      if (it.status === 'pending' && !closedMeeting) {
        actions.push(el('button', { type: 'button', class: 'primary small', testid: 'open-item-' + it.id, text: T.openNext,
          onclick: function (e) { openItem(it, e.currentTarget); } }));
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

  function renderCurrent(s) {
    var cur = s.current;
    var show = !!cur && live(cur);
    R.show($('current'), show);
    R.show($('current-empty'), !show);
    if (!show) {
      var empty = [];
      if (s.meeting.status === 'closed') { empty.push(el('p', { text: T.meetingClosed })); }
      else if (s.meeting.status !== 'in_session') { empty.push(el('p', { text: T.notInSession })); }
      else {
        empty.push(el('p', { text: T.noCurrent }));
        var next = nextPending(s);
        if (next) {
          empty.push(el('p', { class: 'next-item' }, [
            el('span', { text: fmt(T.nextItem, { title: next.title }) }), ' ',
            el('button', { type: 'button', class: 'primary', testid: 'open-next', onclick: function (e) { openItem(next, e.currentTarget); } },
              [T.openNext + ' ', el('kbd', { text: 'O' })])
          ]));
        } else {
          empty.push(el('p', { class: 'muted', text: T.noPending }));
        }
      }
      R.replace($('current-empty'), empty);
      return;
    }
    var p = cur.progress || {};
    var voting = cur.status === 'voting';
    var headMode = !!cur.head_decides;

    // head
    var head = [
      el('p', { class: 'cur-kicker' }, [
        el('span', { class: 'badge info', text: R.tr(cur.category_label) }),
        el('span', { class: 'badge ' + (voting ? 'bad' : 'info'), testid: 'current-status', text: T.itemStatus[cur.status] }),
        cur.round > 1 ? el('span', { class: 'badge warn', text: fmt(T.round, { n: cur.round }) }) : null
      ]),
      el('h3', { class: 'cur-title', testid: 'current-title', text: cur.title }),
      el('p', { class: 'muted', text: [cur.presenter && fmt(T.presenter, { p: cur.presenter }), cur.submitting_unit && fmt(T.unit, { u: cur.submitting_unit }),
        cur.amount_yuan ? fmt(T.amount, { a: fmt(T.yuan, { a: cur.amount_yuan.toLocaleString('zh-CN') }) }) : ''].filter(Boolean).join(' · ') })
    ];
    if ((cur.subjects || []).length) {
      head.push(el('p', { class: 'muted', text: T.subjects + cur.subjects.map(function (x) { return x.name + (x.action ? fmt(T.paren, { x: x.action }) : ''); }).join(T.subjectSep) }));
    }
    R.replace($('current-head'), head);

    // buttons
    R.show($('call-opinions'), cur.status === 'open');
    R.show($('close-item'), voting && !headMode);
    R.show($('head-adopt'), voting && headMode);
    R.show($('head-reject'), voting && headMode);

    // facts: item quorum, progress, chair, tally
    var q = cur.quorum || {};
    var facts = [el('p', { class: 'item-quorum ' + (q.ok ? 'ok' : 'bad'), testid: 'item-quorum',
      text: fmt(q.ok ? T.itemQuorumOk : T.itemQuorumBad, q) + (q.source ? fmt(T.paren, { x: q.source }) : '') })];
    if (voting) {
      var chairText = p.chair_has_spoken ? T.chairSpoken : p.chair_may_speak ? T.chairMay : (p.waiting ? fmt(T.chairWaiting, { n: p.waiting }) : T.chairNotEligible);
      facts.push(el('div', { class: 'progress-row' }, [
        el('span', { class: 'progress-count', testid: 'console-progress', text: fmt(T.progress, p) }),
        el('span', { class: 'chair-state ' + (p.chair_has_spoken ? 'ok' : p.chair_may_speak ? 'info' : 'warn'), testid: 'chair-state', text: chairText })
      ]));
      var t = cur.tally || {};
      facts.push(el('div', { class: 'tally', testid: 'tally' }, [
        el('strong', { text: fmt(T.tally, t) }),
        el('span', { class: 'muted', text: fmt(T.tallyYes, t) })
      ]));
      if (p.can_still_pass === false && !headMode) {
        facts.push(el('p', { class: 'warn-line', role: 'status', testid: 'cannot-still-pass', text: fmt(T.cannotStillPass, { needed: t.needed }) }));
      }
    }
    if (headMode) { facts.push(el('p', { class: 'muted', text: T.headMode })); }
    R.replace($('current-facts'), facts);

    // opinions, in the order given
    var ops = cur.opinions || [];
    R.replace($('opinions'), ops.length ? [el('table', { class: 'opinions' }, [
      el('tbody', {}, ops.map(function (o, i) {
        return el('tr', { class: 'op-' + o.stance, testid: 'opinion-row-' + o.person_id }, [
          el('td', { class: 'op-no', text: i + 1 }),
          el('td', { class: 'op-name' }, [o.name, o.is_chair ? el('span', { class: 'badge bad', text: T.chair }) : null]),
          el('td', { class: 'op-stance' }, [el('span', { class: 'stance-tag stance-tag-' + o.stance, text: T.stance[o.stance] || o.stance_label })]),
          el('td', { class: 'op-reason', text: (o.reason || '') + (o.version > 1 ? fmt(T.version, { v: o.version - 1 }) : '') }),
          el('td', { class: 'op-at muted', text: o.at })
        ]);
      }))
    ])] : [el('p', { class: 'muted', text: T.noOpinions })]);

    var ns = cur.not_spoken || [];
    R.replace($('not-spoken'), ns.length ? [el('ul', { class: 'name-chips' }, ns.map(function (x) {
      return el('li', { class: 'chip' + (x.is_chair ? ' chip-chair' : ''), text: x.name + (x.is_chair ? fmt(T.paren, { x: T.chair }) : '') });
    }))] : [el('p', { class: 'muted', text: voting ? T.allSpoken : '' })]);

    // recusals
    var recs = cur.recusals || [];
    R.replace($('recusals'), recs.length ? [el('ul', { class: 'plain-list' }, recs.map(function (r) {
      return el('li', { testid: 'recusal-' + r.person_id }, [
        el('strong', { text: r.name }), ' ',
        el('span', { class: 'badge ' + (r.source === 'manual' ? 'warn' : 'info'), text: r.source === 'manual' ? T.recusalManual : T.recusalAuto }), ' ',
        el('span', { text: [r.subject ? fmt(T.recusalSubject, { name: r.subject }) : '', r.reason].filter(Boolean).join(T.recusalSep) }), ' ',
        r.basis ? el('span', { class: 'source', text: fmt(T.paren, { x: r.basis }) }) : null,
        r.source === 'manual' ? el('button', { type: 'button', class: 'link', testid: 'recusal-remove-' + r.person_id, text: T.recusalRemove,
          onclick: function (e) { act('remove_recusal', { item_id: cur.id, person_id: r.person_id }, e.currentTarget); } }) : null
      ]);
    }))] : [el('p', { class: 'muted', text: T.recusalNone })]);

    // written opinions
    var ws = cur.written || [];
    R.replace($('written'), ws.length ? [el('ul', { class: 'plain-list' }, ws.map(function (w) {
      return el('li', { testid: 'written-row-' + w.person_id }, [
        el('strong', { text: w.name }), ' ',
        el('span', { class: 'stance-tag stance-tag-' + w.stance, text: T.stance[w.stance] || w.stance_label }), ' ',
        el('span', { text: w.reason || '' }), ' ',
        el('span', { class: 'muted', text: fmt(T.submittedAt, { by: w.submitted_by === 'self' ? T.writtenBySelf : T.writtenBySecretary, at: w.at }) }),
        w.scan_material_id ? el('a', { href: MATERIAL_BASE + w.scan_material_id, target: '_blank', rel: 'noopener', testid: 'written-scan-link-' + w.person_id, text: T.scan }) : null
      ]);
    }))] : [el('p', { class: 'muted', text: T.writtenNone })]);

    // selects: recusal — anyone not already recused who has not spoken; written — members not present
    var recused = {};
    recs.forEach(function (r) { recused[r.person_id] = true; });
    fillSelect($('recusal-person'), s.roster.filter(function (p2) { return !recused[p2.person_id]; }));
    var absent = s.roster.filter(function (p2) { return p2.attendance !== 'present' && p2.attendance !== 'late'; });
    fillSelect($('written-person'), absent, absent.length ? null : T.writtenNoAbsent);

    // notes: never overwrite what the secretary is typing
    var notes = $('item-notes');
    if (document.activeElement !== notes && !ui.notesDirty && notes.value !== (cur.notes || '')) { notes.value = cur.notes || ''; }
  }

  function fillSelect(select, people, emptyText) {
    var keep = select.value;
    var opts = [el('option', { value: '', text: emptyText || T.pickPerson })].concat(people.map(function (p) {
      return el('option', { value: String(p.person_id), text: p.name + fmt(T.paren, { x: R.tr(p.attendance_label) }) });
    }));
    var sig = opts.map(function (o) { return o.value + o.textContent; }).join('|');
    if (select.dataset.sig === sig) { return; }
    select.dataset.sig = sig;
    R.replace(select, opts);
    if (people.some(function (p) { return String(p.person_id) === keep; })) { select.value = keep; }
  }

  function renderLastResult(s) {
    var box = $('last-result');
    var last = s.last_closed;
    var show = !!last && !live(s.current);
    R.show(box, show);
    if (!show) { return; }
    var t = last.tally || {};
    var tone = { passed: 'ok', head_adopted: 'ok', not_passed: 'bad', head_rejected: 'bad', deferred: 'warn' }[last.result] || '';
    var nodes = [
      el('h3', { text: T.lastResult }),
      el('p', { class: 'lr-title', text: last.title }),
      el('p', { class: 'lr-label result-' + tone, testid: 'console-result', text: R.tr(last.result_label) }),
      el('p', { text: fmt(T.resultTally, t) })
    ];
    if (t.written_agree || t.written_disagree || t.written_defer) {
      nodes.push(el('p', { class: 'muted', text: fmt(T.written, { a: t.written_agree || 0, d: t.written_disagree || 0, f: t.written_defer || 0,
        c: t.written_counted ? T.writtenCounted : T.writtenNotCounted }) }));
    }
    if (last.defer_reason) { nodes.push(el('p', { text: fmt(T.deferReason, { r: last.defer_reason }) })); }
    if (last.head_reason) { nodes.push(el('p', { text: fmt(T.headReason, { r: last.head_reason }) })); }
    R.replace(box, nodes);
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

  function current() { var s = room.state; return s && live(s.current) ? s.current : null; }

  function deferItem() {
    var cur = current();
    if (!cur) { return; }
    R.askReason(T.deferTitle, T.deferLabel, { required: true, requiredText: T.deferNeed, hint: T.deferHint, danger: true, okText: T.deferTitle })
      .then(function (reason) { if (reason !== null) { act('defer_item', { item_id: cur.id, reason: reason }, $('defer-item'), T.done); } });
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

  function saveNotes() {
    var cur = current();
    if (!cur || !ui.notesDirty) { return; }
    var text = $('item-notes').value;
    $('notes-saved').textContent = T.notesSaving;
    room.act('set_notes', { item_id: cur.id, notes: text }).then(function (ack) {
      if (ack.ok) {
        ui.notesDirty = false;
        cur.notes = text;
        $('notes-saved').textContent = fmt(T.notesSaved, { t: R.fmtTime(new Date().toISOString(), ZONE, false) });
      } else {
        $('notes-saved').textContent = '';
        R.showError(ack.error);
      }
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

  $('recusal-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var cur = current();
    if (!cur) { return; }
    var pid = parseInt($('recusal-person').value, 10);
    var reason = $('recusal-reason').value.trim();
    if (!pid) { R.showError(T.recusalPick); return; }
    if (!reason) { R.showError(T.recusalNeedReason); $('recusal-reason').focus(); return; }
    act('add_recusal', { item_id: cur.id, person_id: pid, reason: reason }, e.submitter).then(function (ack) {
      if (ack.ok) { $('recusal-reason').value = ''; $('recusal-person').value = ''; }
    });
  });

  $('written-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var cur = current();
    if (!cur) { return; }
    var pid = parseInt($('written-person').value, 10);
    var stance = $('written-stance').value;
    var reason = $('written-reason').value.trim();
    if (!pid) { R.showError(T.writtenPick); return; }
    if ((stance === 'disagree' || stance === 'defer') && !reason) {
      R.showError(fmt(T.writtenNeedReason, { stance: T.stance[stance] }));
      $('written-reason').focus();
      return;
    }
    var file = $('written-scan').files[0];
    act('written_opinion', { item_id: cur.id, person_id: pid, stance: stance, reason: reason, client_id: R.newClientId() }, e.submitter)
      .then(function (ack) {
        if (!ack.ok) { return; }
        $('written-reason').value = '';
        $('written-person').value = '';
        if (file && ack.written_opinion_id) { uploadScan(ack.written_opinion_id, file); }
      });
  });

  function uploadScan(writtenId, file) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var body = new FormData();
    body.append('file', file);
    fetch(scanUrl(writtenId), {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'X-CSRF-Token': meta ? meta.content : '', 'Accept': 'application/json' }
    }).then(function (resp) {
      return resp.json().catch(function () { return { ok: resp.ok }; });
    }).then(function (data) {
      if (data && data.ok) { $('written-scan').value = ''; R.showNotice(T.scanUploaded); room.sync(); }
      else { R.showError((data && data.error) || T.scanFailed); }
    }).catch(function () { R.showError(T.scanFailed); });
  }


  $('item-notes').addEventListener('input', function () { ui.notesDirty = true; $('notes-saved').textContent = ''; });
  $('item-notes').addEventListener('blur', saveNotes);

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
})();
