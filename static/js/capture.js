// Phone capture that survives a weak signal (issue 16).
//
// - On the activity form, each picked photo is shrunk in the browser (≤ 2560 px long side, JPEG
//   0.85; a file the browser cannot decode, e.g. HEIC on most phones, goes up as it is), its EXIF
//   time is read with the vendored exifr and the sha256 of the ORIGINAL file is computed with Web
//   Crypto. The server uses those two readings only as the inputs of the date-mismatch and
//   reused-photo flags; it checks the file's content itself.
// - Every photo waits in IndexedDB (vendored idb-keyval), keyed by the user's id, and goes up
//   alone (one request per photo, XMLHttpRequest upload progress, an upload key so a retry
//   never stores it twice), retried with backoff, resumed when the network returns or the page
//   reloads, on any page of the app. The liaison's home shows "待上传 N 张" with 重试 / 放弃.
// - Logging out clears this user's queue and drafts; another user's queue is never shown or sent.
// - Where an API is missing (WeChat's in-app browser without IndexedDB, old phones, no Web
//   Crypto on plain HTTP) nothing here runs and the plain form posts the photos as before.
(function () {
  "use strict";
  var body = document.body;
  var userId = body.getAttribute("data-user-id");
  var supported = !!(window.indexedDB && window.idbKeyval && window.crypto && window.crypto.subtle &&
    window.XMLHttpRequest && window.FormData && window.Promise && window.Blob &&
    (window.createImageBitmap || window.HTMLCanvasElement) && window.exifr);
  // The queue itself does not need exifr (only the form does).
  var queueSupported = !!(window.indexedDB && window.idbKeyval && window.XMLHttpRequest && window.FormData &&
    window.Promise && window.Blob);
  if (!userId || !queueSupported) { return; }

  var MAX_SIDE = 2560;
  var THUMB_SIDE = 192;
  var QUALITY = 0.85;
  // One photo at a time: on a thin uplink two at once finish no sooner, and each bar means more.
  var CONCURRENCY = 1;
  var MAX_AUTO_TRIES = 8;
  var STALL_MS = 60000;
  var kv = window.idbKeyval;
  var store;
  try { store = kv.createStore("wenming-capture", "queue"); } catch (e) { return; }
  var prefix = userId + ":";
  var items = {};        // key -> item (this user's only)
  var inflight = {};     // key -> XMLHttpRequest
  var timers = {};
  var listeners = [];
  var paused = "";      // "", "offline" or "login"

  function emit() { listeners.forEach(function (fn) { try { fn(); } catch (e) { /* keep going */ } }); }
  function onChange(fn) { listeners.push(fn); }
  function itemKey(key) { return prefix + key; }
  function persist(item) {
    var copy = {};
    Object.keys(item).forEach(function (k) { if (k.charAt(0) !== "_") { copy[k] = item[k]; } });
    return kv.set(itemKey(item.key), copy, store).catch(function () { /* storage full: keep in memory */ });
  }
  function forget(item) { return kv.del(itemKey(item.key), store).catch(function () {}); }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function sizeText(bytes) {
    return bytes < 1024 * 1024 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : (bytes / 1024 / 1024).toFixed(1) + " MB";
  }
  function unfinished() {
    return Object.keys(items).map(function (k) { return items[k]; }).filter(function (i) { return i.state !== "done"; });
  }

  // --- preparing a photo: hash of the original, EXIF time, shrink --------------------------

  function exifTime(file) {
    if (!window.exifr) { return Promise.resolve(""); }
    return window.exifr.parse(file, {
      ifd0: ["ModifyDate"], exif: ["DateTimeOriginal", "CreateDate"], gps: false, interop: false, ifd1: false,
      reviveValues: false,
    })
      .then(function (tags) {
        tags = tags || {};
        var raw = String(tags.DateTimeOriginal || tags.CreateDate || tags.ModifyDate || "");
        var m = raw.match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
        return m ? m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + ":" + m[5] + ":" + m[6] : "";
      })
      .catch(function () { return ""; });
  }

  function decode(file) {
    // createImageBitmap applies the EXIF orientation itself ("from-image"); the <img> path asks
    // exifr whether this browser's canvas still needs turning (old iOS Safari).
    if (window.createImageBitmap) {
      return window.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        return { source: bitmap, width: bitmap.width, height: bitmap.height, rotation: null,
          close: function () { if (bitmap.close) { bitmap.close(); } } };
      });
    }
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        (window.exifr ? window.exifr.rotation(file) : Promise.resolve(null)).catch(function () { return null; }).then(function (rotation) {
          var turn = rotation && rotation.canvas && rotation.deg ? rotation : null;
          var swap = turn && turn.dimensionSwapped;
          resolve({ source: img, width: swap ? img.naturalHeight : img.naturalWidth,
            height: swap ? img.naturalWidth : img.naturalHeight, rotation: turn,
            close: function () { URL.revokeObjectURL(url); } });
        });
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("undecodable")); };
      img.src = url;
    });
  }

  function shrink(file) {
    return decode(file).then(function (image) {
      var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
      if (scale === 1 && /jpe?g$/i.test(file.type) && !image.rotation) { scale = 1; }
      var w = Math.round(image.width * scale), h = Math.round(image.height * scale);
      var canvas = document.createElement("canvas");
      canvas.width = w; canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "high";
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, w, h);
      if (image.rotation) {
        ctx.translate(w / 2, h / 2);
        ctx.rotate(image.rotation.rad);
        ctx.scale(image.rotation.scaleX, image.rotation.scaleY);
        var dw = image.rotation.dimensionSwapped ? h : w, dh = image.rotation.dimensionSwapped ? w : h;
        ctx.drawImage(image.source, -dw / 2, -dh / 2, dw, dh);
      } else {
        ctx.drawImage(image.source, 0, 0, w, h);
      }
      image.close();
      // A small picture for the photo's card: ten full-size previews are too much for a phone.
      var tw = Math.max(1, Math.round(w * THUMB_SIDE / Math.max(w, h))), th = Math.max(1, Math.round(h * THUMB_SIDE / Math.max(w, h)));
      var small = document.createElement("canvas");
      small.width = tw; small.height = th;
      small.getContext("2d").drawImage(canvas, 0, 0, tw, th);
      return Promise.all([
        new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); }),
        new Promise(function (resolve) { small.toBlob(resolve, "image/jpeg", 0.7); }),
      ]).then(function (blobs) {
        canvas.width = canvas.height = small.width = small.height = 0;
        return { blob: blobs[0] && blobs[0].size < file.size ? blobs[0] : file, thumb: blobs[1] };
      });
    }).catch(function () { return { blob: file, thumb: null }; });  // HEIC and others the browser cannot decode: the original goes up
  }

  function readings(file) {
    // What the server needs from the original, read at once when the photo is picked (the
    // shrink may finish on another page, where exifr is not loaded).
    var hashing = file.arrayBuffer ? file.arrayBuffer() : new Response(file).arrayBuffer();
    return Promise.all([
      hashing.then(function (buffer) { return window.crypto.subtle.digest("SHA-256", buffer); }).then(hex),
      exifTime(file),
    ]);
  }

  function prepare(item) {
    var original = item.original;
    if (!original) { return Promise.resolve(item); }
    item.state = "preparing";
    emit();
    return shrink(original)
      .then(function (result) {
        var blob = result.blob;
        item.blob = blob;
        item.preview = result.thumb;
        item.size = blob.size;
        item.shrunk = blob !== original;
        delete item.original;  // the shrunk copy is all that is kept on the phone
        item.state = "queued";
        return persist(item).then(function () { emit(); return item; });
      });
  }

  // --- the queue ---------------------------------------------------------------------------

  var sequence = 0;
  function add(file, where) {
    var added = Date.now() * 1000 + (sequence++ % 1000);  // keeps the order the photos were picked in
    return readings(file).then(function (read) {
      var item = {
        key: newKey(), user: userId, name: file.name || "photo.jpg", originalSize: file.size,
        original: file, blob: null, size: file.size, sha256: read[0], takenAt: read[1], shrunk: false,
        activity: where.activity || "", batch: where.batch || "", caption: "", state: "preparing",
        tries: 0, error: "", added: added, photoId: null, thumb: "",
      };
      items[item.key] = item;
      return persist(item).then(function () { emit(); return item; });
    });
  }

  var preparing = Promise.resolve();
  function prepareInTurn(item) {
    // One photo decoded at a time: a phone's memory holds one 12-MP bitmap, not ten.
    preparing = preparing.then(function () { return prepare(item); }).catch(function () {
      if (item.original) { item.blob = item.original; delete item.original; item.state = "queued"; persist(item); }
    }).then(function () { pump(); });
    return preparing;
  }

  function schedule(item, delayMs) {
    clearTimeout(timers[item.key]);
    item.state = "waiting";
    item.retryAt = Date.now() + delayMs;
    timers[item.key] = setTimeout(function () {
      if (item.state === "waiting") { item.state = "queued"; pump(); }
    }, delayMs);
    emit();
  }

  function settle(item, xhr) {
    delete inflight[item.key];
    var data = null;
    try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
    if (xhr.status >= 200 && xhr.status < 300 && data && data.id) {
      item.state = "done";
      item.photoId = data.id;
      item.thumb = data.thumb;
      item.serverActivity = data.activity;
      item.serverTakenAt = data.taken_at;
      item.progress = 1;
      item.blob = null;
      // Kept (without the photo) only while its form may still be open, to show it there.
      if (item.serverActivity) { forget(item); } else { persist(item); }
    } else if (xhr.status === 401 || (data && data.login)) {
      item.state = "queued";
      paused = "login";
    } else if (data && data.wrong_user) {
      item.state = "failed";
      item.error = data.error;
      paused = "login";
    } else if ((data && data.final) || xhr.status === 404 || xhr.status === 403) {
      item.state = "failed";
      item.error = data && data.error ? data.error
        : xhr.status === 404 ? "此活动档案已不存在或无权查看" : "页面已过期，请刷新页面后点“重试”";
      persist(item);
    } else {
      failOrRetry(item, xhr.status ? "服务器暂时无法接收（" + xhr.status + "）" : "网络中断");
      return;
    }
    emit();
    pump();
  }

  function failOrRetry(item, reason) {
    delete inflight[item.key];
    item.tries += 1;
    item.error = reason;
    if (!navigator.onLine) {
      item.state = "queued";
      paused = "offline";
      persist(item);
      emit();
      return;
    }
    if (item.tries >= MAX_AUTO_TRIES) {
      item.state = "failed";
      item.error = reason + "，已自动重试 " + item.tries + " 次";
      persist(item);
      emit();
      return;
    }
    persist(item);
    // 1 s, 2 s, 4 s … up to 30 s, with a little jitter so two phones on one Wi-Fi spread out.
    schedule(item, Math.min(30000, 1000 * Math.pow(2, item.tries - 1)) + Math.random() * 500);
    pump();
  }

  function send(item) {
    var xhr = new XMLHttpRequest();
    inflight[item.key] = xhr;
    item.state = "uploading";
    item.progress = 0;
    item.error = "";
    var data = new FormData();
    data.append("key", item.key);
    data.append("user", userId);
    data.append("activity", item.activity || "");
    data.append("batch", item.batch || "");
    data.append("sha256", item.sha256 || "");
    data.append("taken_at", item.takenAt || "");
    data.append("caption", item.caption || "");
    var name = item.name;
    if (item.shrunk) { name = name.replace(/\.[^.]+$/, "") + ".jpg"; }
    data.append("photo", item.blob, name);
    xhr.open("POST", uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.timeout = 10 * 60 * 1000;
    // A weak signal often stalls rather than fails: no progress for a minute counts as a drop.
    var moved = Date.now();
    var stall = setInterval(function () {
      if (Date.now() - moved > STALL_MS && inflight[item.key] === xhr) {
        clearInterval(stall);
        delete inflight[item.key];
        xhr.abort();
        failOrRetry(item, "网络停滞");
      }
    }, 5000);
    var done = function () { clearInterval(stall); };
    xhr.upload.onprogress = function (event) {
      moved = Date.now();
      if (event.lengthComputable) { item.progress = event.loaded / event.total; emit(); }
    };
    xhr.upload.onload = function () { moved = Date.now() + STALL_MS; };  // the server is working on it
    xhr.onload = function () { done(); settle(item, xhr); };
    xhr.onerror = function () { done(); failOrRetry(item, "网络中断"); };
    xhr.ontimeout = function () { done(); failOrRetry(item, "上传超时"); };
    xhr.onabort = function () { done(); if (inflight[item.key] === xhr) { delete inflight[item.key]; } };
    xhr.send(data);
    emit();
  }

  var uploadUrl = body.getAttribute("data-capture-upload-url") || "/activities/photos/upload/";

  function pump() {
    if (paused === "login") { emit(); return; }
    if (!navigator.onLine) { paused = "offline"; emit(); return; }
    paused = "";
    var running = Object.keys(inflight).length;
    var queued = Object.keys(items).map(function (k) { return items[k]; })
      .filter(function (i) { return i.state === "queued" && i.blob; })
      .sort(function (a, b) { return a.added - b.added; });
    while (running < CONCURRENCY && queued.length) {
      send(queued.shift());
      running += 1;
    }
    emit();
  }

  function retry(item) {
    item.tries = 0;
    item.error = "";
    if (item.state === "failed" || item.state === "waiting") { item.state = item.blob ? "queued" : item.state; }
    if (paused === "login") { paused = ""; }
    persist(item);
    pump();
  }

  function discard(item) {
    var xhr = inflight[item.key];
    if (xhr) { delete inflight[item.key]; xhr.abort(); }
    clearTimeout(timers[item.key]);
    delete items[item.key];
    forget(item);
    emit();
    pump();
  }

  function load() {
    return kv.entries(store).then(function (entries) {
      entries.forEach(function (entry) {
        var key = String(entry[0]);
        if (key.indexOf(prefix) !== 0 || key.indexOf(prefix + "draft:") === 0) { return; }
        var item = entry[1];
        if (items[item.key]) { return; }
        if (item.state === "done" && (item.serverActivity || Date.now() - item.added / 1000 > 86400000)) {
          kv.del(key, store).catch(function () {});
          return;
        }
        if (item.original) { item.state = "preparing"; } else if (item.state !== "failed" && item.state !== "done") { item.state = "queued"; }
        items[item.key] = item;
        if (item.original) { prepareInTurn(item); }
      });
    }).catch(function () {});
  }

  window.addEventListener("online", function () {
    if (paused === "offline") { paused = ""; }
    Object.keys(items).forEach(function (k) {  // waiting out a backoff is pointless now
      var i = items[k];
      if (i.state === "waiting") { clearTimeout(timers[k]); i.state = "queued"; }
    });
    pump();
  });
  window.addEventListener("offline", function () { paused = "offline"; emit(); });

  window.wenmingCapture = { items: items, unfinished: unfinished, onChange: onChange };

  // --- drafts of the form (what was typed survives a reload or a failed save) ----------------

  function draftKey(name) { return prefix + "draft:" + name; }

  // --- the activity form ---------------------------------------------------------------------

  function enhanceForm(form) {
    var batchInput = form.querySelector("input[name=capture_batch]");
    var where = { activity: form.getAttribute("data-activity") || "", batch: batchInput ? batchInput.value : "" };
    var draftName = form.getAttribute("data-draft") || "new";
    var versionInput = form.querySelector("input[name=version]");
    var version = versionInput ? versionInput.value : "";
    var list = form.querySelector("[data-capture-list]");
    var note = form.querySelector("[data-capture-note]");
    var cards = {};
    form.setAttribute("data-capture-on", "1");
    if (note) { note.classList.remove("d-none"); }

    function mine(item) {
      return (where.activity && String(item.activity) === String(where.activity)) ||
        (where.batch && item.batch === where.batch);
    }

    function card(item) {
      if (cards[item.key]) { return cards[item.key]; }
      var col = document.createElement("div");
      col.className = "col-12 col-sm-6 col-lg-4";
      col.setAttribute("data-capture-card", item.key);
      var row = document.createElement("div");
      row.className = "d-flex gap-2";
      var img = document.createElement("img");
      img.className = "thumb";
      img.alt = "";

      var right = document.createElement("div");
      right.className = "flex-grow-1 small";
      var title = document.createElement("div");
      title.className = "text-truncate";
      title.setAttribute("data-capture-name", "");
      var bar = document.createElement("div");
      bar.className = "progress my-1";
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-label", "上传进度");
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.setAttribute("data-capture-progress", "");
      var fill = document.createElement("div");
      fill.className = "progress-bar";
      bar.appendChild(fill);
      var status = document.createElement("div");
      status.setAttribute("data-capture-status", "");
      var caption = document.createElement("textarea");
      caption.className = "form-control mt-1";
      caption.rows = 2;
      caption.name = "capkey-" + item.key;
      caption.placeholder = list.getAttribute("data-caption-hint") || "时间、地点、人物、事件、成效";
      caption.setAttribute("aria-label", "照片说明");
      caption.value = item.caption || "";
      var timer = null;
      caption.addEventListener("input", function () {
        item.caption = caption.value;
        clearTimeout(timer);
        timer = setTimeout(function () { if (items[item.key]) { persist(item); } }, 300);
      });
      var pending = document.createElement("input");
      pending.type = "hidden";
      pending.name = "pending";
      pending.disabled = true;
      var buttons = document.createElement("div");
      buttons.className = "d-flex gap-2 mt-1";
      var retryButton = document.createElement("button");
      retryButton.type = "button";
      retryButton.className = "btn btn-sm btn-outline-primary d-none";
      retryButton.textContent = "重试";
      retryButton.addEventListener("click", function () { retry(item); });
      var dropButton = document.createElement("button");
      dropButton.type = "button";
      dropButton.className = "btn btn-sm btn-outline-secondary";
      dropButton.textContent = "移除";
      dropButton.addEventListener("click", function () {
        if (item.state === "done") { return; }
        discard(item);
        col.remove();
        delete cards[item.key];
      });
      buttons.appendChild(retryButton);
      buttons.appendChild(dropButton);
      right.appendChild(title);
      right.appendChild(bar);
      right.appendChild(status);
      right.appendChild(caption);
      right.appendChild(pending);
      right.appendChild(buttons);
      row.appendChild(img);
      row.appendChild(right);
      col.appendChild(row);
      list.appendChild(col);
      cards[item.key] = { col: col, title: title, bar: bar, fill: fill, status: status, pending: pending,
        retry: retryButton, drop: dropButton, img: img };
      return cards[item.key];
    }

    // Photos the server already lists on the page (after a form error) are not shown twice.
    var listed = {};
    form.querySelectorAll("[data-testid=saved-photos] input[name=pending]").forEach(function (el) { listed[el.value] = true; });

    function render() {
      Object.keys(items).forEach(function (k) {
        var item = items[k];
        if (!mine(item) || (item.state === "done" && listed[String(item.photoId)])) { return; }
        var c = card(item);
        if (!c.img.getAttribute("src")) {
          if (item.preview) { c.img.src = URL.createObjectURL(item.preview); } else if (item.thumb) { c.img.src = item.thumb; }
        }
        var percent = Math.round((item.state === "done" ? 1 : (item.progress || 0)) * 100);
        var sizes = item.originalSize && item.size && item.size < item.originalSize
          ? "（" + sizeText(item.originalSize) + " → " + sizeText(item.size) + "）" : "（" + sizeText(item.size || item.originalSize || 0) + "）";
        c.title.textContent = item.name + sizes;
        c.fill.style.width = percent + "%";
        c.bar.setAttribute("aria-valuenow", String(percent));
        c.fill.className = "progress-bar" + (item.state === "done" ? " bg-success" : item.state === "failed" ? " bg-danger" : "");
        var text = {
          preparing: "正在压缩……", queued: paused === "offline" ? "网络已断开，联网后自动上传" : paused === "login" ? "请重新登录后继续上传" : "等待上传",
          uploading: "正在上传 " + percent + "%", waiting: "上传中断，稍后自动重试（" + item.error + "）",
          failed: "上传失败：" + item.error, done: "已上传" + (item.serverTakenAt ? " · 拍摄于 " + item.serverTakenAt : ""),
        }[item.state] || "";
        c.status.textContent = text;
        c.status.className = item.state === "failed" ? "text-danger" : item.state === "done" ? "text-success" : "text-muted";
        c.col.setAttribute("data-state", item.state);
        c.retry.classList.toggle("d-none", item.state !== "failed" && item.state !== "waiting");
        c.drop.classList.toggle("d-none", item.state === "done");
        if (item.state === "done" && item.photoId && !item.serverActivity) {
          c.pending.value = String(item.photoId);
          c.pending.disabled = false;
        }
      });
      var left = unfinished().filter(mine).length;
      if (note) {
        note.textContent = left ? "还有 " + left + " 张照片在上传，可以继续填写说明，也可以先保存草稿，照片会在后台继续上传。"
          : "照片在选择后立即压缩并逐张上传，可以一边上传一边填写说明。";
      }
    }
    onChange(render);

    function pick(input) {
      var files = Array.prototype.slice.call(input.files || []);
      input.value = "";
      files.forEach(function (file) {
        add(file, where).then(function (item) { render(); prepareInTurn(item); });
      });
    }
    form.querySelectorAll("[data-photo-input]").forEach(function (input) {
      input.addEventListener("change", function () { pick(input); });
    });

    // What was typed is kept on the phone until the server has it.
    var fields = function () {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" && el.type !== "hidden" &&
          el.type !== "submit" && el.type !== "button" && el.name.indexOf("capkey-") !== 0;
      });
    };
    function snapshot() {
      var values = {};
      fields().forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { values[el.name + "=" + el.value] = el.checked; } else if (el.multiple) {
          values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
        } else { values[el.name] = el.value; }
      });
      return { batch: where.batch, version: version, values: values, saved: Date.now() };
    }
    var draftTimer = null;
    function saveDraft() { return kv.set(draftKey(draftName), snapshot(), store).catch(function () {}); }
    form.addEventListener("input", function () { clearTimeout(draftTimer); draftTimer = setTimeout(saveDraft, 300); });
    form.addEventListener("change", function () { clearTimeout(draftTimer); draftTimer = setTimeout(saveDraft, 300); });

    function restoreDraft() {
      return kv.get(draftKey(draftName), store).then(function (draft) {
        if (!draft || draft.version !== version) { return; }
        if (form.querySelector(".is-invalid, .invalid-feedback")) { return; }  // the server's answer is newer
        if (draftName === "new" && draft.batch && batchInput) {
          batchInput.value = draft.batch;
          where.batch = draft.batch;
        }
        fields().forEach(function (el) {
          if (el.type === "checkbox" || el.type === "radio") {
            if ((el.name + "=" + el.value) in draft.values) { el.checked = draft.values[el.name + "=" + el.value]; }
          } else if (el.multiple) {
            var chosen = draft.values[el.name] || [];
            Array.prototype.forEach.call(el.options, function (o) { o.selected = chosen.indexOf(o.value) >= 0; });
          } else if (el.name in draft.values) { el.value = draft.values[el.name]; }
        });
      }).catch(function () {});
    }

    var message = document.createElement("div");
    message.className = "alert alert-warning d-none";
    message.setAttribute("role", "alert");
    form.insertBefore(message, form.firstChild);

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter || document.activeElement;
      clearTimeout(draftTimer);
      saveDraft();
      if (!navigator.onLine) {
        event.preventDefault();
        message.textContent = "网络已断开：填写的内容和照片已保存在本机，联网后再点“保存”即可，不会丢失。";
        message.classList.remove("d-none");
        message.scrollIntoView();
        return;
      }
      var left = unfinished().filter(mine).length;
      if (submitter && submitter.name === "submit" && left) {
        event.preventDefault();
        message.textContent = "还有 " + left + " 张照片没有上传完，上传完成后才能提交审核；可以先点“保存草稿”，照片会继续上传。";
        message.classList.remove("d-none");
        message.scrollIntoView();
      }
    });

    return restoreDraft().then(render);
  }

  // --- the liaison's home: "待上传 N 张", retry or discard -------------------------------------

  function enhanceHome(box) {
    var shown = "";
    function render() {
      // Rebuilt only when the list changes (not at every progress tick: its buttons stay clickable).
      var now = unfinished().map(function (i) { return i.key + i.state + i.error; }).join("|") + paused;
      if (now === shown) { return; }
      shown = now;
      var left = unfinished();
      box.classList.toggle("d-none", !left.length);
      box.textContent = "";
      if (!left.length) { return; }
      var head = document.createElement("div");
      head.className = "d-flex justify-content-between align-items-center gap-2";
      var strong = document.createElement("strong");
      strong.setAttribute("data-capture-count", "");
      strong.textContent = "待上传 " + left.length + " 张";
      var state = document.createElement("span");
      state.className = "small";
      var moving = left.some(function (i) { return i.state !== "failed"; });
      state.textContent = paused === "offline" ? "网络已断开，联网后自动上传" : paused === "login" ? "请重新登录后继续"
        : moving ? "正在后台上传……" : "上传失败，可重试或放弃";
      var all = document.createElement("button");
      all.type = "button";
      all.className = "btn btn-sm btn-outline-primary";
      all.textContent = "全部重试";
      all.addEventListener("click", function () { left.forEach(retry); });
      head.appendChild(strong);
      head.appendChild(state);
      head.appendChild(all);
      box.appendChild(head);
      var ul = document.createElement("ul");
      ul.className = "list-unstyled small mb-0 mt-2";
      left.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "d-flex justify-content-between align-items-center gap-2 py-1";
        var label = document.createElement("span");
        label.className = "text-truncate";
        label.textContent = item.name + (item.state === "failed" ? " —— 失败：" + item.error : item.state === "uploading" ? " —— 正在上传" : "");
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-sm btn-link text-danger";
        drop.textContent = "放弃";
        drop.addEventListener("click", function () {
          if (window.confirm("放弃上传“" + item.name + "”？")) { discard(item); }
        });
        li.appendChild(label);
        li.appendChild(drop);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    onChange(render);
    render();
  }

  // --- after a save: the draft of a saved form is no longer needed ---------------------------

  function forgetSavedDrafts() {
    document.querySelectorAll("[data-capture-saved]").forEach(function (el) {
      var batch = el.getAttribute("data-capture-saved");
      Object.keys(items).forEach(function (k) {
        if (items[k].state === "done" && items[k].batch === batch) { forget(items[k]); delete items[k]; }
      });
      kv.get(draftKey("new"), store).then(function (draft) {
        if (draft && batch && draft.batch === batch) { kv.del(draftKey("new"), store); }
      }).catch(function () {});
    });
  }

  // --- logout: this user's queue and drafts go, and the service worker's caches ---------------

  function clearMine() {
    return kv.keys(store).then(function (keys) {
      return kv.delMany(keys.filter(function (k) { return String(k).indexOf(prefix) === 0; }), store);
    }).catch(function () {}).then(function () {
      if (window.caches && window.caches.keys) {
        return window.caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf("wenming-data") === 0; })
            .map(function (n) { return window.caches.delete(n); }));
        }).catch(function () {});
      }
    });
  }
  document.querySelectorAll("form[action$='/accounts/logout/']").forEach(function (logout) {
    var confirmed = false;
    logout.addEventListener("submit", function (event) {
      if (confirmed) { return; }
      event.preventDefault();
      var left = unfinished().length;
      if (left && !window.confirm("还有 " + left + " 张照片没有上传。退出登录会放弃这些照片，确定退出吗？")) { return; }
      Object.keys(inflight).forEach(function (k) { inflight[k].abort(); });
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("logout");
      }
      clearMine().then(function () { confirmed = true; logout.submit(); });
    });
  });

  // --- start ---------------------------------------------------------------------------------

  // A small line on every other page while photos are still going up.
  function enhanceStatus() {
    if (document.getElementById("activity-form") || document.querySelector("[data-capture-home]")) { return; }
    var bar = document.createElement("div");
    bar.className = "alert alert-info position-fixed bottom-0 start-0 end-0 m-2 py-2 small d-none";
    bar.setAttribute("data-capture-toast", "");
    document.body.appendChild(bar);
    var seen = false;
    var onRecord = !!document.querySelector("[data-capture-saved]");
    onChange(function () {
      var left = unfinished();
      if (left.length) {
        seen = true;
        bar.classList.remove("d-none");
        bar.textContent = "照片待上传 " + left.length + " 张" +
          (paused === "offline" ? "，网络已断开，联网后自动上传" : paused === "login" ? "，请重新登录后继续" : "，正在后台上传……");
      } else if (seen && onRecord) {
        // The photos of this record arrived while it was shown: offer to show them.
        bar.textContent = "照片已全部上传。";
        var link = document.createElement("a");
        link.href = window.location.href;
        link.className = "alert-link";
        link.textContent = "刷新查看";
        bar.appendChild(link);
        bar.className = bar.className.replace("alert-info", "alert-success");
      } else {
        bar.classList.add("d-none");
      }
    });
  }

  load().then(function () {
    forgetSavedDrafts();
    var form = document.getElementById("activity-form");
    var ready = form && supported ? enhanceForm(form) : Promise.resolve();
    var home = document.querySelector("[data-capture-home]");
    if (home) { enhanceHome(home); }
    enhanceStatus();
    return ready;
  }).then(function () { pump(); });
})();
