/* Yishi (议事) — the speaker's time (发言计时), for the console, the tablets and the projector: every element with
 * data-floor-since="<ISO UTC>" shows the time since then as mm:ss, ticking, and is marked "over" once it passes
 * data-floor-limit seconds (0: no limit). The server's clock is the reference where a view is sent fresh
 * (YishiFloor.sync(state) with the state's server_time); otherwise the device's own. */
(function (global) {
  'use strict';

  var offset = 0;  // server clock − this device's, in ms
  var seen = null;

  function sync(state) {
    if (state && state.server_time && state.server_time !== seen) {
      seen = state.server_time;
      offset = Date.parse(state.server_time) - Date.now();
    }
  }

  function seconds(sinceIso) { return Math.max(0, Math.floor((Date.now() + offset - Date.parse(sinceIso)) / 1000)); }

  function mmss(t) {
    var m = Math.floor(t / 60), s = t % 60;
    return (m < 10 ? '0' : '') + m + ':' + (s < 10 ? '0' : '') + s;
  }

  function tick() {
    var clocks = document.querySelectorAll('[data-floor-since]');
    for (var i = 0; i < clocks.length; i++) {
      var e = clocks[i];
      var t = seconds(e.dataset.floorSince);
      var limit = parseInt(e.dataset.floorLimit || '0', 10);
      e.textContent = mmss(t);
      e.classList.toggle('over', limit > 0 && t >= limit);
    }
  }

  setInterval(tick, 500);
  global.YishiFloor = { sync: sync, seconds: seconds, mmss: mmss, tick: tick };
})(window);
