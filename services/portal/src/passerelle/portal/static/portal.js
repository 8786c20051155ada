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

  // One stream per page (the portal relays the notifier's, with the session's token), shared by its listeners.
  var stream = null;
  function openStream() {
    if (!stream && window.EventSource) { stream = new EventSource("/notifications/flux"); }
    return stream;
  }

  // Live notifications: the header's count follows the stream.
  function liveCount() {
    var badge = document.getElementById("unread-count");
    if (!badge || !window.EventSource || badge.getAttribute("data-live") !== "oui") { return; }
    var source = openStream();
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

  // The OPCO back office: a new case, an alert or news of the case on screen is shown without reloading. The
  // queue's table and the case's changing parts are fetched again from the page's own address (as fragments).
  var CASE_KINDS = ["case_opened", "case_assigned", "clock_alert", "document_received", "anomaly_resolved", "contract_transmitted"];
  function liveInstruction() {
    var region = document.getElementById("instruction-live");
    var badge = document.getElementById("unread-count");
    if (!region || !window.fetch || !badge || badge.getAttribute("data-live") !== "oui") { return; }
    var source = openStream();
    if (!source) { return; }
    var queueUrl = region.getAttribute("data-live-queue");
    var caseUrl = region.getAttribute("data-live-case");
    var contract = region.getAttribute("data-contract");
    source.addEventListener("notification", function (e) {
      var notification;
      try { notification = JSON.parse(e.data).notification; } catch (err) { return; }
      if (!notification || CASE_KINDS.indexOf(notification.kind) < 0) { return; }
      if (caseUrl && notification.contract_id !== contract) { return; }
      tell(region, notification);
      if (queueUrl) { refresh(queueUrl, "file", "file-dossiers", true); }
      if (caseUrl) { refresh(caseUrl, "dossier", "dossier-vivant", false); }
    });
  }

  function tell(region, notification) {
    var line = document.createElement("p");
    line.className = "fr-mb-1w";
    var link = document.createElement("a");
    link.className = "fr-link";
    link.href = notification.link || "/instruction/dossiers";
    link.textContent = notification.title;
    line.appendChild(link);
    if (notification.body) { line.appendChild(document.createTextNode(" — " + notification.body)); }
    region.insertBefore(line, region.firstChild);
  }

  function refresh(url, fragment, id, replaceWhole) {
    fetch(url, { headers: { "X-Portal-Fragment": fragment }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var target = document.getElementById(id);
        if (!html || !target) { return; }
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = replaceWhole ? box.querySelector("#" + id) : box;
        if (!fresh) { return; }
        if (replaceWhole) {
          keepChoices(target, fresh);
          target.parentNode.replaceChild(fresh, target);
          restoreFocus(fresh);
          updateCounts(fresh);
        } else {
          target.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () { /* the page stays as it is; a reload shows the news */ });
  }

  // The cases a person ticked stay ticked in the refreshed table (a refresh must never lose a selection), and
  // the element that had the focus keeps it.
  var focusedId = null;
  function keepChoices(old, fresh) {
    var active = document.activeElement;
    focusedId = active && active.id && old.contains(active) ? active.id : null;
    Array.prototype.forEach.call(old.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      var same = box.id ? fresh.querySelector("#" + CSS.escape(box.id)) : null;
      if (same) { same.checked = true; }
    });
  }

  function restoreFocus(fresh) {
    var again = focusedId ? fresh.querySelector("#" + CSS.escape(focusedId)) : null;
    if (again) { again.focus(); }
    focusedId = null;
  }

  function updateCounts(table) {
    var counts = document.querySelectorAll(".portal-tab-count[data-onglet]");
    Array.prototype.forEach.call(counts, function (count) {
      var value = table.getAttribute("data-count-" + count.getAttribute("data-onglet").replace(/_/g, "-"));
      if (value !== null) { count.textContent = "(" + value + ")"; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusProblems();
    enhanceUpload();
    liveCount();
    liveInstruction();
    setTimeout(openRefusal, 300);
  });
})();
