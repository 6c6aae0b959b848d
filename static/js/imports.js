// The import page: upload with a progress bar, then follow the job until it finishes.
// Without JavaScript the form posts normally and the job page shows the result.
(function () {
  "use strict";

  const PHASES = { upload: "上传文件", queued: "排队等待", read: "读取文件", check: "逐行校验", write: "写入数据库", done: "完成" };

  function show(box, fraction, label) {
    box.hidden = false;
    box.querySelector(".progress-fill").style.width = Math.round(fraction * 100) + "%";
    box.querySelector(".progress-label").textContent = label;
  }

  function describe(state) {
    const phase = PHASES[state.phase] || "处理中";
    if (state.total) {
      return [state.done / state.total, `${phase}：${state.done.toLocaleString()} / ${state.total.toLocaleString()} 行`];
    }
    return [state.phase === "done" ? 1 : 0.05, phase + "…"];
  }

  function poll(url, box, onFinished) {
    let stopped = false;
    (async function loop() {
      while (!stopped) {
        try {
          const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
          if (response.ok) {
            const state = await response.json();
            const [fraction, label] = describe(state);
            show(box, fraction, label);
            if (state.finished) { stopped = true; onFinished(state); return; }
          }
        } catch (error) { /* the server is busy with the import itself: keep trying */ }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    return () => { stopped = true; };
  }

  const form = document.getElementById("import-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) return;
      event.preventDefault();
      const box = document.getElementById("import-progress");
      const errorBox = document.getElementById("import-error");
      const button = form.querySelector("button[type=submit]");
      const token = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
      form.querySelector("input[name=progress_token]").value = token;
      errorBox.hidden = true;
      button.disabled = true;
      let stopPolling = null;

      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) show(box, e.loaded / e.total, `上传文件：${Math.round((100 * e.loaded) / e.total)}%`);
      };
      xhr.upload.onload = () => {
        show(box, 0.02, "服务器正在处理…");
        stopPolling = poll(form.dataset.progressUrl.replace("TOKEN", token), box, () => {});
      };
      xhr.onload = () => {
        if (stopPolling) stopPolling();
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 200 && body.url) { window.location.href = body.url; return; }
        button.disabled = false;
        box.hidden = true;
        errorBox.hidden = false;
        errorBox.textContent = (body.errors && body.errors.join(" ")) || `提交失败（${xhr.status}），请重试。`;
      };
      xhr.onerror = () => {
        if (stopPolling) stopPolling();
        button.disabled = false;
        errorBox.hidden = false;
        errorBox.textContent = "网络中断，文件没有提交成功，请重试。";
      };
      xhr.send(new FormData(form));
    });
  }

  const running = document.getElementById("job-progress");
  if (running) {
    poll(running.dataset.statusUrl, running.querySelector(".progress"), () => window.location.reload());
  }
})();
