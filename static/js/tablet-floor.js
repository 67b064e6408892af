/* Yishi (议事) — the tablet (see tablet-kit.js): 发言申请 where the body uses it — ask for the floor on the item
 * under way, see one's place, withdraw; and who speaks now, for how long. Not for the recused or the absent (the
 * server refuses them too), nor for observers and the projector, who only see who speaks. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt;
  var live = K.live, isRecused = K.isRecused;

  function renderFloor(s, me) {
    var box = $('floor-box');
    if (!box) { return; }
    var f = s.floor;
    var cur = s.current;
    var recused = isRecused(s, me);
    if (!f || !cur || !live(cur) || f.item_id !== cur.id || recused) { R.show(box, false); return; }
    var nodes = [];
    if (f.speaker) {
      nodes.push(el('p', { class: 'floor-speaker', testid: 'floor-speaker' }, [
        el('span', { text: me && f.speaker.person_id === me.person_id ? T.floorYouSpeak : fmt(T.floorSpeaking, { name: f.speaker.name }) }), ' ',
        el('span', { class: 'floor-clock', 'data-floor-since': f.speaker.since, 'data-floor-limit': String(f.limit_seconds), text: '00:00' })
      ]));
    }
    if (f.requests && me && me.present) {
      var place = 0;
      f.queue.forEach(function (q, i) { if (q.person_id === me.person_id) { place = i + 1; } });
      var speaking = f.speaker && f.speaker.person_id === me.person_id;
      if (place) {
        nodes.push(el('p', { class: 'floor-mine', testid: 'floor-mine', text: fmt(T.floorPlace, { n: place }) }));
        nodes.push(el('button', { type: 'button', class: 'secondary big-button', testid: 'floor-withdraw', text: T.floorWithdraw,
          onclick: function (e) { send('withdraw_floor', cur.id, e.currentTarget); } }));
      } else if (!speaking) {
        nodes.push(el('button', { type: 'button', class: 'secondary big-button', testid: 'floor-request', text: T.floorRequest,
          onclick: function (e) { send('request_floor', cur.id, e.currentTarget); } }));
      }
    }
    R.show(box, nodes.length > 0);
    R.replace(box, nodes);
    window.YishiFloor.tick();
  }

  function send(name, itemId, button) {
    button.disabled = true;
    K.room.act(name, { item_id: itemId }).then(function (ack) {
      button.disabled = false;
      if (!ack.ok) { R.showError(ack.error); }
      K.render();
    });
  }

  K.renderFloor = renderFloor;
})(window.YishiTablet);
