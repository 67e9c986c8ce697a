// review.html: the counts above the table become filters. Without this script the
// page is complete; with it, pressing a count shows only the leaflets it counts.
(function () {
  "use strict";
  var list = document.querySelector(".review-summary");
  var entries = Array.prototype.slice.call(document.querySelectorAll("tbody.review-entry"));
  if (!list || !entries.length) { return; }
  var status = document.getElementById("filter-status");
  var buttons = [];

  function show(tag, button) {
    var shown = 0;
    entries.forEach(function (entry) {
      var match = !tag || (" " + entry.getAttribute("data-tags") + " ").indexOf(" " + tag + " ") >= 0;
      entry.hidden = !match;
      shown += match ? 1 : 0;
    });
    buttons.forEach(function (other) { other.setAttribute("aria-pressed", String(other === button && !!tag)); });
    if (status) {
      status.textContent = tag ? "Showing " + shown + " of " + entries.length + " leaflets: " + button.textContent +
        ". Press it again to show all." : "Showing all " + entries.length + " leaflets.";
    }
  }

  Array.prototype.forEach.call(list.querySelectorAll("li[data-filter]"), function (item) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "filter";
    button.textContent = item.textContent;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-pressed") === "true" ? "" : item.getAttribute("data-filter"), button);
    });
    item.textContent = "";
    item.appendChild(button);
    buttons.push(button);
  });
})();
