// Installable app: register the service worker (where the browser has one; WeChat's in-app
// browser and plain-HTTP intranets may not, and then pages simply work online as before).
// On the offline page: go back to the page the user wanted as soon as the network returns.
(function () {
  "use strict";
  var offline = document.querySelector("[data-offline-page]");
  if (offline) {
    var back = function () { window.location.reload(); };
    window.addEventListener("online", back);
    var again = document.querySelector("[data-offline-retry]");
    if (again) { again.addEventListener("click", back); }
  }
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var url = document.body.getAttribute("data-sw-url") || "/sw.js";
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () { /* the app works without it */ });
  });
})();
