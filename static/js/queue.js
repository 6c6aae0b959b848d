// The early-warning pages: live countdowns to each task's deadline, the handle form's
// outcome-dependent fields, and the queue refreshing itself while nobody is typing.
// Without JavaScript the pages still work: the countdown shows the time the page was
// made, every field of the handle form is shown, and the server checks everything.
(function () {
  "use strict";

  const RED_BEFORE = 15 * 60 * 1000; // the last quarter of an hour is red
  const root = document.querySelector(".ew");
  if (!root) return;

  // The server's clock, not the phone's: the offset between them, fixed at load.
  const serverNow = Number(root.dataset.now);
  const offset = Number.isFinite(serverNow) && serverNow > 0 ? serverNow - Date.now() : 0;

  function clock(ms) {
    let seconds = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(seconds / 86400);
    seconds -= days * 86400;
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const text = `${hours}:${String(minutes).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
    return days ? `${days}天 ${text}` : text;
  }

  function tick() {
    const now = Date.now() + offset;
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (box) {
      const deadline = Number(box.dataset.deadline);
      const start = Number(box.dataset.start);
      const left = deadline - now;
      let colour;
      if (left < 0 || left < RED_BEFORE) colour = "red";
      else colour = deadline > start && left / (deadline - start) > 0.5 ? "green" : "amber";
      const text = left < 0 ? `已超期 ${clock(left)}` : `剩余 ${clock(left)}`;
      const target = box.querySelector(".cd-text") || box;
      if (target.textContent !== text) target.textContent = text;
      box.classList.remove("cd-green", "cd-amber", "cd-red");
      box.classList.add(`cd-${colour}`);
    });
  }

  // 止损金额 for 劝阻成功, 被骗金额 and 案件编号 for 已被骗: the rest stays out of the way.
  function syncOutcome(form) {
    const select = form.querySelector("select[name=outcome]");
    const chosen = select ? select.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (field) {
      field.hidden = field.dataset.showFor !== chosen;
    });
  }
  document.querySelectorAll("form[data-outcome-form]").forEach(function (form) {
    const select = form.querySelector("select[name=outcome]");
    if (select) select.addEventListener("change", function () { syncOutcome(form); });
    syncOutcome(form);
  });

  // A form the server refused is shown again by the action's URL: bring the task into
  // view, and put the page's own address back, so that reloading it is a plain GET.
  const here = root.dataset.here;
  const failed = document.querySelector(".task-card.has-error");
  if (failed) failed.scrollIntoView({ block: "start" });
  if (here && window.location.pathname + window.location.search !== here) {
    window.history.replaceState(null, "", here + (failed ? `#${failed.id}` : ""));
  }

  // Refresh the queue for new tasks — but never under someone's hands: not while a
  // field has been changed, has the focus, or a form panel is open.
  let dirty = false;
  document.addEventListener("input", function () { dirty = true; });
  const refresh = Number(root.dataset.refresh);
  if (refresh > 0) {
    setInterval(function () {
      const busy = dirty || document.querySelector("details[open]") ||
        (document.activeElement && document.activeElement.closest("form"));
      if (!busy && document.visibilityState === "visible") window.location.assign(here || window.location.pathname);
    }, refresh * 1000);
  }

  tick();
  setInterval(tick, 1000);
})();
