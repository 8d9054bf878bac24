// Deck upload (DESIGN §3): choose or drop files, send them with a progress bar, then follow
// the server's checking of each image until it answers with the deck or the report.
// XMLHttpRequest, not fetch(): only it reports upload progress. No inline script (CSP).
"use strict";

(function () {
  const POLL_MS = 700;

  function format(template, values) {
    return template
      .replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""))
      .replace(/%%/g, "%");
  }

  function announce(detail) {
    // Tests (and anything else) can follow the phases without timing the bar.
    document.dispatchEvent(new CustomEvent("deck-upload:progress", { detail }));
  }

  function showMessage(text, isHtml) {
    const box = document.getElementById("messages");
    if (!box) return;
    if (isHtml) {
      box.innerHTML = text;
    } else {
      const p = document.createElement("p");
      p.className = "message message-error";
      p.setAttribute("role", "alert");
      p.textContent = text;
      box.replaceChildren(p);
    }
  }

  function describeChoice(form) {
    const input = form.querySelector("[data-upload-input]");
    const out = form.querySelector("[data-upload-chosen]");
    if (!input || !out) return;
    const names = Array.from(input.files || []).map((f) => f.name);
    out.textContent = names.length > 3 ? `${names.slice(0, 3).join(", ")} … (${names.length})` : names.join(", ");
  }

  function csrfToken(form) {
    const field = form.querySelector("input[name=csrftoken]");
    return field ? field.value : "";
  }

  function start(form) {
    const input = form.querySelector("[data-upload-input]");
    if (!input || !input.files || input.files.length === 0) return false;
    const box = form.querySelector("[data-upload-progress]");
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-upload-text]");
    const button = form.querySelector("[data-upload-submit]");
    box.hidden = false;
    button.disabled = true;
    let polling = null;

    function setBar(phase, value, max, message) {
      bar.max = Math.max(1, max);
      if (value === null) bar.removeAttribute("value"); // not known yet: the bar moves by itself
      else bar.value = value;
      text.textContent = message;
      box.dataset.phase = phase;
      announce({ phase, value, max });
    }

    function poll() {
      fetch(form.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : null))
        .then((state) => {
          if (!state || polling === null) return;
          if (state.total > 0) {
            setBar("checking", state.done, state.total, format(text.dataset.textChecking, state));
          }
        })
        .catch(() => {})
        .finally(() => {
          if (polling !== null) polling = window.setTimeout(poll, POLL_MS);
        });
    }

    function stopPolling() {
      if (polling !== null) window.clearTimeout(polling);
      polling = null;
    }

    function fail(message, isHtml) {
      stopPolling();
      button.disabled = false;
      box.dataset.phase = "failed";
      text.textContent = text.dataset.textFailed;
      if (message) showMessage(message, isHtml);
      announce({ phase: "failed" });
    }

    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("x-csrftoken", csrfToken(form));
    // Errors come back as a message fragment for #messages, as htmx would get them.
    request.setRequestHeader("HX-Request", "true");
    request.setRequestHeader("HX-Request-Type", "partial");
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((100 * event.loaded) / event.total);
      setBar("sending", percent, 100, format(text.dataset.textSending, { percent }));
    });
    request.upload.addEventListener("load", () => {
      setBar("checking", null, 1, text.dataset.textStarting);
      polling = window.setTimeout(poll, POLL_MS);
    });
    request.addEventListener("load", () => {
      stopPolling();
      const type = request.getResponseHeader("content-type") || "";
      if (request.getResponseHeader("HX-Redirect")) {
        window.location.assign(request.getResponseHeader("HX-Redirect"));
        return;
      }
      if (request.status >= 200 && request.status < 300 && type.includes("application/json")) {
        const answer = JSON.parse(request.responseText);
        setBar("done", 1, 1, text.textContent);
        announce({ phase: "done", status: answer.status });
        window.location.assign(answer.redirect);
        return;
      }
      fail(request.responseText, type.includes("text/html"));
    });
    request.addEventListener("error", () => fail(""));
    request.addEventListener("abort", () => fail(""));
    setBar("sending", 0, 100, format(text.dataset.textSending, { percent: 0 }));
    request.send(new FormData(form));
    return true;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload")) return;
    if (start(form)) event.preventDefault();
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "file") return;
    const form = target.form;
    if (form && form.hasAttribute("data-upload")) describeChoice(form);
    // "Replace" beside a refused file: choosing the file is the whole action.
    if (form && target.hasAttribute("data-autosubmit") && target.files && target.files.length) {
      form.requestSubmit();
    }
  });

  // Dropping files on the drop zone puts them into its file input.
  function zoneOf(event) {
    return event.target instanceof Element ? event.target.closest("[data-dropzone]") : null;
  }
  document.addEventListener("dragover", (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("is-over");
  });
  document.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event);
    if (zone) zone.classList.remove("is-over");
  });
  document.addEventListener("drop", (event) => {
    const zone = zoneOf(event);
    if (!zone || !event.dataTransfer || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    zone.classList.remove("is-over");
    const input = zone.querySelector("input[type=file]");
    input.files = event.dataTransfer.files;
    describeChoice(input.form);
  });
})();
