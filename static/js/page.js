/* Every page (templates/base.html): the behaviour that used to sit in onclick=/onsubmit= attributes, which the
 * Content-Security-Policy (meeting/headers.py) no longer runs.
 *   data-confirm="question"  on a button or link: asks first; "cancel" stops the click (and so the form's submit)
 *   data-print               on a button: prints the page */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var target = e.target && e.target.closest ? e.target : null;
    if (!target) { return; }
    var btn = target.closest("[data-confirm]");
    if (btn && !window.confirm(btn.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (target.closest("[data-print]")) {
      window.print();
    }
  }, true);
})();
