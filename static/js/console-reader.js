/* Yishi (议事) — the secretary's console (see console-kit.js): 跟随翻页, the presenter's side.
 *
 * For each material of the item under way: 上一页 / 第 n 页 / 下一页. A turn is the room action "turn_page"
 * (material, page); the server tells the tablets, and those that follow turn with it (tablet-reader.js). The page
 * shown here is the one the server acknowledged (or another console turned to).
 */
(function (C) {
  'use strict';

  if (!C || !C.room) { return; }
  var R = C.R, el = C.el, $ = C.$, fmt = C.fmt;
  var T = window.YishiRoom.strings('reader');
  var pages = {};  // material id → the page presented last
  var shownKey = null;

  function materials() {
    var s = C.room.state;
    var cur = s && C.live(s.current) ? s.current : null;
    return cur ? (cur.materials || []) : [];
  }

  function turn(m, page, button) {
    if (page < 1) { return; }
    C.act('turn_page', { material_id: m.id, page: page }, button).then(function (ack) {
      if (ack && ack.ok) {
        pages[m.id] = ack.page;
        R.showNotice(fmt(T.turned, { n: ack.page }));
        draw(true);
      }
    });
  }

  function row(m) {
    var page = pages[m.id] || 1;
    var prev = el('button', { type: 'button', class: 'secondary', testid: 'present-prev-' + m.id, text: T.prev });
    var next = el('button', { type: 'button', class: 'secondary', testid: 'present-next-' + m.id, text: T.next });
    prev.disabled = page <= 1;
    prev.addEventListener('click', function () { turn(m, (pages[m.id] || 1) - 1, prev); });
    next.addEventListener('click', function () { turn(m, (pages[m.id] || 1) + 1, next); });
    return el('div', { class: 'presenter-row', testid: 'present-' + m.id }, [
      el('span', { class: 'presenter-name', text: m.filename }),
      prev,
      el('span', { class: 'presenter-page', testid: 'present-page-' + m.id, text: fmt(T.page, { n: page }) }),
      next
    ]);
  }

  /** Who presents: this console, or a member present whom the secretary names (his tablet's turns lead). */
  function presenterPick() {
    var s = C.room.state;
    var chosen = s.meeting.presenter_person_id;
    var options = [el('option', { value: '', text: T.presenterConsole })].concat(
      s.roster.filter(function (p) { return p.attendance === 'present' || p.attendance === 'late'; }).map(function (p) {
        return el('option', { value: String(p.person_id), text: p.name });
      }));
    var pick = el('select', { testid: 'presenter-pick', 'aria-label': T.presenter }, options);
    pick.value = chosen ? String(chosen) : '';
    pick.addEventListener('change', function () {
      C.act('set_presenter', { person_id: pick.value ? parseInt(pick.value, 10) : null }, pick);
    });
    return el('label', { class: 'presenter-pick' }, [T.presenter + ' ', pick]);
  }

  function draw(force) {
    var box = $('presenter');
    if (!box) { return; }
    var list = materials();
    var key = list.map(function (m) { return m.id + ':' + (pages[m.id] || 1); }).join(',') + '|' +
      (C.room.state && C.room.state.meeting.presenter_person_id);
    if (!force && key === shownKey) { return; }
    shownKey = key;
    box.hidden = !list.length;
    R.replace(box, list.length ? [el('h3', { text: T.present }), presenterPick()].concat(list.map(row)) : []);
  }

  var socket = C.room.socket;
  if (socket) {
    ['snapshot', 'state'].forEach(function (name) { socket.on(name, function () { draw(false); }); });
    socket.on('page_turned', function (t) {
      if (t && t.material_id) { pages[t.material_id] = t.page; draw(true); }
    });
  }
  draw(true);
})(window.YishiConsole);
