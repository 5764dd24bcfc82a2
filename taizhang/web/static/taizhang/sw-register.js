/* Registers the service worker (taizhang.web.pwa) so the app can be installed on a phone. */
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* Without the worker the site works exactly the same, only not installable. */
    });
  });
}
