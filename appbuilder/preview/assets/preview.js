// Draws the panels of one dashboard page from the payloads appbuilder precomputed (no network needed).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("preview-data").textContent);
  const state = {};
  window.previewErrors = [];
  data.variables.forEach(function (v) { state[v.name] = v.default; });

  function note(text) {
    const el = document.getElementById("preview-note");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function fillLand(spec) {
    (spec.layer || []).forEach(function (layer) {
      if (layer.data && layer.data.values === "@land") layer.data.values = window.APPBUILDER_LAND;
    });
    return spec;
  }

  function message(body, payload) {
    const div = document.createElement("div");
    div.className = "panel-message " + payload.kind;
    const icon = payload.kind === "error" ? "⚠ " : "";
    div.textContent = icon + payload.message;
    body.appendChild(div);
  }

  function table(body, payload) {
    const wrap = document.createElement("div");
    wrap.className = "panel-table";
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    payload.columns.forEach(function (c) {
      const th = document.createElement("th");
      th.textContent = c;
      head.appendChild(th);
    });
    const tbody = t.createTBody();
    payload.rows.forEach(function (r) {
      const tr = tbody.insertRow();
      r.forEach(function (cell) { tr.insertCell().textContent = cell; });
    });
    wrap.appendChild(t);
    body.appendChild(wrap);
    if (payload.total > payload.rows.length) {
      const more = document.createElement("div");
      more.className = "panel-footer";
      more.textContent = payload.rows.length + " of " + payload.total + " rows";
      body.appendChild(more);
    }
  }

  function draw(panel, payload) {
    const body = panel.querySelector(".panel-body");
    body.innerHTML = "";
    panel.dataset.kind = payload.kind;
    if (payload.kind === "vega") {
      const target = document.createElement("div");
      target.className = "panel-chart";
      body.appendChild(target);
      const spec = fillLand(JSON.parse(JSON.stringify(payload.spec)));
      spec.width = Math.max(body.clientWidth - 4, 40);
      spec.height = Math.max(body.clientHeight - 4, 30);
      spec.config = data.config;
      return window.vegaEmbed(target, spec, {renderer: "svg", actions: false}).then(function () {
        panel.dataset.drawn = "true";
      });
    }
    if (payload.kind === "svg") {
      body.innerHTML = payload.svg;
    } else if (payload.kind === "table") {
      table(body, payload);
    } else if (payload.kind === "text") {
      const div = document.createElement("div");
      div.className = "panel-text";
      div.innerHTML = payload.html;
      if (payload.background) div.style.background = payload.background;
      if (payload.color) div.style.color = payload.color;
      div.style.textAlign = payload.align;
      body.appendChild(div);
    } else {
      message(body, payload);
    }
    panel.dataset.drawn = "true";
    return Promise.resolve();
  }

  function titles() {
    document.querySelectorAll(".panel").forEach(function (panel) {
      const template = panel.dataset.titleTemplate;
      if (!template) return;
      const title = template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, function (m, name) {
        return name in state ? state[name] : m;
      });
      panel.querySelector(".panel-title").textContent = title;
    });
  }

  function precomputed() {
    const changed = data.variables.filter(function (v) { return state[v.name] !== v.default; });
    const chosen = Object.assign({}, data.views[""]);
    if (changed.length > 1) return null;
    if (changed.length === 1) {
      const view = data.views[changed[0].name + "=" + state[changed[0].name]];
      if (!view) return null;  // not precomputed (the served pages hold only the defaults)
      Object.assign(chosen, view);
    }
    const out = {};
    Object.keys(chosen).forEach(function (id) { out[id] = data.payloads[chosen[id]]; });
    return Promise.resolve(out);
  }

  function computed() {
    const query = new URLSearchParams({dashboard: data.dashboard});
    Object.keys(state).forEach(function (name) { query.append("var", name + "=" + state[name]); });
    return fetch("__preview/panels?" + query.toString()).then(function (r) { return r.json(); });
  }

  function render() {
    document.body.dataset.ready = "false";
    titles();
    let payloads = precomputed();
    if (payloads === null && data.serve) {
      payloads = computed();
    } else if (payloads === null) {
      note("The page holds each variable's values with the others at their defaults; " +
           "run `appbuilder preview --serve` to combine several.");
      data.variables.forEach(function (v) { if (v.name !== render.last) state[v.name] = v.default; });
      document.querySelectorAll(".variables select").forEach(function (s) { s.value = state[s.name]; });
      payloads = precomputed();
    }
    return payloads.then(function (byPanel) {
      const panels = Array.from(document.querySelectorAll(".panel[data-panel]"));
      return Promise.all(panels.map(function (panel) {
        const payload = byPanel[panel.dataset.panel];
        if (!payload) return Promise.resolve();
        return draw(panel, payload).catch(function (err) {
          window.previewErrors.push(panel.dataset.panel + ": " + err);
          draw(panel, {kind: "error", message: "Could not draw the chart: " + err});
        });
      }));
    }).then(function () { document.body.dataset.ready = "true"; });
  }

  document.querySelectorAll(".variables select").forEach(function (select) {
    select.addEventListener("change", function () {
      note("");
      state[select.name] = select.value;
      render.last = select.name;
      render();
    });
  });

  if (data.serve) {
    let version = null;
    setInterval(function () {
      fetch("__preview/version").then(function (r) { return r.text(); }).then(function (v) {
        if (version !== null && v !== version) window.location.reload();
        version = v;
      }).catch(function () {});
    }, 1000);
  }

  window.addEventListener("error", function (e) { window.previewErrors.push(String(e.message)); });
  render();
})();
