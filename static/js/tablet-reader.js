/* Yishi (议事) — the tablet (see tablet-kit.js): the PDF reader on top of the viewer (tablet-viewer.js).
 *
 * - page buttons (上一页 / 下一页) beside the counter "第 x / y 页", and zoom (缩小 / 适合宽度 / 放大);
 * - a watermark with the reader's name and the time over every page (pointer-transparent, above the canvas);
 * - 跟随翻页: when the presenter (the secretary, on the console) turns a page, the server tells the room
 *   ("page_turned": material, page); a tablet that follows and has that material open turns to it. Turning a page
 *   oneself leaves following; the toggle rejoins it, at the presenter's page of the moment.
 */
(function (K) {
  'use strict';

  var R = K.R, el = K.el, $ = K.$, fmt = K.fmt;
  var T = window.YishiRoom.strings('reader');
  var reader = K.pdfReader;
  if (!reader) { return; }

  var following = true;
  var presented = {};  // material id → the page the presenter showed last
  var bar = null;      // the reader's buttons while a PDF is open
  var marks = [];      // the watermark nodes of the open PDF
  var clock = 0;

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function now() {
    var d = new Date();
    return d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }
  function readerName() { var n = $('me-name'); return n ? n.textContent.trim() : ''; }

  function watermarkText() { return fmt(T.watermark, { name: readerName(), time: now() }); }

  function addWatermarks(view) {
    marks = [];
    var text = watermarkText();
    view.pages.forEach(function (p) {
      var mark = el('div', { class: 'pdf-watermark', 'aria-hidden': 'true', testid: 'pdf-watermark' });
      for (var i = 0; i < 6; i++) { mark.appendChild(el('span', { text: text })); }
      p.node.appendChild(mark);
      marks.push(mark);
    });
    clearInterval(clock);
    clock = setInterval(function () {  // the time on the pages stays the time of reading
      var t = watermarkText();
      marks.forEach(function (mark) {
        Array.prototype.forEach.call(mark.childNodes, function (span) { span.textContent = t; });
      });
    }, 30000);
  }

  function button(testid, text, onClick, label) {
    var b = el('button', { type: 'button', class: 'reader-button', testid: testid, text: text, 'aria-label': label || text });
    b.addEventListener('click', onClick);
    return b;
  }

  /** The secretary named this member presenter: his turns are the room's (turn_page), he follows no one. */
  function presenting() {
    var r = K.room;
    return !!(r && r.me && r.state && r.state.meeting && r.state.meeting.presenter_person_id === r.me.person_id);
  }

  function showFollow() {
    if (!bar) { return; }
    var toggle = bar.querySelector('[data-testid="reader-follow"]');
    toggle.disabled = presenting();
    if (presenting()) { toggle.textContent = T.presenting; toggle.setAttribute('aria-pressed', 'false'); return; }
    toggle.textContent = following ? T.following : T.notFollowing;
    toggle.setAttribute('aria-pressed', following ? 'true' : 'false');
    toggle.classList.toggle('is-following', following);
  }

  function turnMyself(delta) {
    var view = reader.view();
    if (!view) { return; }
    if (presenting()) {  // the room turns with him
      var page = Math.min(Math.max(Math.max(view.current, 1) + delta, 1), view.pages.length || 1);
      reader.goTo(page);
      K.room.act('turn_page', { material_id: view.material.id, page: page }).then(function (ack) {
        if (!ack.ok) { R.showError(ack.error); }
      });
      return;
    }
    following = false;  // the member reads on his own now
    showFollow();
    reader.goTo(Math.max(view.current, 1) + delta);
  }

  function followPresenter() {
    var view = reader.view();
    if (following && view && presented[view.material.id]) { reader.goTo(presented[view.material.id]); }
  }

  function addBar(view) {
    bar = el('span', { class: 'reader-bar', testid: 'reader-bar' }, [
      button('reader-prev', T.prev, function () { turnMyself(-1); }),
      button('reader-next', T.next, function () { turnMyself(1); }),
      button('reader-zoom-out', '−', function () { reader.setZoom((reader.view() || {}).zoom / 1.25); }, T.zoomOut),
      button('reader-fit', T.fit, function () { reader.setZoom(1); }),
      button('reader-zoom-in', '+', function () { reader.setZoom((reader.view() || {}).zoom * 1.25); }, T.zoomIn),
      button('reader-follow', T.following, function () {
        following = !following;
        showFollow();
        followPresenter();
      }, T.followHint)
    ]);
    var counter = view.counter;
    counter.parentNode.insertBefore(bar, counter.nextSibling);
    showFollow();
  }

  reader.listen(function (what, view) {
    if (what === 'shown') {
      addBar(view);
      addWatermarks(view);
      followPresenter();
    } else if (what === 'closed') {
      clearInterval(clock);
      marks = [];
      if (bar && bar.parentNode) { bar.parentNode.removeChild(bar); }
      bar = null;
    }
  });

  /** The presented material among the current item's (the tablet has them once it asked for the item's detail;
      a recused member never has them): a following tablet that is not reading it opens it, at the presenter's
      page. Asked again for a few seconds while the detail is on its way (a tablet that has just joined). */
  function openPresented(turn, tries) {
    var view = reader.view();
    if (!following || (view && view.material.id === turn.material_id)) { return; }
    var cur = K.room && K.room.state && K.room.state.current;
    var m = cur && cur.id === turn.item_id && (cur.materials || []).filter(function (x) { return x.id === turn.material_id; })[0];
    if (m) { K.openViewer(m); }  // 'shown' then goes to the presenter's page (followPresenter)
    else if (tries > 0) { setTimeout(function () { openPresented(turn, tries - 1); }, 250); }
  }

  function onTurn(turn) {
    if (!turn || !turn.material_id) { return; }
    presented[turn.material_id] = turn.page;
    var view = reader.view();
    if (following && view && view.material.id === turn.material_id && view.pages.length) { reader.goTo(turn.page); }
    else { openPresented(turn, 20); }
  }

  function attach() {
    var room = R.current;
    if (!room || !room.socket) { return false; }
    room.socket.on('page_turned', onTurn);
    // named presenter or not: the bar says so as soon as the room's state does (after the client has taken it in)
    ['state', 'snapshot'].forEach(function (name) { room.socket.on(name, function () { setTimeout(showFollow, 0); }); });
    return true;
  }
  if (!attach()) { document.addEventListener('DOMContentLoaded', attach); }

  // for the browser tests
  K.reader = { following: function () { return following; }, presented: function () { return presented; } };
})(window.YishiTablet);
