/* Yishi (议事) — the console (see console-kit.js): the current item, its controls, recusals, written opinions and
 * notes; the last result. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt, ui = K.ui;
  var ZONE = K.ZONE, MATERIAL_BASE = K.MATERIAL_BASE, scanUrl = K.scanUrl;
  var act = K.act, live = K.live, current = K.current, nextPending = K.nextPending, openItem = K.openItem;

  // -- deadends: 代录 — a present member's spoken opinion recorded for him when his tablet cannot (record_opinion)
  function recordFor(cur, who, button) {
    var stance = el('select', { testid: 'dialog-stance', class: 'dialog-stance' }, ['agree', 'disagree', 'defer'].map(function (k) {
      return el('option', { value: k, text: T.stance[k] });
    }));
    var area = el('textarea', { rows: 3, class: 'dialog-reason', testid: 'dialog-reason', maxlength: 2000 });
    R.dialog({
      title: fmt(T.proxyTitle, { name: who.name }), okText: T.proxyOk,
      body: [el('p', { class: 'muted', text: T.proxyHint }), el('label', { class: 'dialog-label' }, [T.proxyStance, stance]),
        el('label', { class: 'dialog-label' }, [T.proxyReason, area])],
      collect: function (complain) {
        var reason = area.value.trim();
        if (stance.value !== 'agree' && !reason) { complain(fmt(T.writtenNeedReason, { stance: T.stance[stance.value] })); area.focus(); return false; }
        return { stance: stance.value, reason: reason };
      }
    }).then(function (v) {
      if (!v) { return; }
      act('record_opinion', { client_id: R.newClientId(), item_id: cur.id, round: cur.round, person_id: who.person_id,
        stance: v.stance, reason: v.reason }, button, T.proxyDone);
    });
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
          el('td', { class: 'op-name' }, [o.name, o.is_chair ? el('span', { class: 'badge bad', text: T.chair }) : null,
            o.proxy_by ? el('span', { class: 'badge warn', testid: 'proxy-mark-' + o.person_id, title: fmt(T.proxyBy, { name: o.proxy_by }), text: T.proxy }) : null]),
          el('td', { class: 'op-stance' }, [el('span', { class: 'stance-tag stance-tag-' + o.stance, text: T.stance[o.stance] || o.stance_label })]),
          el('td', { class: 'op-reason', text: (o.reason || '') + (o.version > 1 ? fmt(T.version, { v: o.version - 1 }) : '') }),
          el('td', { class: 'op-at muted', text: o.at })
        ]);
      }))
    ])] : [el('p', { class: 'muted', text: T.noOpinions })]);

    var ns = cur.not_spoken || [];
    R.replace($('not-spoken'), ns.length ? [el('ul', { class: 'name-chips' }, ns.map(function (x) {
      return el('li', { class: 'chip' + (x.is_chair ? ' chip-chair' : '') }, [
        x.name + (x.is_chair ? fmt(T.paren, { x: T.chair }) : ''),
        voting ? el('button', { type: 'button', class: 'link', testid: 'proxy-' + x.person_id, text: T.proxyAction,
          onclick: function (e) { recordFor(cur, x, e.currentTarget); } }) : null
      ]);
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

  function saveNotes() {
    var cur = current();
    if (!cur || !ui.notesDirty) { return; }
    var text = $('item-notes').value;
    $('notes-saved').textContent = T.notesSaving;
    K.room.act('set_notes', { item_id: cur.id, notes: text }).then(function (ack) {
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
      if (data && data.ok) { $('written-scan').value = ''; R.showNotice(T.scanUploaded); K.room.sync(); }
      else { R.showError((data && data.error) || T.scanFailed); }
    }).catch(function () { R.showError(T.scanFailed); });
  }


  $('item-notes').addEventListener('input', function () { ui.notesDirty = true; $('notes-saved').textContent = ''; });
  $('item-notes').addEventListener('blur', saveNotes);

  K.renderCurrent = renderCurrent;
  K.renderLastResult = renderLastResult;
})(window.YishiConsole);
