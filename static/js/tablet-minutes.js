/* Yishi (议事) — the minutes on the tablet, after the meeting (the card #minutes of templates/tablet.html).
 * tablet.js calls YishiTabletMinutes.update(state) on every render; once the meeting is closed this asks the server
 * (GET /minutes/tablet/<token>, the personal link's token being the only credential: no cookie is sent) whether the
 * minutes await approval, what is still open, what this person may read; the chair approves after a confirmation
 * (POST /minutes/tablet/<token>/approve). The server decides everything; this file only shows it.
 */
(function () {
  'use strict';

  var T = window.YishiRoom.strings('minutes');  // meeting/js_strings.py, in the page's language
  var R = window.YishiRoom;
  var el = R.el;
  var script = document.currentScript;
  var URL_OVERVIEW = script.dataset.url;
  var URL_APPROVE = script.dataset.approveUrl;

  function $(id) { return document.getElementById(id); }
  function fmt(s, o) { return String(s).replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ''; }); }

  var box = { asked: false, info: null, busy: false };

  /** Same-origin JSON, never with cookies: the token in the URL is the credential. */
  function request(method, url) {
    return fetch(url, { method: method, credentials: 'omit', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (resp) { return resp.json(); });
  }

  function load() {
    box.asked = true;
    $('minutes-status').textContent = T.loading;
    request('GET', URL_OVERVIEW).then(function (res) {
      if (res && res.ok) { show(res.minutes); } else { $('minutes-status').textContent = R.errorText(res && res.error) || T.failed; }
    }).catch(function () {
      box.asked = false;  // try again with the next render
      $('minutes-status').textContent = T.failed;
    });
  }

  function statusText(info) {
    if (info.status === 'draft') { return info.is_chair ? T.awaitYou : T.awaitChair; }
    return fmt(info.status === 'archived' ? T.archived : T.approved, { at: info.approved_at, by: info.approved_by });
  }

  function show(info) {
    box.info = info;
    var card = $('minutes');
    card.hidden = false;
    card.dataset.status = info.status;
    $('minutes-status').textContent = statusText(info);

    var open = $('minutes-open');
    var stillOpen = info.status === 'draft' && info.open_items.length > 0;
    open.hidden = !stillOpen;
    open.textContent = stillOpen ? fmt(T.openItems, { titles: info.open_items.join(T.sep) }) +
      (info.may_approve ? T.openItemsChair : '') : '';

    var reads = info.read.map(function (r) {
      var label = r.label + (info.status === 'draft' && r.kind !== 'record' ? T.draft : '');
      return el('li', {}, [el('a', { href: r.url, class: 'button secondary big-link', testid: 'minutes-read-' + r.kind,
                                       text: fmt(T.read, { label: label }) })]);
    });
    if (!reads.length && !info.documents.length) { reads.push(el('li', { class: 'muted', text: T.nothingYet })); }
    R.replace($('minutes-read'), reads);

    var missing = $('minutes-missing');
    var lacking = info.status === 'draft' && !stillOpen && (info.missing_decisions || []).length > 0;
    missing.hidden = !lacking;
    missing.textContent = lacking ? fmt(T.missing, { items: info.missing_decisions.join(T.missingSep) }) : '';
    if (lacking && info.is_chair) { $('minutes-status').textContent = T.awaitDecisions; }

    $('minutes-approve-box').hidden = !info.may_approve || lacking;
    $('minutes-approve').disabled = !info.may_approve_now || box.busy;

    var docs = $('minutes-docs');
    docs.hidden = !info.documents.length;
    R.replace(docs, info.documents.map(function (d) {
      return el('li', {}, [el('a', { href: d.url, testid: 'minutes-doc-' + d.kind + '-' + d.version,
                                       text: fmt(T.download, { label: d.label, version: d.version }) })]);
    }));
  }

  function approve() {
    if (box.busy || !box.info || !box.info.may_approve_now) { return; }
    R.dialog({ title: T.confirmTitle, body: el('p', { text: T.confirmText }), okText: T.confirmOk }).then(function (ok) {
      if (!ok) { return; }
      box.busy = true;
      $('minutes-approve').disabled = true;
      request('POST', URL_APPROVE).then(function (res) {
        box.busy = false;
        if (res && res.ok) {
          show(res.minutes);
          R.showNotice(T.approvedNotice);
        } else {
          R.showError(res && res.error);
          load();  // the refusal may mean the minutes changed meanwhile: show them as they are now
        }
      }).catch(function () {
        box.busy = false;
        $('minutes-approve').disabled = false;
        R.showError(T.offline);
      });
    });
  }

  $('minutes-approve').addEventListener('click', approve);

  window.YishiTabletMinutes = {
    /** Called by tablet.js with each room state: the card exists only once the meeting is closed. */
    update: function (state) {
      var closed = !!state && state.meeting && state.meeting.status === 'closed';
      if (!closed) { $('minutes').hidden = true; return; }
      if (!box.asked) { load(); }
    },
    reload: load
  };
})();
