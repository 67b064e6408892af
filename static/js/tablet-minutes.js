/* Yishi (议事) — the minutes on the tablet, after the meeting (the card #minutes of templates/tablet.html).
 * tablet.js calls YishiTabletMinutes.update(state) on every render; once the meeting is closed this asks the server
 * (GET /minutes/tablet/<token>, the personal link's token being the only credential: no cookie is sent) whether the
 * minutes await approval, what is still open, what this person may read; the chair approves after a confirmation
 * (POST /minutes/tablet/<token>/approve). The server decides everything; this file only shows it.
 */
(function () {
  'use strict';

  var ZH = {
    loading: '正在读取会议纪要…',
    awaitYou: '会议纪要草稿已生成，请您审定。',
    awaitChair: '会议纪要草稿已生成，待主持人审定。',
    approved: '会议纪要已于 {at} 审定（{by}），待会议秘书归档。',
    archived: '会议纪要已于 {at} 审定（{by}）并已归档。',
    openItems: '尚有议题未作出决定或暂缓决策，暂不能审定：{titles}。',
    openItemsChair: '请会议秘书处理后再审定。',
    read: '阅读{label}',
    draft: '（草稿）',
    download: '下载{label}（第{version}版，Word）',
    nothingYet: '纪要公开版在纪要审定后公开。',
    failed: '暂时无法读取会议纪要，请稍后刷新页面。',
    confirmTitle: '审定会议纪要',
    confirmText: '审定后，纪要交会议秘书归档，文字不能再直接修改（如需改动，须以更正方式进行并保留记录）。确定审定吗？',
    confirmOk: '确认审定',
    approvedNotice: '纪要已审定。',
    offline: '连接中断，审定未能发送，请稍后再试。',
    sep: '、'
  };

  var EN = {
    loading: 'Loading the minutes…',
    awaitYou: 'The draft minutes are ready for your approval.',
    awaitChair: 'The draft minutes are ready and await the chair\'s approval.',
    approved: 'The minutes were approved on {at} ({by}) and await archiving by the secretary.',
    archived: 'The minutes were approved on {at} ({by}) and have been archived.',
    openItems: 'Items neither decided nor deferred; the minutes cannot be approved yet: {titles}.',
    openItemsChair: 'Please ask the secretary to settle them first.',
    read: 'Read the {label}',
    draft: ' (draft)',
    download: 'Download the {label} (version {version}, Word)',
    nothingYet: 'The public version is published once the minutes are approved.',
    failed: 'The minutes cannot be loaded right now; please reload the page shortly.',
    confirmTitle: 'Approve the minutes',
    confirmText: 'Once approved, the minutes go to the secretary for archiving and their text can no longer be edited directly (any change becomes a recorded correction). Approve now?',
    confirmOk: 'Approve',
    approvedNotice: 'The minutes have been approved.',
    offline: 'The connection is down; the approval was not sent. Please try again shortly.',
    sep: ', '
  };

  var T = document.documentElement.lang === 'en' ? Object.assign({}, ZH, EN) : ZH;
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

    $('minutes-approve-box').hidden = !info.may_approve;
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
