// Baikoo's one site-wide script (loaded by templates/base.html; no inline script anywhere,
// see docs/architecture.md). It only improves pages that work without it:
// - the navigation folds behind a "Menu" button on narrow screens;
// - an htmx request that meets an expired session (401), a refusal (403) or a failure
//   says so above the page and swaps nothing, so what the person typed stays on the page.

document.documentElement.classList.add("js");

function setUpMenu() {
  const button = document.querySelector(".menu-button");
  const nav = document.getElementById("site-nav");
  if (!button || !nav) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
}

function showNotice(text, link) {
  const box = document.getElementById("session-notice");
  if (!box) return;
  const p = document.createElement("p");
  p.textContent = text;
  box.replaceChildren(p);
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    a.target = "_blank";
    a.rel = "noopener";
    a.className = "button primary";
    box.append(a);
  }
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

function onHtmxError(event) {
  const box = document.getElementById("session-notice");
  if (!box) return;
  const xhr = event.detail && event.detail.xhr;
  const status = xhr ? xhr.status : 0;
  if (status === 401) {
    const next = window.location.pathname + window.location.search;
    const url = `${box.dataset.signInUrl}?next=${encodeURIComponent(next)}`;
    showNotice(box.dataset.signedOut, { href: url, text: box.dataset.signInLabel });
  } else if (status === 403) {
    const reason = xhr.getResponseHeader("X-Baikoo-Reason") || "";
    showNotice(`${box.dataset.forbidden} ${decodeURIComponent(reason)}`.trim());
  } else {
    showNotice(box.dataset.failed);
  }
}

document.addEventListener("DOMContentLoaded", setUpMenu);
document.addEventListener("htmx:responseError", onHtmxError);
document.addEventListener("htmx:sendError", onHtmxError);
document.addEventListener("htmx:afterRequest", (event) => {
  // A later success hides an earlier notice.
  const box = document.getElementById("session-notice");
  if (box && event.detail && event.detail.successful) box.hidden = true;
});
