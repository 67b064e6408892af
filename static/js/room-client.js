/* Yishi (议事) — the one connection helper shared by the console, the tablets and the projector.
 *
 * The server is the authority: this file only keeps the last room state it was sent, merges the small
 * `progress` events into it, and tells the page to re-render. It never computes a rule.
 *
 *   var room = YishiRoom.connect({auth: {token: "…"} | {meeting_id: 1}, initial: {state, me},
 *                                 zone: "Asia/Shanghai", storageKey: "…", onChange: function (room) {…}});
 *   room.act(name, payload)            → Promise of the acknowledgement ({ok: true, …} | {ok: false, error})
 *   room.sendOpinion({item_id, round, stance, reason})  → Promise of the ack; resent with the SAME client_id
 *                                        after a reconnect until the server answers (it never counts twice)
 *   room.pendingFor(action, item_id)   → the unacknowledged record, or null
 */
(function (global) {
  'use strict';

  // The page's language (templates/base.html sets <html lang="zh-CN"|"en">): Chinese first, English second.
  var LANG = global.document && global.document.documentElement.lang === 'en' ? 'en' : 'zh';

  // The page's strings (meeting/js_strings.py, from the translation catalogue in the locale of the request) come in
  // a JSON data block, <script type="application/json" id="yishi-strings">; each script reads its part of it.
  var STRINGS = readJson('yishi-strings');
  function strings(part) { return STRINGS[part] || {}; }

  function readJson(id) {
    var node = global.document && global.document.getElementById(id);
    if (!node) { return {}; }
    try { return JSON.parse(node.textContent); } catch (e) { return {}; }
  }

  var T = strings('room');

  // The room state carries the Chinese names of the codes of voting/vocabulary.py (…_label, missing_steps). On a
  // page in another language they are shown through the catalogue's translations (the part "vocabulary").
  var VOCABULARY = strings('vocabulary');

  /** A vocabulary label from the server, in the page's language (unknown text is shown as it came). */
  function tr(text) {
    if (text && Object.prototype.hasOwnProperty.call(VOCABULARY, text)) { return VOCABULARY[text]; }
    return text;
  }

  function fmt(s, o) {
    return String(s).replace(/\{(\w+)\}/g, function (_, k) { return o && o[k] !== undefined && o[k] !== null ? o[k] : ''; });
  }

  var ACK_TIMEOUT = 10000;
  var RETRY_DELAY = 3000;
  var CLIENT_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

  // ------------------------------------------------------------------ small helpers

  function newClientId() {
    var id = '';
    try {
      if (global.crypto && typeof global.crypto.randomUUID === 'function') {
        id = global.crypto.randomUUID();
      }
    } catch (e) { id = ''; }
    if (!CLIENT_ID_RE.test(id)) {
      var bytes = new Uint8Array(16);
      if (global.crypto && global.crypto.getRandomValues) {
        global.crypto.getRandomValues(bytes);
      } else {
        for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
      }
      id = Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
    }
    return id;
  }

  /** "14:32:05" in the meeting's zone, 24-hour, from an ISO time the server sent. */
  function fmtTime(iso, zone, withSeconds) {
    if (!iso) { return ''; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return String(iso); }
    var opts = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (withSeconds !== false) { opts.second = '2-digit'; }
    try {
      opts.timeZone = zone || 'Asia/Shanghai';
      return new Intl.DateTimeFormat('zh-CN', opts).format(d);
    } catch (e) {
      var p = function (n) { return ('0' + n).slice(-2); };
      return p(d.getHours()) + ':' + p(d.getMinutes()) + (withSeconds === false ? '' : ':' + p(d.getSeconds()));
    }
  }

  /** A refusal as one sentence naming its source: "…（依据：《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）2）。" / "… (source: …)." */
  function errorText(err) {
    if (!err) { return T.serverError; }
    var msg = String(err.message || T.serverError).trim();
    if (err.source && msg.indexOf(err.source) < 0) {
      var end = /[。.！!]$/.test(msg) ? msg.slice(-1) : (LANG === 'en' ? '.' : '。');
      if (/[。.！!]$/.test(msg)) { msg = msg.slice(0, -1); }
      msg = msg + fmt(T.source, { source: err.source }) + end;
    }
    return msg;
  }

  /** Build an element: el('button', {class: 'x', dataset: {testid: 'y'}, onclick: fn}, ['text', node]). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    attrs = attrs || {};
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k === 'class') { node.className = v; }
      else if (k === 'text') { node.textContent = v; }
      else if (k === 'testid') { node.setAttribute('data-testid', v); }
      else if (k === 'dataset') { Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; }); }
      // through the CSSOM: a style="" attribute is inline style, which the page's CSP refuses
      else if (k === 'style') { Object.keys(v).forEach(function (p) { node.style[p] = v[p]; }); }
      else if (k.slice(0, 2) === 'on' && typeof v === 'function') { node.addEventListener(k.slice(2), v); }
      else if (v === true) { node.setAttribute(k, ''); }
      else { node.setAttribute(k, v); }
    });
    (Array.isArray(children) ? children : (children === undefined ? [] : [children])).forEach(function (c) {
      if (c === null || c === undefined || c === false) { return; }
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return node;
  }

  function clear(node) { while (node && node.firstChild) { node.removeChild(node.firstChild); } return node; }

  /** Replace a region's children, keeping keyboard focus on the element with the same data-testid. */
  function replace(node, children) {
    if (!node) { return; }
    var active = document.activeElement;
    var key = active && node.contains(active) ? active.getAttribute('data-testid') : null;
    clear(node);
    (Array.isArray(children) ? children : [children]).forEach(function (c) { if (c) { node.appendChild(c); } });
    if (key) {
      var again = node.querySelector('[data-testid="' + key + '"]');
      if (again && typeof again.focus === 'function') { again.focus(); }
    }
  }

  function show(node, visible) { if (node) { node.hidden = !visible; } }

  // ------------------------------------------------------------------ toasts and dialogs

  var errorTimer = null;
  var noticeTimer = null;

  function toastRegion() {
    var region = document.getElementById('toasts');
    if (!region) {
      region = el('div', { id: 'toasts', class: 'toasts' });
      document.body.appendChild(region);
    }
    return region;
  }

  function showError(err) {
    var box = document.querySelector('[data-testid="error-message"]');
    if (!box) {
      box = el('div', { class: 'toast toast-error', role: 'alert', testid: 'error-message', hidden: true });
      toastRegion().appendChild(box);
    }
    var text = typeof err === 'string' ? err : errorText(err);
    replace(box, [
      el('span', { class: 'toast-text', text: text }),
      el('button', { type: 'button', class: 'toast-close', text: T.dismiss, onclick: function () { box.hidden = true; } })
    ]);
    box.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(function () { box.hidden = true; }, 15000);
    return text;
  }

  function hideError() {
    var box = document.querySelector('[data-testid="error-message"]');
    if (box) { box.hidden = true; }
  }

  function showNotice(text) {
    var box = document.querySelector('[data-testid="notice-message"]');
    if (!box) {
      box = el('div', { class: 'toast toast-ok', role: 'status', testid: 'notice-message', hidden: true });
      toastRegion().appendChild(box);
    }
    box.textContent = text;
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  /**
   * A modal dialog. opts: {title, body: Node|[Node], okText, danger, collect: function () → value | false}.
   * Resolves with collect()'s value (or true), or null when cancelled. collect may return false to keep it open.
   */
  function dialog(opts) {
    return new Promise(function (resolve) {
      var dlg = el('dialog', { class: 'room-dialog', testid: 'dialog', 'aria-label': opts.title || '' });
      var form = el('form', { method: 'dialog', class: 'dialog-form' });
      var problem = el('p', { class: 'dialog-problem', role: 'alert', hidden: true, testid: 'dialog-problem' });
      var cancel = el('button', { type: 'button', class: 'secondary', testid: 'dialog-cancel', text: opts.cancelText || T.cancel });
      var ok = el('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary', testid: 'dialog-ok', text: opts.okText || T.ok });
      form.appendChild(el('h2', { class: 'dialog-title', text: opts.title || '' }));
      (Array.isArray(opts.body) ? opts.body : [opts.body]).forEach(function (b) { if (b) { form.appendChild(b); } });
      form.appendChild(problem);
      form.appendChild(el('div', { class: 'dialog-actions' }, [cancel, ok]));
      dlg.appendChild(form);
      document.body.appendChild(dlg);
      var done = false;
      function finish(value) {
        if (done) { return; }
        done = true;
        try { dlg.close(); } catch (e) { /* already closed */ }
        dlg.remove();
        resolve(value);
      }
      cancel.addEventListener('click', function () { finish(null); });
      dlg.addEventListener('cancel', function (e) { e.preventDefault(); finish(null); });
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var value = opts.collect ? opts.collect(function (msg) { problem.textContent = msg; problem.hidden = false; }) : true;
        if (value === false) { return; }
        finish(value);
      });
      dlg.showModal();
      var first = form.querySelector('textarea, input, select');
      if (first) { first.focus(); } else { ok.focus(); }
    });
  }

  /** Ask for a reason in a dialog. Resolves with the trimmed text, or null when cancelled. */
  function askReason(title, label, opts) {
    opts = opts || {};
    var area = el('textarea', { rows: 3, class: 'dialog-reason', testid: 'dialog-reason', maxlength: opts.maxlength || 500 });
    if (opts.value) { area.value = opts.value; }
    var body = [el('label', { class: 'dialog-label' }, [label, area])];
    if (opts.hint) { body.unshift(el('p', { class: 'muted', text: opts.hint })); }
    return dialog({
      title: title, body: body, okText: opts.okText, danger: opts.danger,
      collect: function (complain) {
        var v = area.value.trim();
        if (opts.required && !v) { complain(opts.requiredText || label); area.focus(); return false; }
        return v;
      }
    });
  }

  // ------------------------------------------------------------------ the connection

  function loadPending(key) {
    if (!key) { return []; }
    try {
      var raw = global.localStorage.getItem(key);
      var list = raw ? JSON.parse(raw) : [];
      return Array.isArray(list) ? list.filter(function (r) { return r && CLIENT_ID_RE.test(r.payload && r.payload.client_id || ''); }) : [];
    } catch (e) { return []; }
  }

  function connect(opts) {
    var room = {
      state: (opts.initial && opts.initial.state) || null,
      me: (opts.initial && opts.initial.me) || null,
      connected: false,
      everConnected: false,
      refused: null,
      zone: opts.zone || 'Asia/Shanghai',
      socket: null
    };
    var storageKey = opts.storageKey ? 'yishi:pending:' + opts.storageKey : null;
    var pending = loadPending(storageKey);      // [{action, payload, label, since}] — unacknowledged sends
    var inFlight = {};                          // client_id → true while an emit awaits its ack
    var waiters = {};                           // client_id → [resolve]
    var syncing = false;
    var banner = document.querySelector('[data-testid="conn-banner"]');
    if (!banner) {
      banner = el('div', { class: 'conn-banner', role: 'status', 'aria-live': 'assertive', testid: 'conn-banner', hidden: true });
      document.body.insertBefore(banner, document.body.firstChild);
    }

    function changed() {
      if (typeof opts.onChange === 'function') {
        try { opts.onChange(room); } catch (e) { if (global.console) { global.console.error(e); } }
      }
    }

    function setBanner(text, kind) {
      if (!text) { banner.hidden = true; banner.textContent = ''; document.body.classList.remove('is-offline'); return; }
      banner.textContent = text;
      banner.className = 'conn-banner' + (kind ? ' conn-' + kind : '');
      banner.hidden = false;
      document.body.classList.add('is-offline');
    }

    function savePending() {
      if (!storageKey) { return; }
      try {
        if (pending.length) { global.localStorage.setItem(storageKey, JSON.stringify(pending)); }
        else { global.localStorage.removeItem(storageKey); }
      } catch (e) { /* private mode: the in-memory copy still resends */ }
    }

    function newer(a, b) {
      if (!a || !b || !a.server_time || !b.server_time) { return true; }
      return Date.parse(a.server_time) >= Date.parse(b.server_time);
    }

    function setState(state) {
      if (!state) { return; }
      if (!newer(state, room.state)) { return; }
      room.state = state;
      checkMine();
    }

    /** Our own roster line changed (e.g. the secretary marked us present): fetch a fresh personal block. */
    var mineTimer = null;
    function checkMine() {
      if (!room.me || !room.state || !room.state.roster) { return; }
      var line = room.state.roster.filter(function (r) { return r.person_id === room.me.person_id; })[0];
      if (line && line.attendance !== room.me.attendance) {
        clearTimeout(mineTimer);
        mineTimer = setTimeout(sync, 300);
      }
    }

    function mergeProgress(p) {
      var cur = room.state && room.state.current;
      if (!p || !cur) { return; }
      if (cur.id !== p.item_id || cur.round !== p.round) {
        sync();  // our state is behind: ask for the room as it is now
        return;
      }
      var keys = ['item_id', 'round', 'spoken', 'eligible', 'waiting', 'chair_may_speak', 'chair_has_spoken', 'can_still_pass'];
      var prog = Object.assign({}, cur.progress || {});
      keys.forEach(function (k) { if (k in p) { prog[k] = p[k]; } });
      cur.progress = prog;
      if (p.opinions) { cur.opinions = p.opinions; }
      if (p.tally) { cur.tally = p.tally; }
      if (p.not_spoken) { cur.not_spoken = p.not_spoken; }
    }

    function isUp() { return !!(room.socket && room.socket.connected); }

    function sync() {
      if (!isUp() || syncing) { return; }
      syncing = true;
      room.socket.timeout(ACK_TIMEOUT).emit('sync', {}, function (err, resp) {
        syncing = false;
        if (err || !resp || !resp.ok) { return; }
        setState(resp.state);
        if ('me' in resp) { room.me = resp.me; }
        changed();
      });
    }

    function emitAck(name, payload, timeout) {
      return new Promise(function (resolve) {
        if (!isUp()) {
          resolve({ ok: false, error: { code: 'offline', message: T.offline } });
          return;
        }
        room.socket.timeout(timeout || ACK_TIMEOUT).emit(name, payload || {}, function (err, resp) {
          if (err) { resolve({ ok: false, error: { code: 'timeout', message: T.timeout } }); return; }
          if (!resp || typeof resp !== 'object') { resolve({ ok: false, error: { code: 'server_error', message: T.serverError } }); return; }
          resolve(resp);
        });
      });
    }

    /** Send an action and wait for its acknowledgement. Never rejects: a refusal resolves {ok: false, error}. */
    room.act = function (name, payload, options) {
      return emitAck(name, payload, options && options.timeout);
    };

    // -- reliable sends (opinions, written opinions): same client_id until the server answers
    function settle(record, ack) {
      var id = record.payload.client_id;
      pending = pending.filter(function (r) { return r.payload.client_id !== id; });
      savePending();
      delete inFlight[id];
      if (ack.ok && record.action === 'give_opinion' && ack.opinion && room.me) {
        var o = ack.opinion;
        room.me.opinions = room.me.opinions || {};
        room.me.opinions[String(o.item_id)] = {
          round: o.round, stance: o.stance, stance_label: o.stance_label, reason: o.reason,
          version: o.version, at: fmtTime(o.at, room.zone, true)
        };
      }
      var list = waiters[id] || [];
      delete waiters[id];
      if (!ack.ok && !list.length) { showError(ack.error); }  // a resend after a reload: nobody else will say it
      list.forEach(function (resolve) { resolve(ack); });
      changed();
    }

    function transmit(record) {
      var id = record.payload.client_id;
      if (!isUp() || inFlight[id]) { return; }
      inFlight[id] = true;
      room.socket.timeout(ACK_TIMEOUT).emit(record.action, record.payload, function (err, resp) {
        delete inFlight[id];
        if (err || !resp || typeof resp !== 'object') {
          // no answer yet: keep it pending; resend with the same client_id (the server counts it once)
          if (isUp()) { setTimeout(function () { transmit(record); }, RETRY_DELAY); }
          return;
        }
        settle(record, resp);
      });
    }

    function flushPending() { pending.slice().forEach(transmit); }

    room.sendReliable = function (action, payload, label) {
      var record = {
        action: action,
        payload: Object.assign({}, payload, { client_id: newClientId() }),
        label: label || '',
        since: new Date().toISOString()
      };
      pending = pending.filter(function (r) {
        return !(r.action === action && r.payload.item_id === record.payload.item_id);
      });
      pending.push(record);
      savePending();
      var promise = new Promise(function (resolve) {
        (waiters[record.payload.client_id] = waiters[record.payload.client_id] || []).push(resolve);
      });
      changed();
      transmit(record);
      return promise;
    };

    room.sendOpinion = function (payload) { return room.sendReliable('give_opinion', payload); };

    room.pendingFor = function (action, itemId) {
      for (var i = pending.length - 1; i >= 0; i--) {
        if (pending[i].action === action && pending[i].payload.item_id === itemId) { return pending[i]; }
      }
      return null;
    };

    room.sync = sync;
    room.fmtTime = function (iso, withSeconds) { return fmtTime(iso, room.zone, withSeconds); };

    // -- the socket
    if (typeof global.io !== 'function') {
      setBanner(T.reconnecting, 'down');
      return room;
    }
    var socket = global.io({
      auth: opts.auth || {},
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000
    });
    room.socket = socket;
    global.YishiRoom.current = room;  // for the browser tests and the developer console

    var slowStart = setTimeout(function () { if (!room.connected && !room.refused) { setBanner(T.connecting, 'wait'); } }, 2000);

    // socket.io delivers the server's snapshot (sent from its connect handler) just before "connect" fires
    function up() {
      room.connected = true;
      room.refused = null;
      clearTimeout(slowStart);
      setBanner(null);
    }
    socket.on('connect', function () {
      up();
      changed();
      flushPending();
    });
    socket.on('disconnect', function (reason) {
      room.connected = false;
      inFlight = {};
      setBanner(T.reconnecting, 'down');
      changed();
      if (reason === 'io server disconnect') {
        // the server ended this socket (the meeting closed, the link was withdrawn, the sign-in ended): the page,
        // reloaded, shows what now applies (the page for after the meeting, the refusal, the sign-in page)
        setTimeout(function () { global.location.reload(); }, 500);
      }
    });
    socket.on('connect_error', function (err) {
      room.connected = false;
      clearTimeout(slowStart);
      if (!socket.active) {
        // the server refused us (unknown or expired link, not signed in): no automatic retry
        var data = err && err.data;
        room.refused = data || { message: (err && err.message) || '' };
        setBanner(T.refused + errorText(data || { message: (err && err.message) || '' }), 'refused');
      } else {
        setBanner(T.reconnecting, 'down');
      }
      changed();
    });
    socket.on('snapshot', function (snap) {
      if (!snap) { return; }
      room.everConnected = true;
      up();
      room.state = snap.state || room.state;  // a snapshot is the room as it is now
      if ('me' in snap) { room.me = snap.me; }
      changed();
      flushPending();
    });
    socket.on('state', function (state) { setState(state); changed(); });
    socket.on('progress', function (p) { mergeProgress(p); changed(); });
    socket.on('me', function (me) { if (me) { room.me = me; } changed(); });

    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState !== 'visible') { return; }
      if (room.connected) { sync(); } else if (!room.refused && !socket.active) { socket.connect(); }
    });
    global.addEventListener('online', function () { if (!room.connected && !room.refused) { socket.connect(); } });

    return room;
  }

  global.YishiRoom = {
    T: T,
    lang: LANG,
    tr: tr,
    connect: connect,
    el: el,
    clear: clear,
    replace: replace,
    show: show,
    fmtTime: fmtTime,
    errorText: errorText,
    showError: showError,
    hideError: hideError,
    showNotice: showNotice,
    dialog: dialog,
    askReason: askReason,
    newClientId: newClientId,
    strings: strings,
    initial: function (id) { return readJson(id || 'initial-state'); }
  };
})(window);
