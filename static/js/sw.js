// Service worker of the installable app (served at /sw.js by wenming.pwa.service_worker, which
// puts PRECACHE, OFFLINE_URL, VERSION and STATIC_NETWORK_FIRST above this text).
//
// - The app shell (CSS, scripts, icons, fonts: everything under /static/) is served from the
//   cache first; static names are content-hashed in production, so a cached file never goes stale
//   (with DEBUG, where they are not, from the network first and the cache only when offline).
// - Pages (HTML) are never cached: they hold one user's data. A page that cannot be fetched is
//   answered with the Chinese offline page (which holds no user data).
// - Photos, uploads and every non-GET request go straight to the network.
/* global PRECACHE, OFFLINE_URL, VERSION, STATIC_NETWORK_FIRST */
"use strict";
var SHELL = "wenming-shell-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(PRECACHE.concat([OFFLINE_URL]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== SHELL; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0 && STATIC_NETWORK_FIRST) {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      }).catch(function () { return cache.match(request); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE_URL, { cacheName: SHELL });
    }));
  }
});

self.addEventListener("message", function (event) {
  if (event.data === "logout") {  // nothing of a user is cached, but leave no doubt
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== SHELL; }).map(function (n) { return caches.delete(n); }));
    }));
  }
});
