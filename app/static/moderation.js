// The triage queue (templates/moderation/queue.html): keyboard shortcuts and "select all".
// Every action is a plain form too; this script only makes the common moves faster.
//   j / k  next / previous paper      x  select it      a  accept      r  reject (reason)
//   o      open the paper             ?  show or hide the list of shortcuts
(function () {
  "use strict";
  if (window.plenaryQueue) { return; }
  window.plenaryQueue = true;

  var currentId = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-queue-row]"));
  }

  function currentIndex(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].id === currentId) { return i; }
    }
    return -1;
  }

  function markCurrent(row) {
    rows().forEach(function (r) { r.classList.remove("is-current"); });
    if (!row) { currentId = null; return; }
    currentId = row.id;
    row.classList.add("is-current");
    var link = row.querySelector("a[data-open]");
    if (link) { link.focus(); }
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) { return; }
    var index = currentIndex(list);
    var next = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + step));
    markCurrent(list[next]);
  }

  function current() {
    var list = rows();
    var index = currentIndex(list);
    return index < 0 ? null : list[index];
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "select" || tag === "textarea" || target.isContentEditable;
  }

  function toggleHelp() {
    var help = document.getElementById("queue-help");
    if (!help) { return; }
    help.open = !help.open;
    if (help.open) { help.querySelector("summary").focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var row = current();
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "?": toggleHelp(); break;
      case "x":
        if (row) {
          var box = row.querySelector("input[data-select]");
          if (box) { box.checked = !box.checked; }
        }
        break;
      case "a":
        if (row) {
          var accept = row.querySelector("button[data-shortcut=accept]");
          if (accept) { accept.click(); }
        }
        break;
      case "r":
        if (row) {
          var reject = row.querySelector("[data-shortcut=reject]");
          if (reject && reject.tagName === "DETAILS") {
            reject.open = true;
            var field = reject.querySelector("select, textarea");
            if (field) { field.focus(); }
          } else if (reject) {
            reject.click();  // htmx fetches the form (its reason list has autofocus)
          }
        }
        break;
      case "o":
        if (row) {
          var open = row.querySelector("a[data-open]");
          if (open) { window.location.assign(open.href); }
        }
        break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  // A click in a row makes it the current one, so that shortcuts act on it.
  document.addEventListener("click", function (event) {
    var row = event.target.closest ? event.target.closest("tr[data-queue-row]") : null;
    if (row) {
      currentId = row.id;
      rows().forEach(function (r) { r.classList.toggle("is-current", r === row); });
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[data-select-all]")) {
      rows().forEach(function (r) {
        var box = r.querySelector("input[data-select]");
        if (box) { box.checked = target.checked; }
      });
    } else if (target.matches && target.matches("input[data-select]") && !target.checked) {
      // "All" sends every paper of the page: it must not stay on when one is taken out.
      var all = document.querySelector("input[data-select-all]");
      if (all) { all.checked = false; }
    }
  });

  // After htmx swapped a row (or the results), keep the current row highlighted.
  document.addEventListener("htmx:afterSettle", function () {
    var row = currentId ? document.getElementById(currentId) : null;
    if (row) { row.classList.add("is-current"); }
  });
})();
