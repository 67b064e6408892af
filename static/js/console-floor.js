/* Yishi (议事) — the console (see console-kit.js): 发言申请 and the speaker's time on the current item, where the
 * body uses them — who speaks and for how long, who waits in the order asked, giving the floor and ending it. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt;
  var act = K.act, current = K.current;

  function renderFloor(s) {
    var box = $('floor');
    if (!box) { return; }
    var f = s.floor;
    var cur = current();
    if (!f || !cur || f.item_id !== cur.id) { R.show(box, false); return; }
    window.YishiFloor.sync(s);
    var nodes = [el('h3', { text: f.requests ? T.floorTitle : T.floorTimerTitle })];
    if (f.speaker) {
      nodes.push(el('div', { class: 'floor-speaker', testid: 'floor-speaker' }, [
        el('span', { text: fmt(T.floorSpeaking, { name: f.speaker.name }) }),
        el('span', { class: 'floor-clock', testid: 'floor-clock', 'data-floor-since': f.speaker.since,
                     'data-floor-limit': String(f.limit_seconds), text: '00:00' }),
        f.limit_seconds ? el('span', { class: 'muted', text: fmt(T.floorLimit, { m: f.limit_seconds / 60 }) }) : null,
        el('button', { type: 'button', class: 'secondary small', testid: 'floor-end',
                       onclick: function (e) { act('end_floor', { item_id: cur.id }, e.currentTarget); }, text: T.floorEnd })
      ]));
    }
    if (f.requests) {
      nodes.push(f.queue.length
        ? el('ol', { class: 'floor-queue', testid: 'floor-queue' }, f.queue.map(function (q) {
          return el('li', {}, [
            el('span', { text: q.name }), ' ',
            el('span', { class: 'muted', text: fmt(T.floorAsked, { t: q.requested_at }) }), ' ',
            el('button', { type: 'button', class: 'primary small', testid: 'floor-give-' + q.person_id,
                           onclick: function (e) { act('give_floor', { item_id: cur.id, request_id: q.request_id }, e.currentTarget); },
                           text: T.floorGive })
          ]);
        }))
        : el('p', { class: 'muted', testid: 'floor-queue-empty', text: T.floorNoQueue }));
    }
    // the floor to a member present who did not ask (or to anyone, where requests are not used)
    var present = s.roster.filter(function (p) {
      return (p.attendance === 'present' || p.attendance === 'late') && !(f.speaker && f.speaker.person_id === p.person_id);
    });
    var pick = el('select', { testid: 'floor-person', 'aria-label': T.floorPick },
      present.map(function (p) { return el('option', { value: String(p.person_id), text: p.name }); }));
    nodes.push(el('div', { class: 'inline-form' }, [
      pick,
      el('button', { type: 'button', class: 'secondary small', testid: 'floor-give-person', text: T.floorGivePerson,
                     onclick: function (e) { act('give_floor', { item_id: cur.id, person_id: parseInt(pick.value, 10) }, e.currentTarget); } })
    ]));
    R.replace(box, nodes);
    R.show(box, true);
    window.YishiFloor.tick();
  }

  K.renderFloor = renderFloor;
})(window.YishiConsole);
