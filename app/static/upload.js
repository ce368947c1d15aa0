// Upload forms (class "upload-form"): a progress bar fed by htmx's xhr progress events, and a
// size check before sending. Without JavaScript the form is posted as a plain form.
(function () {
  "use strict";
  if (window.plenaryUploads) { return; }  // the script may be included by a swapped fragment
  window.plenaryUploads = true;

  function formOf(event) {
    var target = event.target;
    return target && target.closest ? target.closest("form.upload-form") : null;
  }

  function fileError(form, message) {
    var error = form.querySelector("#error-file");
    var input = form.querySelector("input[type=file]");
    if (!error || !input) { return; }
    error.textContent = message || "";
    error.hidden = !message;
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  function tooLarge(form) {
    var input = form.querySelector("input[type=file]");
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    var file = input && input.files && input.files[0];
    return Boolean(file && limit && file.size > limit);
  }

  document.addEventListener("change", function (event) {
    var form = formOf(event);
    if (!form || event.target.type !== "file") { return; }
    fileError(form, tooLarge(form) ? form.getAttribute("data-too-large") : "");
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event);
    if (!form) { return; }
    if (tooLarge(form)) {
      event.preventDefault();
      fileError(form, form.getAttribute("data-too-large"));
      form.querySelector("input[type=file]").focus();
      return;
    }
    var box = form.querySelector(".upload-progress");
    if (box) {
      box.hidden = false;
      box.querySelector("progress").value = 0;
    }
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = formOf(event);
    var box = form && form.querySelector(".upload-progress");
    if (!box || !event.detail || !event.detail.lengthComputable) { return; }
    var percent = Math.floor((event.detail.loaded / event.detail.total) * 100);
    box.querySelector("progress").value = percent;
    var label = box.querySelector(".upload-percent");
    // Announce in steps of 10 % so screen readers are not flooded.
    var step = Math.floor(percent / 10) * 10 + " %";
    if (label.textContent !== step) { label.textContent = step; }
  });
})();
