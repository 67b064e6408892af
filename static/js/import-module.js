// An ES module (templates/tablet.html loads it with type="module"): the one place the room's ES5 scripts reach
// import(). tablet.js used to build it with new Function(), which needs 'unsafe-eval'; the page's
// Content-Security-Policy refuses that. A browser without modules never runs this file, and tablet.js falls back
// to the browser's own PDF viewer.
window.YishiImport = function (url) { return import(url); };
