/* Yishi (议事) — the secretary's console: roster and roll call, the quorum meter, the agenda, and the controls of
 * the current item. Every figure comes from the server's "full" state; every refusal is shown as the server's
 * one-sentence Chinese message with its source. Loaded in this order (templates/console.html), one namespace
 * window.YishiConsole shared by the parts, no build step:
 *   console-kit.js   the page's strings and settings, the shared state, running an action
 *   console-item.js  the current item: its controls, recusals, written opinions, notes; the last result
 *   floor-timer.js, console-floor.js  发言申请 and the speaker's time, where the body uses them
 *   console.js       the connection, the render, the meeting, the quorum, the roster, the agenda, the shortcuts
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

  /** Run an action; a refusal shows the server's sentence and its source. Buttons are disabled meanwhile. */
  function act(name, payload, button, okText) {
    if (button) { button.disabled = true; }
    return window.YishiConsole.room.act(name, payload).then(function (ack) {
      if (button) { button.disabled = false; }
      if (ack.ok) { R.hideError(); if (okText) { R.showNotice(okText); } }
      else { R.showError(ack.error); }
      window.YishiConsole.render();
      return ack;
    });
  }

  function live(cur) { return cur && (cur.status === 'open' || cur.status === 'voting'); }

  function current() { var s = window.YishiConsole.room.state; return s && live(s.current) ? s.current : null; }

  function nextPending(s) {
    var pending = s.agenda.filter(function (it) { return it.status === 'pending'; });
    var ready = pending.filter(function (it) { return !(it.missing_steps || []).length; });
    return ready[0] || pending[0] || null;
  }

  function openItem(it, button) { act('open_item', { item_id: it.id }, button, T.opened); }

  /** The room connection (console.js sets it before the first render), read by every part when it acts. */
  window.YishiConsole = {
    T: T, R: R, el: el, $: $, fmt: fmt, ui: ui, room: null, render: null,
    MEETING_ID: MEETING_ID, ZONE: ZONE, MATERIAL_BASE: MATERIAL_BASE,
    scanUrl: scanUrl, act: act, live: live, current: current, nextPending: nextPending, openItem: openItem
  };
})();
