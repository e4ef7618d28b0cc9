// Progressive enhancement only: every form works without this file.
(() => {
  "use strict";

  // Copy buttons: <button data-copy="#selector">.
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    const field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });

  // Show the recognised service as soon as a URL is pasted, not only after saving.
  const detect = async (input) => {
    const row = input.closest("[data-row]");
    const tag = row && row.querySelector("[data-svc]");
    if (!tag) return;
    const url = input.value.trim();
    let info = null;
    if (url) {
      try {
        const res = await fetch(`/admin/detect?url=${encodeURIComponent(url)}`, { credentials: "same-origin" });
        if (res.ok) info = await res.json();
      } catch {
        info = null;
      }
    }
    tag.replaceChildren();
    if (info) {
      const img = document.createElement("img");
      img.src = `/assets/icons/${info.id}.svg`;
      img.alt = "";
      img.width = 20;
      img.height = 20;
      const name = document.createElement("span");
      name.textContent = info.name;
      tag.append(img, name);
    } else {
      const hint = document.createElement("span");
      hint.className = "muted";
      hint.textContent = url ? "Other link" : "Paste a URL";
      tag.append(hint);
    }
  };
  let timer;
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-detect")) return;
    clearTimeout(timer);
    timer = setTimeout(() => detect(input), 250);
  });
})();
