/* Yishi (议事) — the tablet: members, the chair, observers. Loaded in this order (templates/tablet.html), one
 * namespace window.YishiTablet shared by the parts, no build step:
 *   tablet-kit.js      the page's strings and settings, the shared state, facts derived from the server's state
 *   tablet-viewer.js   materials inside the page (pdf.js)
 *   tablet-opinion.js  the opinion composer; written opinions of absent members
 *   tablet-chair.js    the chair's panel; the last result
 *   tablet-chair-room.js  the chair: who is offline, items not yet opened deferred or withdrawn (deadends)
 *   tablet.js          the connection, the render, the rest of the page
 * Renders the room state the server sends; never computes a rule (counts, chair_may_speak, results all come
 * from the server). An opinion is pending until the server acknowledges it, then "已记录 HH:MM:SS".
 */
(function () {
  'use strict';

  var T = window.YishiRoom.strings('tablet');  // meeting/js_strings.py, in the page's language

  var R = window.YishiRoom;
  var el = R.el;
  var script = document.currentScript;
  var TOKEN = script.dataset.token;
  var KIND = script.dataset.kind;
  var ZONE = script.dataset.zone || 'Asia/Shanghai';
  var MATERIAL_BASE = (script.dataset.materialUrl || '/materials/0').replace(/0$/, '');
  var IS_CHAIR = KIND === 'chair';
  var IS_OBSERVER = KIND === 'observer';

  function $(id) { return document.getElementById(id); }
  function fmt(s, o) { return String(s).replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ''; }); }
  function stanceLabel(s) { return T.stance[s] || s; }

  var ui = {
    itemKey: null,
    stance: null,       // the stance being composed
    composing: false,
    correcting: false,
    deferOpen: false,
    writtenOpen: false,
    writtenForms: {},   // item_id → {node, stance, status}
    viewing: null,      // material id shown in the viewer
    agendaLive: null,
    detail: null,       // the current item's summary, materials, history (asked for; see withDetail)
    detailAsked: null   // the detail_version last asked for
  };

  var CLOSED = script.dataset.closed === '1';  // the meeting is over: this page shows its end and the minutes

  // ------------------------------------------------------------------ derived (from server facts only)

  function myOpinion(s, me) {
    var cur = s.current;
    if (!cur || !me || !me.opinions) { return null; }
    var o = me.opinions[String(cur.id)];
    return o && o.round === cur.round ? o : null;
  }

  function isRecused(s, me) {
    var cur = s.current;
    if (!cur || !me) { return false; }
    return (cur.recused_person_ids || []).indexOf(me.person_id) >= 0 || (me.recused_item_ids || []).indexOf(cur.id) >= 0;
  }

  function live(cur) { return cur && (cur.status === 'open' || cur.status === 'voting'); }

  /** Do I preside over the item under way? The chair — or, when the chair is recused from it, the acting chair
   *  the server names (current.presiding_person_id): he speaks last, may defer and decide. */
  function presides() {
    var cur = K.room.state && K.room.state.current;
    var me = K.room.me;
    if (live(cur) && me && cur.presiding_person_id !== undefined) { return cur.presiding_person_id === me.person_id; }
    return IS_CHAIR;
  }

  /** May I press an opinion button now? Straight from the server's progress flags. */
  function mayAct(cur) {
    var p = (cur && cur.progress) || {};
    if (!cur || cur.status !== 'voting') { return false; }
    if (presides()) { return !!p.chair_may_speak; }
    return !p.chair_has_spoken;
  }


  function addPhrase(area, text) {
    var v = area.value.trim();
    area.value = v ? (v.indexOf(text) >= 0 ? v : v + T.phraseSep + text) : text;
    area.focus();
  }

  /** The room connection (tablet.js sets it before the first render), read by every part when it acts. */
  var K = window.YishiTablet = {
    T: T, R: R, el: el, $: $, fmt: fmt, ui: ui, room: null,
    TOKEN: TOKEN, KIND: KIND, ZONE: ZONE, MATERIAL_BASE: MATERIAL_BASE, IS_CHAIR: IS_CHAIR, IS_OBSERVER: IS_OBSERVER,
    CLOSED: CLOSED,
    stanceLabel: stanceLabel, myOpinion: myOpinion, isRecused: isRecused, live: live, presides: presides,
    mayAct: mayAct, addPhrase: addPhrase
  };
})();
