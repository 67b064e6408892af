/* Yishi (议事) — the tablet (see tablet-kit.js): the chair's view of the room between items — which members present
 * are offline (their tablets not connected: the secretary may 代录 for them), and the items not yet opened, each
 * of which he may defer (暂缓审议) or have withdrawn (撤回议题) with a reason. Renders the server's state only. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, ui = K.ui;

  ui.setAside = null;  // {item_id, action} while the chair writes the reason

  function renderChairRoom(s, me) {
    var card = $('chair-room');
    if (!card) { return; }
    var inSession = s.meeting.status === 'in_session';
    var show = K.IS_CHAIR && !!me && me.present && inSession && s.view === 'full';
    R.show(card, show);
    if (!show) { return; }
    var offline = (s.roster || []).filter(function (p) {
      return !p.connected && (p.attendance === 'present' || p.attendance === 'late');
    });
    R.replace($('chair-offline'), offline.length ? [
      el('p', { class: 'not-spoken-title', text: T.offlineTitle }),
      el('ul', { class: 'name-chips' }, offline.map(function (p) {
        return el('li', { class: 'chip', testid: 'offline-' + p.person_id, text: p.name });
      }))
    ] : [el('p', { class: 'muted', text: T.allOnline })]);
    var pending = (s.agenda || []).filter(function (it) { return it.status === 'pending'; });
    R.show($('chair-pending-box'), pending.length > 0 && !K.live(s.current));
    R.replace($('chair-pending'), pending.map(function (it) {
      var open = ui.setAside && ui.setAside.item_id === it.id;
      var rows = [
        el('div', { class: 'agenda-row' }, [
          el('span', { class: 'agenda-title', text: it.title }),
          el('span', { class: 'badge', text: T.status[it.status] || it.status })
        ])
      ];
      if (!open) {
        rows.push(el('div', { class: 'composer-actions' }, [
          el('button', { type: 'button', class: 'secondary big-button', testid: 'chair-shelve-' + it.id, text: T.shelve,
            onclick: function () { ui.setAside = { item_id: it.id, action: 'defer_item' }; K.render(); focusReason(); } }),
          el('button', { type: 'button', class: 'secondary big-button', testid: 'chair-withdraw-' + it.id, text: T.withdraw,
            onclick: function () { ui.setAside = { item_id: it.id, action: 'withdraw_item' }; K.render(); focusReason(); } })
        ]));
      } else {
        var area = el('textarea', { class: 'reason', id: 'set-aside-reason', testid: 'set-aside-reason', rows: 2, maxlength: 2000 });
        area.value = ui.setAside.reason || '';
        area.addEventListener('input', function () { ui.setAside.reason = area.value; });
        rows.push(el('label', { class: 'dialog-label' }, [
          (ui.setAside.action === 'defer_item' ? T.shelve : T.withdraw) + ' · ' + T.setAsideReason, area]));
        rows.push(el('div', { class: 'composer-actions' }, [
          el('button', { type: 'button', class: 'secondary big-button', text: T.setAsideCancel,
            onclick: function () { ui.setAside = null; K.render(); } }),
          el('button', { type: 'button', class: 'danger big-button', testid: 'set-aside-confirm', text: T.setAsideOk,
            onclick: function (e) { setAside(it, e.currentTarget); } })
        ]));
      }
      return el('li', { class: 'pending-row', testid: 'chair-pending-' + it.id }, rows);
    }));
  }

  function focusReason() { var a = $('set-aside-reason'); if (a) { a.focus(); } }

  function setAside(it, button) {
    var reason = (ui.setAside.reason || '').trim();
    if (!reason) { R.showError(T.setAsideNeed); focusReason(); return; }
    button.disabled = true;
    K.room.act(ui.setAside.action, { item_id: it.id, reason: reason }).then(function (ack) {
      button.disabled = false;
      if (ack.ok) { ui.setAside = null; R.showNotice(T.setAside); K.render(); }
      else { R.showError(ack.error); }
    });
  }

  K.renderChairRoom = renderChairRoom;
})(window.YishiTablet);
