// The big screen (大屏): a clock on the server's time, the key panels drawn in a dark
// layout and cycled every few seconds, and the page fetched again every minute with its
// figures swapped in place (Plotly.react, unchanged figures left alone), so the wall never
// flickers or goes blank. When a refresh fails the last figures stay and the foot says so.
(function () {
  "use strict";

  const body = document.body;
  if (!body || !body.classList.contains("screen")) return;

  const CYCLE_MS = Math.max(3, Number(body.dataset.cycle) || 15) * 1000;
  const REFRESH_MS = Math.max(5, Number(body.dataset.refresh) || 60) * 1000;
  const INK = "#e3ecf8";
  const MUTED = "#8fa6c4";
  const GRID = "rgba(143, 166, 196, 0.18)";
  const LINE = "rgba(143, 166, 196, 0.45)";
  const GOLD = "#e7b93c";
  const MAP_BACKGROUND = "#0a1c36";
  const CONFIG = { responsive: true, displayModeBar: false, displaylogo: false, scrollZoom: false };

  // ---------------------------------------------------------------------------------
  // The clock: the server's time (the wall's PC may be wrong) in the server's time zone.

  let offset = 0;
  function syncClock(source) {
    const serverNow = Number(source.dataset.now);
    if (Number.isFinite(serverNow) && serverNow > 0) offset = serverNow - Date.now();
  }

  const zone = body.dataset.tz || undefined;
  let dateFormat, timeFormat;
  try {
    dateFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, year: "numeric", month: "long", day: "numeric", weekday: "long" });
    timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  } catch (error) { // an unknown zone: the browser's own
    dateFormat = new Intl.DateTimeFormat("zh-CN", { year: "numeric", month: "long", day: "numeric", weekday: "long" });
    timeFormat = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  function tick() {
    const now = new Date(Date.now() + offset);
    setText(document.querySelector("[data-clock=date]"), dateFormat.format(now).replace(/\s+/g, " "));
    setText(document.querySelector("[data-clock=time]"), timeFormat.format(now));
    setTimeout(tick, 1000 - ((Date.now() + offset) % 1000) + 5);
  }

  // ---------------------------------------------------------------------------------
  // Figures: the server's Plotly figures with dark colours and the wall's type size.

  function fontSize() {
    return Math.round(Math.min(22, Math.max(13, window.innerWidth / 110)));
  }

  function withFont(font, extra) {
    return Object.assign({}, font, extra);
  }

  function darkLayout(source, box) {
    const layout = JSON.parse(JSON.stringify(source || {}));
    const size = fontSize();
    layout.paper_bgcolor = "rgba(0,0,0,0)";
    layout.plot_bgcolor = "rgba(0,0,0,0)";
    layout.font = withFont(layout.font, { color: INK, size: Math.max(size, (layout.font && layout.font.size) || 0) });
    delete layout.height;
    delete layout.width;
    delete layout.template;
    layout.autosize = true;
    if (typeof layout.title === "string") layout.title = { text: layout.title };
    if (layout.title) layout.title.font = withFont(layout.title.font, { color: INK });
    Object.keys(layout).forEach(function (key) {
      if (!/^[xy]axis\d*$/.test(key)) return;
      const axis = Object.assign({}, layout[key]);
      axis.gridcolor = GRID;
      axis.linecolor = LINE;
      axis.zerolinecolor = LINE;
      axis.tickfont = withFont(axis.tickfont, { color: INK, size: size });
      if (typeof axis.title === "string") axis.title = { text: axis.title };
      if (axis.title) axis.title.font = withFont(axis.title.font, { color: MUTED });
      layout[key] = axis;
    });
    layout.legend = Object.assign({}, layout.legend, { bgcolor: "rgba(0,0,0,0)" });
    layout.legend.font = withFont(layout.legend.font, { color: INK, size: size });
    layout.hoverlabel = Object.assign({}, layout.hoverlabel, { bgcolor: "#0b1f3b", bordercolor: GOLD });
    layout.hoverlabel.font = withFont(layout.hoverlabel.font, { color: "#ffffff", size: size });
    if (Array.isArray(layout.annotations)) {
      layout.annotations = layout.annotations.map(function (note) {
        const font = note.font || {};
        return Object.assign({}, note, { font: withFont(font, { color: INK, size: Math.max(font.size || 0, size - 3) }) });
      });
    }
    if (Array.isArray(layout.shapes)) {
      layout.shapes = layout.shapes.map(function (shape) { // shading reads heavier on a dark ground
        return shape.opacity ? Object.assign({}, shape, { opacity: shape.opacity * 0.6 }) : shape;
      });
    }
    if (layout.coloraxis && layout.coloraxis.colorbar) darkColorbar(layout.coloraxis.colorbar);
    if (layout.geo) Object.assign(layout.geo, { bgcolor: "rgba(0,0,0,0)", landcolor: MAP_BACKGROUND, showocean: false });
    if (layout.map) {
      // A blank map (no tiles: nothing leaves the network) on a dark ground, fitted to the box.
      if (!layout.map.style || typeof layout.map.style === "string") layout.map.style = DARK_MAP_STYLE;
      const bounds = layout.meta && layout.meta.bounds;
      if (Array.isArray(bounds) && box && box.clientWidth > 0) Object.assign(layout.map, fit(bounds, box.clientWidth, box.clientHeight));
    }
    return layout;
  }

  const DARK_MAP_STYLE = {
    version: 8, sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": MAP_BACKGROUND } }],
  };

  function mercatorY(lat) {
    const clipped = Math.max(Math.min(lat, 85), -85);
    return Math.log(Math.tan(Math.PI / 4 + (clipped * Math.PI) / 360));
  }

  // Centre and zoom that fit [west, south, east, north] in a box (the world is 512 px wide at zoom 0).
  function fit(bounds, width, height) {
    const [west, south, east, north] = bounds;
    const lonSpan = Math.max(east - west, 1e-6) / 360;
    const latSpan = Math.max(mercatorY(north) - mercatorY(south), 1e-6) / (2 * Math.PI);
    const zoom = Math.min(Math.log2((width * 0.9) / 512 / lonSpan), Math.log2((height * 0.9) / 512 / latSpan));
    return { center: { lon: (west + east) / 2, lat: (south + north) / 2 }, zoom: Math.max(0, Math.min(zoom, 16)) };
  }

  function darkColorbar(bar) {
    bar.tickfont = withFont(bar.tickfont, { color: INK });
    bar.outlinecolor = LINE;
    if (typeof bar.title === "string") bar.title = { text: bar.title };
    if (bar.title) bar.title.font = withFont(bar.title.font, { color: INK });
  }

  // The dashboard's colours made for a white page, and what they become on the dark wall.
  const DARK_COLOURS = {
    "#1d3f72": "#4f8fe8", // blue: bars, lines
    "#142c52": "#7fb2ff",
    "#4a6fa5": "#86acdf",
    "#1f2933": INK, // ink: text
    "#5f6b7a": MUTED,
    "#e6e9ef": GRID, // grid
    "#c8ced8": "#5d7090", // grey: unknown, zero lines
    "#1e8449": "#3fd08f", // good
    "#c0392b": "#ff6f61", // bad
    "#f7f3e3": "#27476f", // the heat scale's pale end: dark, so the hot areas stand out
    "#b8860b": GOLD, // last year's line
  };

  function parseFigure(text) {
    return JSON.parse(text, function (key, value) {
      return typeof value === "string" && value.charAt(0) === "#" ? DARK_COLOURS[value.toLowerCase()] || value : value;
    });
  }

  function darkData(data) {
    const size = fontSize();
    return (data || []).map(function (source) {
      const trace = JSON.parse(JSON.stringify(source));
      if (trace.type === "indicator") {
        if (trace.number) trace.number.font = withFont(trace.number.font, { size: Math.round(size * 3.2) });
        if (trace.title) trace.title.font = withFont(trace.title.font, { size: Math.round(size * 1.2) });
        if (trace.delta) trace.delta.font = withFont(trace.delta.font, { size: Math.round(size * 1.3) });
      }
      if (trace.colorbar) darkColorbar(trace.colorbar);
      if (trace.marker && trace.marker.colorbar) darkColorbar(trace.marker.colorbar);
      if (trace.textposition === "outside" || trace.type === "pie") trace.textfont = withFont(trace.textfont, { color: INK });
      if (/^choropleth/.test(trace.type || "")) {
        trace.marker = Object.assign({}, trace.marker);
        trace.marker.line = Object.assign({}, trace.marker.line, { color: "#4a6a96" });
      }
      if (trace.type === "pie" || trace.type === "sunburst") {
        trace.marker = Object.assign({}, trace.marker);
        trace.marker.line = Object.assign({}, trace.marker.line, { color: "#061326" });
      }
      return trace;
    });
  }

  function figureText(part) {
    const script = part.querySelector("script[type='application/json']");
    return script ? script.textContent : "";
  }

  function draw(part) {
    const box = part.querySelector(".sc-figure");
    const text = figureText(part);
    if (!box || !text || !window.Plotly) return;
    let figure;
    try {
      figure = parseFigure(text);
    } catch (error) {
      return;
    }
    const config = Object.assign({}, figure.config, CONFIG);
    const isMap = (figure.data || []).some(function (trace) { return /map/.test(trace.type || ""); });
    function failed() {
      box.dataset.failed = "1";
      box.innerHTML = `<p class="sc-failed">${isMap ? "地图无法显示（浏览器不支持 WebGL）。" : "图表无法显示。"}</p>`;
    }
    try {
      window.Plotly.react(box, darkData(figure.data), darkLayout(figure.layout, box), config).then(function () {
        box.dataset.drawn = "1";
      }, failed);
    } catch (error) {
      failed();
    }
  }

  function parts(root) {
    return Array.from(root.querySelectorAll(".sc-part"));
  }

  // ---------------------------------------------------------------------------------
  // Cycling: one panel at a time, cross-faded; dots, arrow keys and space (pause).

  let index = 0;
  let timer = null;
  let paused = false;

  function panels() {
    return Array.from(document.querySelectorAll(".sc-panel[data-index]"));
  }

  function show(next) {
    const list = panels();
    if (!list.length) return;
    index = ((next % list.length) + list.length) % list.length;
    list.forEach(function (panel, k) {
      const active = k === index;
      panel.classList.toggle("active", active);
      if (active) panel.removeAttribute("aria-hidden");
      else panel.setAttribute("aria-hidden", "true");
    });
    document.querySelectorAll(".sc-dots [data-go]").forEach(function (dot, k) {
      if (k === index) dot.setAttribute("aria-current", "true");
      else dot.removeAttribute("aria-current");
    });
    const stage = document.querySelector(".sc-stage");
    if (stage) stage.dataset.shown = list[index].dataset.panel;
    if (window.Plotly) list[index].querySelectorAll(".sc-figure[data-drawn]").forEach(function (box) { window.Plotly.Plots.resize(box); });
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (!paused && panels().length > 1) timer = setTimeout(function () { show(index + 1); }, CYCLE_MS);
  }

  document.addEventListener("click", function (event) {
    const dot = event.target.closest(".sc-dots [data-go]");
    if (dot) show(Number(dot.dataset.go));
    if (event.target.closest("[data-action=fullscreen]")) {
      const root = document.documentElement;
      if (document.fullscreenElement) document.exitFullscreen();
      else if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") show(index + 1);
    else if (event.key === "ArrowLeft") show(index - 1);
    else if (event.key === " ") {
      event.preventDefault();
      paused = !paused;
      status(paused ? "已暂停轮播（按空格继续）" : "");
      schedule();
    }
  });

  // ---------------------------------------------------------------------------------
  // Refresh: fetch the page again and swap what changed.

  function status(text) {
    setText(document.querySelector("[data-status]"), text);
  }

  function swapInner(doc, selector) {
    const now = document.querySelector(selector);
    const fresh = doc.querySelector(selector);
    if (now && fresh && now.innerHTML !== fresh.innerHTML) now.innerHTML = fresh.innerHTML;
  }

  function shapeOf(root) {
    return Array.from(root.querySelectorAll(".sc-panel[data-index]")).map(function (slide) {
      return slide.dataset.panel + ":" + parts(slide).map(function (part) { return part.dataset.part + "/" + part.dataset.kind; }).join(",");
    }).join("|");
  }

  function swap(doc) {
    syncClock(doc.body);
    swapInner(doc, "[data-live=kpis]");
    swapInner(doc, "[data-live=refreshed]");
    const stage = document.querySelector("[data-live=stage]");
    const freshStage = doc.querySelector("[data-live=stage]");
    if (!stage || !freshStage) return;
    if (shapeOf(stage) !== shapeOf(freshStage)) {
      if (window.Plotly) stage.querySelectorAll(".sc-figure").forEach(function (box) { window.Plotly.purge(box); }); // free the maps' WebGL
      stage.innerHTML = freshStage.innerHTML; // other slides: draw them all anew
      parts(stage).forEach(draw);
      show(Math.min(index, panels().length - 1));
      return;
    }
    const freshHeads = freshStage.querySelectorAll(".sc-panel-head");
    stage.querySelectorAll(".sc-panel-head").forEach(function (head, k) {
      if (head.innerHTML !== freshHeads[k].innerHTML) head.innerHTML = freshHeads[k].innerHTML;
    });
    const fresh = parts(freshStage);
    parts(stage).forEach(function (part, k) {
      const next = fresh[k];
      ["h3", ".sc-note", ".sc-table-wrap"].forEach(function (selector) {
        const a = part.querySelector(selector);
        const b = next.querySelector(selector);
        if (a && b && a.innerHTML !== b.innerHTML) a.innerHTML = b.innerHTML;
        else if (a && !b) a.remove();
        else if (!a && b) part.appendChild(b);
      });
      const script = part.querySelector("script[type='application/json']");
      const text = figureText(next);
      if (script && text && script.textContent !== text) {
        script.textContent = text; // only a changed figure is drawn again
        draw(part);
      }
    });
  }

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      })
      .then(function (html) {
        const doc = new DOMParser().parseFromString(html, "text/html");
        if (!doc.body || !doc.body.classList.contains("screen")) {
          window.location.reload(); // signed out meanwhile: show the sign-in page
          return;
        }
        swap(doc);
        status(paused ? "已暂停轮播（按空格继续）" : "");
        body.dataset.refreshes = String(Number(body.dataset.refreshes || 0) + 1);
      })
      .catch(function () {
        status("数据刷新失败，仍显示上次的数据，稍后自动重试。");
      })
      .finally(function () {
        setTimeout(refresh, REFRESH_MS);
      });
  }

  // Keep the wall's display awake where the browser allows it (secure contexts only).
  function keepAwake() {
    if (navigator.wakeLock && document.visibilityState === "visible") navigator.wakeLock.request("screen").catch(function () {});
  }
  document.addEventListener("visibilitychange", keepAwake);

  // A new size (another screen, a window made smaller): fit the figures to it again.
  let resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { parts(document).forEach(draw); }, 250);
  });

  syncClock(body);
  tick();
  parts(document).forEach(draw);
  show(0);
  keepAwake();
  setTimeout(refresh, REFRESH_MS);
})();
