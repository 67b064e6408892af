/* Yishi (议事) — the tablet (see tablet-kit.js): materials inside the page. */
(function (K) {
  'use strict';

  var T = K.T, R = K.R, el = K.el, $ = K.$, fmt = K.fmt, ui = K.ui;
  var MATERIAL_BASE = K.MATERIAL_BASE, TOKEN = K.TOKEN;
  function render() { K.render(); }  // tablet.js

  // ------------------------------------------------------------------ materials inside the page
  //
  // A PDF is drawn by pdf.js (static/vendor/pdfjs, imported the first time a PDF is opened; URLs from
  // <script id="pdfjs-config">) page by page into <canvas> elements: fit to the overlay's width, sharp on high-DPI
  // screens, each page drawn only when it comes near the visible part, and pages far from it freed again so that a
  // long document does not exhaust a tablet's memory. Only if pdf.js cannot be loaded does a PDF go to the
  // browser's own viewer (<iframe>) as before. Images use <img>, plain text an <iframe>.

  var PDFJS = R.initial('pdfjs-config');
  var PDF_MAX_PIXELS = 4096 * 4096;  // per canvas, in device pixels: older tablets fail on larger canvases
  var PDF_MAX_WIDTH = 1400;          // CSS px: pages fit the width of the overlay, up to this
  var PDF_MARGIN = 8;                // CSS px beside the pages (.pdf-page in K.room.css)
  var PDF_KEEP = 6;                  // drawn pages kept while they are out of reach, before the farthest are freed
  var pdfjsLoading = null;           // Promise of the pdf.js module
  var pdf = null;                    // the PDF in the viewer (see openPdf)

  function materialUrl(m, download) {
    return MATERIAL_BASE + m.id + '?token=' + encodeURIComponent(TOKEN) + (download ? '&download=1' : '');
  }

  function openViewer(m) {
    closePdf();
    var body = $('viewer-body');
    var url = materialUrl(m);
    var type = (m.content_type || '').toLowerCase();
    var isPdf = type === 'application/pdf';
    var node;
    if (isPdf) {
      node = el('p', { class: 'viewer-loading', role: 'status', testid: 'material-loading', text: T.pdfLoading });
    } else if (type.indexOf('image/') === 0) {
      node = el('img', { src: url, alt: m.filename, class: 'viewer-image' });
    } else if (type === 'text/plain') {
      node = el('iframe', { src: url, title: m.filename, class: 'viewer-frame viewer-text' });
    } else {
      node = el('p', { class: 'viewer-cannot', text: T.materialCannot });
    }
    R.replace(body, [node]);
    $('viewer-title').textContent = m.filename;
    $('viewer-download').href = materialUrl(m, true);
    ui.viewing = m.id;
    $('viewer').hidden = false;
    document.body.classList.add('viewer-open');
    $('viewer-close').focus();
    if (isPdf) { openPdf(m, url); }  // once the overlay is shown: the pages are sized to its width
  }

  function closeViewer() {
    closePdf();
    ui.viewing = null;
    $('viewer').hidden = true;
    R.clear($('viewer-body'));
    document.body.classList.remove('viewer-open');
  }

  function absoluteUrl(u) { return new URL(u, document.baseURI).href; }  // the worker resolves URLs from itself

  /** window.YishiImport, once static/js/import-module.js (a module script) has run. Module scripts run before
   *  DOMContentLoaded; a PDF opened earlier waits for it. */
  function moduleImport() {
    return new Promise(function (resolve) {
      if (typeof window.YishiImport === 'function' || document.readyState !== 'loading') { resolve(); return; }
      document.addEventListener('DOMContentLoaded', function () { resolve(); });
    }).then(function () {
      if (typeof window.YishiImport !== 'function') { throw new Error('this browser has no module scripts'); }
      return window.YishiImport;
    });
  }

  /** The pdf.js module, loaded once. import() lives in a module file (import-module.js) so that this file stays
   *  ES5 and needs no eval: a browser without dynamic import still runs the room page, and the PDF falls back to
   *  the iframe. */
  function loadPdfjs() {
    if (!pdfjsLoading) {
      pdfjsLoading = moduleImport().then(function (importer) {
        if (!PDFJS.module || !PDFJS.worker) { throw new Error('pdf.js is not configured'); }
        return importer(absoluteUrl(PDFJS.module));
      }).then(function (lib) {
        if (!lib || typeof lib.getDocument !== 'function') { throw new Error('not the pdf.js module'); }
        lib.GlobalWorkerOptions.workerSrc = absoluteUrl(PDFJS.worker);
        return lib;
      });
      pdfjsLoading.then(null, function () { pdfjsLoading = null; });  // try again with the next PDF
    }
    return pdfjsLoading;
  }

  /** The old way, used only when pdf.js cannot be loaded: the browser's own PDF viewer in a frame, or a new tab
   *  where the browser has none (e.g. some Android tablets). */
  function pdfFallback(m, url) {
    if (navigator.pdfViewerEnabled === false) {
      return el('div', { class: 'viewer-cannot' }, [
        el('p', { text: T.pdfCannot }),
        el('a', { class: 'big-link', href: url, target: '_blank', rel: 'noopener', text: T.pdfOpenTab })
      ]);
    }
    return el('iframe', { src: url, title: m.filename, class: 'viewer-frame' });
  }

  function openPdf(m, url) {
    var view = {
      material: m, zoom: 1,  // the reader (tablet-reader.js): which material, and the zoom over fit-to-width
      closed: false, task: null, doc: null, pages: [], wrap: null, counter: null,
      width: 0, current: 0, busy: false, frame: 0, resizeTimer: 0, onScroll: null, onResize: null
    };
    pdf = view;
    loadPdfjs().then(function (lib) {
      if (view.closed) { return; }
      view.task = lib.getDocument({
        url: url,
        cMapUrl: absoluteUrl(PDFJS.cMapUrl),
        cMapPacked: true,
        standardFontDataUrl: absoluteUrl(PDFJS.standardFontDataUrl),
        wasmUrl: absoluteUrl(PDFJS.wasmUrl),
        iccUrl: absoluteUrl(PDFJS.iccUrl),
        isEvalSupported: false,
        enableXfa: false
      });
      view.task.promise.then(function (doc) {
        if (view.closed) { return null; }
        view.doc = doc;
        return doc.getPage(1).then(function (first) { if (!view.closed) { showPages(view, first); } });
      }).then(null, function (err) {
        if (view.closed) { return; }
        if (window.console) { console.warn('PDF material could not be shown:', err); }
        R.replace($('viewer-body'), [el('p', {
          class: 'viewer-cannot', role: 'alert', testid: 'material-error',
          text: err && err.name === 'PasswordException' ? T.pdfPassword : T.pdfFailed
        })]);
      });
    }, function (err) {
      if (view.closed) { return; }
      if (window.console) { console.warn('pdf.js could not be loaded; the browser shows the PDF:', err); }
      R.replace($('viewer-body'), [pdfFallback(m, url)]);
    });
  }

  function closePdf() {
    var view = pdf;
    if (!view) { return; }
    pdf = null;
    view.closed = true;
    if (view.frame) { cancelAnimationFrame(view.frame); }
    clearTimeout(view.resizeTimer);
    if (view.onScroll) { $('viewer-body').removeEventListener('scroll', view.onScroll); }
    if (view.onResize) { window.removeEventListener('resize', view.onResize); }
    view.pages.forEach(freePage);
    tell('closed', view);
    if (view.counter && view.counter.parentNode) { view.counter.parentNode.removeChild(view.counter); }
    if (view.task) { view.task.destroy(); }  // ends the worker and frees the document
  }

  /** One empty box per page, sized from the first page until each page's own size is known. */
  function showPages(view, first) {
    var size = first.getViewport({ scale: 1 });
    view.wrap = el('div', { class: 'pdf-pages', testid: 'material-pages' });
    for (var i = 1; i <= view.doc.numPages; i++) {
      var node = el('div', { class: 'pdf-page', 'data-page': i });
      view.wrap.appendChild(node);
      view.pages.push({ num: i, node: node, proxy: i === 1 ? first : null, ratio: size.height / size.width,
                        sized: i === 1, canvas: null, drawnWidth: 0, task: null, near: false, failed: false });
    }
    view.counter = el('span', { class: 'viewer-pages', testid: 'material-page-count' });
    $('viewer-download').parentNode.insertBefore(view.counter, $('viewer-download'));
    R.replace($('viewer-body'), [view.wrap]);
    view.onScroll = function () { queueUpdate(view); };
    view.onResize = function () {
      clearTimeout(view.resizeTimer);
      view.resizeTimer = setTimeout(function () { relayout(view); }, 150);
    };
    $('viewer-body').addEventListener('scroll', view.onScroll);
    window.addEventListener('resize', view.onResize);
    layoutPages(view);
    updatePdf(view);
    sizePages(view, 2);
    tell('shown', view);
  }

  /** Fit to width: every page as wide as the overlay (less the margins), as tall as its proportions say. */
  function layoutPages(view) {
    var body = $('viewer-body');
    for (var pass = 0; pass < 2; pass++) {  // again if the first pass brought in a scrollbar
      var fit = Math.max(120, Math.floor(Math.min(PDF_MAX_WIDTH, body.clientWidth - 2 * PDF_MARGIN)));
      var width = Math.floor(fit * (view.zoom || 1));
      if (width === view.width) { break; }
      view.width = width;
      view.pages.forEach(function (p) {
        p.node.style.width = width + 'px';
        p.node.style.height = Math.round(width * p.ratio) + 'px';
      });
    }
  }

  function setRatio(view, p, proxy) {
    var size = proxy.getViewport({ scale: 1 });
    var ratio = size.height / size.width;
    p.sized = true;
    if (Math.abs(ratio - p.ratio) > 0.001) {
      p.ratio = ratio;
      p.node.style.height = Math.round(view.width * ratio) + 'px';
      queueUpdate(view);
    }
  }

  /** Learn each page's proportions in the background, one page at a time, so the boxes stop moving early. */
  function sizePages(view, num) {
    if (view.closed || num > view.pages.length) { return; }
    var p = view.pages[num - 1];
    (p.proxy ? Promise.resolve(p.proxy) : view.doc.getPage(num)).then(function (proxy) {
      if (view.closed) { return; }
      p.proxy = proxy;
      if (!p.sized) { setRatio(view, p, proxy); }
      sizePages(view, num + 1);
    }, function () { sizePages(view, num + 1); });
  }

  /** After a rotation or resize: new width, same place in the same page; pages are drawn again as needed. */
  function relayout(view) {
    if (view.closed) { return; }
    var body = $('viewer-body');
    var page = view.pages[Math.max(view.current, 1) - 1].node;
    var before = page.getBoundingClientRect();
    var fraction = (body.getBoundingClientRect().top - before.top) / (before.height || 1);
    layoutPages(view);
    var after = page.getBoundingClientRect();
    body.scrollTop += after.top - body.getBoundingClientRect().top + fraction * after.height;
    updatePdf(view);
  }

  function queueUpdate(view) {
    if (view.frame || view.closed) { return; }
    view.frame = requestAnimationFrame(function () { view.frame = 0; updatePdf(view); });
  }

  /** Which page is being read ("第 3 / 12 页") and which pages are within a screen of the visible part. */
  function updatePdf(view) {
    if (view.closed) { return; }
    var body = $('viewer-body');
    var box = body.getBoundingClientRect();
    var line = box.top + Math.min(box.height / 3, 240);
    var current = 1;
    view.pages.forEach(function (p) {
      var r = p.node.getBoundingClientRect();
      p.near = r.bottom > box.top - box.height && r.top < box.bottom + box.height;
      if (r.top <= line) { current = p.num; }
    });
    if (body.scrollTop > 0 && body.scrollTop + body.clientHeight >= body.scrollHeight - 2) { current = view.pages.length; }
    if (current !== view.current) {
      view.current = current;
      view.counter.textContent = fmt(T.pdfPage, { n: current, total: view.pages.length });
      tell('page', view);
    }
    drawNext(view);
  }

  /** Draw one page at a time, the nearest to the page being read first; free far pages beyond PDF_KEEP. */
  function drawNext(view) {
    if (view.busy || view.closed) { return; }
    var far = view.pages.filter(function (p) { return p.canvas && !p.near; });
    var distance = function (p) { return Math.abs(p.num - view.current); };
    far.sort(function (a, b) { return distance(b) - distance(a); });
    far.slice(0, Math.max(0, far.length - PDF_KEEP)).forEach(freePage);
    var todo = view.pages.filter(function (p) { return p.near && !p.failed && p.drawnWidth !== view.width; });
    if (!todo.length) { return; }
    todo.sort(function (a, b) { return distance(a) - distance(b) || a.num - b.num; });
    view.busy = true;
    drawPage(view, todo[0]).then(function () { view.busy = false; drawNext(view); });
  }

  /** Render a page into a new canvas at the device's pixel density, then swap it in (no blank while redrawing). */
  function drawPage(view, p) {
    var width = view.width;
    return (p.proxy ? Promise.resolve(p.proxy) : view.doc.getPage(p.num)).then(function (proxy) {
      if (view.closed) { return null; }
      p.proxy = proxy;
      if (!p.sized) { setRatio(view, p, proxy); }
      var viewport = proxy.getViewport({ scale: width / proxy.getViewport({ scale: 1 }).width });
      var dpr = Math.min(window.devicePixelRatio || 1, Math.sqrt(PDF_MAX_PIXELS / (viewport.width * viewport.height)));
      var canvas = el('canvas', { class: 'pdf-canvas', role: 'img', 'aria-label': fmt(T.pdfPageLabel, { n: p.num }) });
      canvas.width = Math.floor(viewport.width * dpr);
      canvas.height = Math.floor(viewport.height * dpr);
      p.task = proxy.render({ canvas: canvas, viewport: viewport, transform: [dpr, 0, 0, dpr, 0, 0] });
      return p.task.promise.then(function () {
        p.task = null;
        if (view.closed) { return; }
        if (p.canvas) {
          p.node.replaceChild(canvas, p.canvas);
          p.canvas.width = 0;
          p.canvas.height = 0;
        } else {
          p.node.appendChild(canvas);
        }
        p.canvas = canvas;
        p.drawnWidth = width;
      });
    }).then(null, function (err) {
      p.task = null;
      if (view.closed || (err && err.name === 'RenderingCancelledException')) { return; }
      if (window.console) { console.warn('PDF page ' + p.num + ' could not be drawn:', err); }
      p.failed = true;
      p.node.appendChild(el('p', { class: 'pdf-page-failed', text: T.pdfPageFailed }));
    });
  }

  function freePage(p) {
    if (p.task) { p.task.cancel(); p.task = null; }
    if (p.canvas) {
      p.node.removeChild(p.canvas);
      p.canvas.width = 0;  // lets the browser release the pixels at once
      p.canvas.height = 0;
      p.canvas = null;
    }
    p.drawnWidth = 0;
    if (p.proxy) { p.proxy.cleanup(); }
  }


  $('viewer-close').addEventListener('click', closeViewer);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && ui.viewing) { closeViewer(); } });

  // ------------------------------------------------------------------ for the reader (tablet-reader.js)
  //
  // The reader adds its buttons, the watermark and 跟随翻页 on top of this viewer; it is told when a PDF's pages
  // are shown, when the page being read changes, and when the PDF is closed, and may turn pages and zoom.

  var listeners = [];
  function tell(what, view) {
    listeners.forEach(function (fn) {
      try { fn(what, view); } catch (err) { if (window.console) { console.warn('reader:', err); } }
    });
  }

  /** Bring page ``num`` (1-based, clamped) to the top of the viewer. */
  function goToPage(num) {
    var view = pdf;
    if (!view || view.closed || !view.pages.length) { return; }
    var n = Math.max(1, Math.min(view.pages.length, num));
    var body = $('viewer-body');
    body.scrollTop += view.pages[n - 1].node.getBoundingClientRect().top - body.getBoundingClientRect().top - PDF_MARGIN;
    updatePdf(view);  // the counter says the page now at the top (or the last, scrolled to the end)
  }

  /** Zoom over fit-to-width (1 = fit), keeping the page being read in view. */
  function setZoom(zoom) {
    var view = pdf;
    if (!view || view.closed || !view.pages.length) { return; }
    var page = Math.max(view.current, 1);
    view.zoom = Math.max(0.5, Math.min(3, zoom));
    view.width = 0;
    layoutPages(view);
    goToPage(page);
  }

  K.openViewer = openViewer;
  K.closeViewer = closeViewer;
  K.pdfReader = {
    listen: function (fn) { listeners.push(fn); },
    view: function () { return pdf && !pdf.closed ? pdf : null; },
    goTo: goToPage,
    setZoom: setZoom
  };
})(window.YishiTablet);
