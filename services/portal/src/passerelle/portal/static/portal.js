/* Progressive enhancements only: every action works without this file. */
(function () {
  "use strict";

  // Focus the error summary or the refusal so that screen readers announce it and keyboards start there.
  function focusProblems() {
    var target = document.getElementById("refus-transmission") || document.getElementById("resume-erreurs");
    if (target) { target.focus(); }
  }

  // The refusal popup of the seed ("Le Cerfa n'a pas pu être validé"), once the DSFR's script is ready.
  function openRefusal() {
    var modal = document.getElementById("refus-modal");
    if (!modal || !window.dsfr) { return; }
    try { window.dsfr(modal).modal.disclose(); } catch (e) { /* the alert in the page says the same */ }
  }

  // Upload with a progress bar; on any failure the plain form post is used instead.
  function enhanceUpload() {
    var form = document.getElementById("depot-document");
    if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files || !file.files.length) { return; }
      event.preventDefault();
      var box = form.querySelector(".portal-progress");
      var bar = box.querySelector("progress");
      var text = box.querySelector(".portal-progress__text");
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round((e.loaded / e.total) * 100);
          bar.value = pct; bar.textContent = pct + " %"; text.textContent = pct + " %";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.status < 400) { window.location.assign(xhr.responseURL); return; }
        document.open(); document.write(xhr.responseText); document.close();
      });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.send(new FormData(form));
    });
  }

  // Live notifications: the portal relays the notifier's stream; the header's count follows it.
  function liveCount() {
    var badge = document.getElementById("unread-count");
    if (!badge || !window.EventSource || badge.getAttribute("data-live") !== "oui") { return; }
    var source = new EventSource("/notifications/flux");
    function update(data) {
      var n = typeof data.unread === "number" ? data.unread : null;
      if (n === null) { return; }
      badge.firstChild.nodeValue = String(n);
      badge.setAttribute("data-unread", String(n));
      badge.hidden = n === 0;
      var status = document.getElementById("unread-status-count");
      if (status) { status.textContent = String(n); }
    }
    ["sync", "notification", "notification.updated", "notifications.read_all", "notifications.seen_all"].forEach(
      function (name) {
        source.addEventListener(name, function (e) {
          try {
            var data = JSON.parse(e.data);
            update(data);
            if (name === "notification") { announce(data.notification); }
          } catch (err) { /* a malformed event changes nothing */ }
        });
      });
  }

  function announce(notification) {
    var list = document.getElementById("notifications-live");
    if (!list || !notification) { return; }
    var item = document.createElement("li");
    item.className = "fr-mb-2w";
    var link = document.createElement("a");
    link.className = "fr-link";
    link.href = notification.link || "/notifications";
    link.textContent = notification.title;
    item.appendChild(link);
    list.insertBefore(item, list.firstChild);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusProblems();
    enhanceUpload();
    liveCount();
    setTimeout(openRefusal, 300);
  });
})();
