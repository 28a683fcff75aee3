// Registers the pages' service worker (sw.js, its URL in data-sw), which puts a Chinese
// page in place of the gateway's English answer to a page opened while its route is
// throttled.
(function () {
  var me = document.currentScript;
  if (!me || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(me.getAttribute('data-sw'), { scope: me.getAttribute('data-scope') }).catch(function () {});
})();
