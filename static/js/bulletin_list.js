/* 全选: tick or untick every draft of the list. */
document.querySelector("[data-pick-all]")?.addEventListener("change", (e) => {
  document.querySelectorAll("input[name=ids]").forEach((box) => {
    box.checked = e.target.checked;
  });
});
