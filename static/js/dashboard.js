// The dashboard page: draws each panel's Plotly figure (embedded as JSON by the server),
// toggles the tables beside the charts, sorts them, and submits the period picker.
// Everything is served by the app itself: no request leaves the closed network.
(function () {
  "use strict";

  // Plotly's own words (modebar tips, dates) in Chinese.
  var LOCALE = {
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放", "Box Select": "框选", "Click to enter Colorscale title": "点击输入色阶标题",
      "Download plot as a png": "下载为 PNG 图片", "Download plot": "下载图片", "Lasso Select": "套索选择",
      "Orbital rotation": "轨道旋转", "Pan": "平移", "Produced with Plotly.js": "由 Plotly.js 生成",
      "Reset": "重置", "Reset axes": "重置坐标轴", "Reset view": "重置视图", "Reset camera to default": "重置视角",
      "Snapshot succeeded": "截图成功", "Taking snapshot - this may take a few seconds": "正在截图，请稍候",
      "Toggle Spike Lines": "切换参考线", "Toggle show closest data on hover": "切换悬停显示最近数据",
      "Show closest data on hover": "悬停显示最近数据", "Compare data on hover": "悬停比较数据",
      "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["日", "一", "二", "三", "四", "五", "六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      date: "%Y-%m-%d", decimal: ".", thousands: ","
    }
  };

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    locale: "zh-CN",
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "sendDataToCloud"]
  };

  function mercatorY(lat) {
    lat = Math.max(Math.min(lat, 85), -85);
    return Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  }

  // A map figure carries its shapes' bounds: fit them to the element's real size.
  function fitMap(figure, el) {
    var bounds = figure.layout.meta && figure.layout.meta.bounds;
    if (!bounds || !figure.layout.map) return;
    // The colour scale takes its width off the map's.
    var width = (el.clientWidth || 600) - (figure.layout.meta.colorbar_px || 0), height = figure.layout.height || 420;
    var lonSpan = Math.max(bounds[2] - bounds[0], 1e-6) / 360;
    var latSpan = Math.max(mercatorY(bounds[3]) - mercatorY(bounds[1]), 1e-6) / (2 * Math.PI);
    var zoom = Math.min(Math.log2((width * 0.9) / 512 / lonSpan), Math.log2((height * 0.9) / 512 / latSpan));
    figure.layout.map.zoom = Math.max(0, Math.min(16, Math.round(zoom * 100) / 100));
  }

  function showTable(panel) {
    var table = panel.querySelector(".panel-table");
    var button = panel.querySelector("[data-toggle-table]");
    if (table) table.hidden = false;
    if (button) button.setAttribute("aria-expanded", "true");
  }

  function failed(el, message) {
    el.classList.add("chart-failed");
    el.innerHTML = "";
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = message;
    el.appendChild(p);
    showTable(el.closest(".panel"));
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    fitMap(figure, el);
    if (el.clientWidth < 500 && figure.layout.xaxis && figure.layout.xaxis.nticks) figure.layout.xaxis.nticks = 6;
    el.innerHTML = "";
    // A sized box: a responsive chart then only ever changes its width.
    el.style.height = (figure.layout.height || 340) + "px";
    var isMap = (figure.data || []).some(function (t) { return /map$/.test(t.type || ""); });
    try {
      Plotly.newPlot(el, figure.data, figure.layout, CONFIG).then(function () {
        el.dataset.drawn = "1";
        if (isMap) printableMap(el, figure);
      }, function () {
        failed(el, isMap ? "地图无法显示（浏览器不支持 WebGL），已改为表格。" : "图表无法显示，已改为表格。");
      });
    } catch (err) {
      failed(el, isMap ? "地图无法显示（浏览器不支持 WebGL），已改为表格。" : "图表无法显示，已改为表格。");
    }
  }

  // A map is drawn by WebGL, which printers often leave blank: keep a picture of it that
  // the print stylesheet shows instead.
  function printableMap(el, figure) {
    el.classList.add("is-map");
    Plotly.toImage(el, { format: "png", width: el.clientWidth, height: figure.layout.height || 460, scale: 2 })
      .then(function (url) {
        var img = document.createElement("img");
        img.className = "print-map";
        img.alt = el.getAttribute("aria-label") || "";
        img.src = url;
        el.insertAdjacentElement("afterend", img);
      }, function () { /* no picture: the live map prints as it can */ });
  }

  function drawAll() {
    if (!window.Plotly) {
      document.querySelectorAll(".chart").forEach(function (el) { failed(el, "图表脚本未能加载，已改为表格。"); });
      return;
    }
    Plotly.register(LOCALE);
    var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-figure]"));
    // One chart per frame, top first: the page stays responsive while a city's panels draw.
    (function next(i) {
      if (i >= charts.length) return;
      draw(charts[i]);
      window.requestAnimationFrame(function () { next(i + 1); });
    })(0);
  }

  // Printing lays the panels out one under another at the paper's width: redraw the
  // charts at that width before the page is printed, and back afterwards.
  var PRINT_WIDTH = 680; // A4 portrait between 12 mm margins, in CSS pixels, less a little
  var printing = false;
  function printLayout(on) {
    if (!window.Plotly || on === printing) return;
    printing = on;
    document.querySelectorAll(".chart[data-drawn]").forEach(function (el) {
      if (on) Plotly.relayout(el, { width: PRINT_WIDTH });
      else Plotly.relayout(el, { width: null, autosize: true });
    });
  }
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) print.addEventListener("change", function (e) { printLayout(e.matches); });
  }
  window.addEventListener("beforeprint", function () { printLayout(true); });
  window.addEventListener("afterprint", function () { printLayout(false); });

  // "表格": show or hide a panel's table.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toggle-table]");
    if (!button) return;
    var table = document.getElementById(button.dataset.toggleTable);
    if (!table) return;
    table.hidden = !table.hidden;
    button.setAttribute("aria-expanded", String(!table.hidden));
    button.classList.toggle("on", !table.hidden);
  });

  // Sortable tables: click a header to sort by it, again to reverse.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("table.sortable th .sort");
    if (!button) return;
    var th = button.closest("th"), table = th.closest("table"), tbody = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.classList.contains("num");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.sort, y = b.cells[index].dataset.sort;
      if (x === "" && y === "") return 0;
      if (x === "") return 1; // unknown values last, either way
      if (y === "") return -1;
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-CN");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  });

  // The period picker: a kind submits at once (custom waits for its dates).
  function periodPicker(form) {
    function submit() {
      var custom = form.querySelector("input[name=period][value=custom]").checked;
      form.querySelectorAll(".custom input").forEach(function (input) { input.disabled = !custom; });
      form.querySelector(".when input").disabled = custom;
      form.submit();
    }
    form.addEventListener("change", function (event) {
      var input = event.target;
      form.querySelectorAll(".kind").forEach(function (label) {
        label.classList.toggle("on", label.querySelector("input").checked);
      });
      if (input.name === "period" && input.value === "custom") {
        form.querySelector(".custom input").focus();
        return;
      }
      if (input.name === "period" || input.name === "date") submit();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
  }

  document.querySelectorAll(".period-picker").forEach(periodPicker);
  drawAll();
})();
