/* Yishi (议事) — the tablet (see tablet-kit.js): the chair's panel; the last result. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt, ui = K.ui;
  var live = K.live, presides = K.presides, addPhrase = K.addPhrase;
  function render() { K.render(); }  // tablet.js

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
    var cur = K.room.state && K.room.state.current;
    if (!cur) { return; }
    var btns = [$('decide-adopt'), $('decide-reject')];
    btns.forEach(function (b) { b.disabled = true; });
    K.room.act('head_decide', { item_id: cur.id, adopt: adopt, reason: $('decide-reason').value.trim() }).then(function (ack) {
      btns.forEach(function (b) { b.disabled = false; });
      if (ack.ok) { R.showNotice(T.decided); } else { R.showError(ack.error); }
    });
  }

  function deferItem() {
    var cur = K.room.state && K.room.state.current;
    if (!cur) { return; }
    var reason = $('defer-reason').value.trim();
    if (!reason) { R.showError(T.deferNeedReason); $('defer-reason').focus(); return; }
    $('defer-confirm').disabled = true;
    K.room.act('defer_item', { item_id: cur.id, reason: reason }).then(function (ack) {
      $('defer-confirm').disabled = false;
      if (ack.ok) { ui.deferOpen = false; $('defer-reason').value = ''; R.showNotice(T.deferred); render(); }
      else { R.showError(ack.error); }
    });
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

  // ------------------------------------------------------------------ events

  if ($('chair')) {
    $('chair-defer').addEventListener('click', function () { ui.deferOpen = true; render(); $('defer-reason').focus(); });
    $('defer-cancel').addEventListener('click', function () { ui.deferOpen = false; render(); });
    $('defer-confirm').addEventListener('click', deferItem);
    $('decide-adopt').addEventListener('click', function () { headDecide(true); });
    $('decide-reject').addEventListener('click', function () { headDecide(false); });
  }

  K.renderChair = renderChair;
  K.renderResult = renderResult;
})(window.YishiTablet);
