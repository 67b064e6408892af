/* Yishi (议事) — the projector (big screen). Public view only: attendance, the current item, progress as a
 * count ("已表态 6 / 8"), never individual opinions; after the item closes, the result in large type.
 */
(function () {
  'use strict';

  var T = window.YishiRoom.strings('projector');  // meeting/js_strings.py, in the page's language

  var R = window.YishiRoom;
  var el = R.el;
  var script = document.currentScript;
  function $(id) { return document.getElementById(id); }
  function fmt(s, o) { return String(s).replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ''; }); }
  function live(cur) { return cur && (cur.status === 'open' || cur.status === 'voting'); }

  var room = R.connect({
    auth: { token: script.dataset.token },
    initial: R.initial('initial-state'),
    zone: script.dataset.zone,
    onChange: render
  });

  function render() {
    var s = room.state;
    if (!s) { return; }
    var m = s.meeting;
    $('proj-title').textContent = m.title;
    $('proj-meta').textContent = [m.starts_at, m.place].filter(Boolean).join(' · ');
    $('proj-attendance').textContent = fmt(T.attendance, s.attendance);

    var cur = s.current;
    var isLive = live(cur);
    R.show($('proj-current'), isLive);
    if (isLive) {
      var idx = 0;
      s.agenda.forEach(function (it, i) { if (it.id === cur.id) { idx = i + 1; } });
      $('proj-item-no').textContent = fmt(T.itemNo, { n: idx });
      $('proj-item-category').textContent = R.tr(cur.category_label) || '';
      $('proj-item-title').textContent = cur.title;
      $('proj-item-presenter').textContent = cur.presenter ? fmt(T.presenter, { p: cur.presenter }) : '';
      var voting = cur.status === 'voting';
      $('proj-phase').textContent = voting ? T.opinions : T.discussion;
      // who speaks, and for how long (where the body times its speakers)
      var f = s.floor, box = $('proj-floor');
      var speaker = f && f.item_id === cur.id && f.speaker;
      R.show(box, !!speaker);
      R.replace(box, speaker ? [
        el('span', { text: fmt(T.floorSpeaking, { name: speaker.name }) }), ' ',
        el('span', { class: 'floor-clock', 'data-floor-since': speaker.since, 'data-floor-limit': String(f.limit_seconds), text: '00:00' })
      ] : []);
      window.YishiFloor.tick();
      R.show($('proj-progress'), voting);
      var p = cur.progress || {};
      $('proj-progress-text').textContent = fmt(T.progress, p);
      var pct = p.eligible ? Math.round(100 * p.spoken / p.eligible) : 0;
      $('proj-bar-fill').style.width = pct + '%';
    }

    var last = s.last_closed;
    var showResult = !isLive && !!last && m.status !== 'scheduled';
    R.show($('proj-result'), showResult);
    if (showResult) {
      var t = last.tally || {};
      var tone = { passed: 'ok', head_adopted: 'ok', not_passed: 'bad', head_rejected: 'bad', deferred: 'warn' }[last.result] || '';
      $('proj-result-item').textContent = last.title;
      var label = $('proj-result-label');
      label.textContent = R.tr(last.result_label);
      label.className = 'proj-result-label result-' + tone;
      var deferred = last.result === 'deferred';
      var counted = t.agree !== null && t.agree !== undefined && (!deferred || t.agree || t.disagree || t.defer);
      $('proj-result-tally').textContent = counted ? fmt(T.tally, t) : '';
      var rule = counted && !deferred && t.needed !== null && t.needed !== undefined ? fmt(T.rule, t) : '';
      if (last.majority_passes !== undefined && last.majority_passes !== null) {
        // head_decides: the head decided; the majority view is shown beside it (国务院令第713号 第30条)
        rule = fmt(T.majority, { v: last.majority_passes ? T.pass : T.fail, yes: t.yes, needed: t.needed });
      }
      if (t.written_agree || t.written_disagree || t.written_defer) {
        rule += (rule ? '\n' : '') + fmt(T.written, { a: t.written_agree || 0, d: t.written_disagree || 0, f: t.written_defer || 0,
          c: t.written_counted ? T.writtenCounted : T.writtenNotCounted });
      }
      $('proj-result-rule').textContent = rule;
    }

    var idle = !isLive && !showResult;
    R.show($('proj-idle'), idle);
    if (idle) {
      $('proj-idle-text').textContent = m.status === 'closed' ? T.closed : m.status === 'scheduled' ? T.scheduled : T.waiting;
    }

    R.replace($('proj-agenda'), s.agenda.map(function (it) {
      var isCur = cur && cur.id === it.id && isLive;
      return el('li', { class: isCur ? 'is-current' : '' }, [
        el('span', { class: 'pa-title', text: it.title }),
        el('span', { class: 'pa-status', text: R.tr(it.result_label) || T.status[it.status] || '' })
      ]);
    }));
  }

  render();
})();
