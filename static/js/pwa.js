// Installable app: register the service worker (where the browser has one; WeChat's in-app
// browser and plain-HTTP intranets may not, and then pages simply work online as before).
// On the offline page: go back to the page the user wanted as soon as the network returns.
(function () {
  "use strict";
  var offline = document.querySelector("[data-offline-page]");
  if (offline) {
    // Go back once the page the user wanted answers again (the "online" event alone is not
    // enough: a phone can be "online" on a Wi-Fi that reaches nothing).
    var trying = false;
    var attempt = function () {
      if (trying || !navigator.onLine || !window.fetch) { return; }
      trying = true;
      fetch(window.location.href, { method: "HEAD", cache: "no-store", credentials: "same-origin" })
        .then(function (response) { if (response.ok) { window.location.reload(); } })
        .catch(function () {})
        .then(function () { trying = false; });
    };
    window.addEventListener("online", attempt);
    window.setInterval(attempt, 3000);
    var again = document.querySelector("[data-offline-retry]");
    if (again) { again.addEventListener("click", function () { window.location.reload(); }); }
  }
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var url = document.body.getAttribute("data-sw-url") || "/sw.js";
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () { /* the app works without it */ });
  });
})();
