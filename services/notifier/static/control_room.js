// Keeps the open-alerts list current from the control room's SSE stream (no framework, no inline script).
(function () {
  "use strict";
  var list = document.getElementById("alerts");
  var status = document.getElementById("stream-status");
  var empty = document.getElementById("no-alerts");
  if (!list || !window.EventSource) { return; }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function findAlert(id) {
    var items = list.querySelectorAll("li.alert");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-alert-id") === id) { return items[i]; }
    }
    return null;
  }

  function refreshEmpty() { empty.hidden = list.querySelector("li.alert") !== null; }

  function definition(dl, term, value) {
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", null, value));
  }

  function render(alert) {
    var high = alert.priority === "HIGH";
    var item = el("li", "alert new priority-" + String(alert.priority).toLowerCase());
    item.setAttribute("data-alert-id", alert.alert_id);
    var marker = el("p", "marker");
    marker.appendChild(el("strong", "badge " + (high ? "badge-high" : "badge-crime"),
      high ? "HIGH PRIORITY" : "CRIME – NOT INTELLIGENCE"));
    var escalation = el("span", "escalation", "ESCALATED ×");
    var count = el("span", "escalation-count", "0");
    escalation.appendChild(count);
    escalation.hidden = true;
    marker.appendChild(document.createTextNode(" "));
    marker.appendChild(escalation);
    item.appendChild(marker);
    item.appendChild(el("h2", "reference", alert.reference));
    var dl = el("dl");
    definition(dl, "Categories", (alert.categories || []).join(", ") || "none");
    definition(dl, "Location", alert.location);
    definition(dl, "Review due", alert.review_due_at);
    definition(dl, "Graded", alert.graded_at);
    item.appendChild(dl);
    item.appendChild(el("p", "intelligence", alert.intelligence_text));
    var reasons = el("ul", "reasons");
    (alert.reasons || []).forEach(function (reason) { reasons.appendChild(el("li", null, reason.text)); });
    item.appendChild(reasons);
    var form = el("form");
    form.method = "post";
    form.action = "/api/v1/control-room/alerts/" + encodeURIComponent(alert.alert_id) + "/ack";
    var button = el("button", null, "Acknowledge " + alert.reference);
    button.type = "submit";
    form.appendChild(button);
    item.appendChild(form);
    return item;
  }

  function parse(message) {
    try { return JSON.parse(message.data); } catch (e) { return null; }
  }

  var source = new EventSource(list.getAttribute("data-stream-url"));
  source.onopen = function () { status.textContent = "Live updates: on"; };
  source.onerror = function () { status.textContent = "Live updates: reconnecting…"; };
  source.addEventListener("alert", function (message) {
    var alert = parse(message);
    if (!alert || findAlert(alert.alert_id)) { return; }
    list.insertBefore(render(alert), list.firstChild);
    refreshEmpty();
  });
  source.addEventListener("escalation", function (message) {
    var data = parse(message);
    if (!data) { return; }
    var item = findAlert(data.alert_id);
    if (!item) {
      item = render(data);
      list.insertBefore(item, list.firstChild);
      refreshEmpty();
    }
    var escalation = item.querySelector(".escalation");
    item.querySelector(".escalation-count").textContent = String(data.escalation_number);
    escalation.hidden = false;
  });
  source.addEventListener("acknowledged", function (message) {
    var data = parse(message);
    var item = data && findAlert(data.alert_id);
    if (item) { item.parentNode.removeChild(item); refreshEmpty(); }
  });
}());
