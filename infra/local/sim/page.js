(function () {
  "use strict";
  var body = document.body;
  var openid = body.dataset.openid;
  var chat = document.getElementById("chat");
  var lastSeq = 0, lastAt = 0, busy = false, polling = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  // ---- the conversation

  function textInto(node, parts) {
    (parts || []).forEach(function (p) {
      node.appendChild(p.href ? link(p.href, p.text) : document.createTextNode(p.text));
    });
    return node;
  }

  var viaNames = { custom: "客服消息", template: "模板消息", subscribe: "订阅通知" };

  function content(e) {
    switch (e.kind) {
      case "location":
        var loc = el("div", "loc");
        loc.appendChild(el("b", null, e.title));
        loc.appendChild(el("small", null, e.detail));
        loc.appendChild(el("div", "loc-map"));
        return loc;
      case "articles":
        var news = el("div", "news");
        e.articles.forEach(function (a, i) {
          var item = link(a.url || "#", null);
          if (i === 0) {
            var lead = el("div", "lead");
            lead.appendChild(el("div", "cover", "文"));
            lead.appendChild(el("h3", null, a.title));
            item.appendChild(lead);
            if (a.description && e.articles.length === 1) item.appendChild(el("div", "desc", a.description));
          } else {
            item.className = "item";
            item.appendChild(el("span", null, a.title));
            item.appendChild(el("div", "thumb"));
          }
          news.appendChild(item);
        });
        return news;
      case "card":
        var card = el("div", "card");
        card.appendChild(el("h3", null, e.title));
        card.appendChild(el("div", "when", e.time));
        var dl = el("dl");
        (e.fields || []).forEach(function (f) {
          dl.appendChild(el("dt", null, f.name));
          dl.appendChild(el("dd", null, f.value));
        });
        card.appendChild(dl);
        if (e.link) card.appendChild(link(e.link, "详情", "more-link"));
        return card;
    }
    return textInto(el("div", "bubble"), e.parts);
  }

  function render(e) {
    var at = Date.parse(e.at);
    if (!lastAt || at - lastAt > 5 * 60 * 1000) chat.appendChild(el("div", "time", e.time));
    lastAt = at;
    if (e.side === "note") {
      var note = el("div", "note" + (e.kind === "failure" ? " failure" : ""));
      note.appendChild(textInto(el("span"), e.parts));
      if (e.detail) note.appendChild(el("small", null, e.detail));
      return note;
    }
    var row = el("div", "row " + e.side);
    row.appendChild(el("div", "avatar", e.side === "me" ? "我" : "文"));
    var stack = el("div", "stack");
    if (viaNames[e.via]) stack.appendChild(el("div", "via", viaNames[e.via]));
    stack.appendChild(content(e));
    row.appendChild(stack);
    return row;
  }

  function show(answer) {
    var added = false;
    answer.entries.forEach(function (e) {
      if (e.seq <= lastSeq) return;
      var empty = chat.querySelector(".empty");
      if (empty) empty.remove();
      chat.appendChild(render(e));
      lastSeq = e.seq;
      added = true;
    });
    setFollowing(answer.following);
    if (added) chat.scrollTop = chat.scrollHeight;
  }

  function setFollowing(f) {
    body.dataset.following = String(f);
    document.getElementById("follow-state").textContent = f ? "已关注" : "未关注";
    document.getElementById("follow-toggle").textContent = f ? "不再关注" : "关注公众号";
    document.getElementById("follow-banner").hidden = f;
  }

  function problem(text) {
    chat.appendChild(render({ side: "note", kind: "failure", parts: [{ text: text }], at: new Date().toISOString(), time: "" }));
    chat.scrollTop = chat.scrollHeight;
  }

  function poll() {
    if (polling) return;
    polling = true;
    fetch("/_dev/feed?openid=" + encodeURIComponent(openid) + "&after=" + lastSeq)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (a) { if (a) show(a); })
      .catch(function () {})
      .then(function () {
        polling = false;
        if (!lastSeq && !chat.firstChild) chat.appendChild(el("p", "empty", "还没有消息。点击底部菜单，或点左下角的键盘图标发送「电影」试试。"));
      });
  }

  function send(action) {
    if (busy) return Promise.resolve();
    busy = true;
    action.openid = openid;
    action.after = lastSeq;
    document.body.classList.add("sending");
    return fetch("/_dev/send", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(action) })
      .then(function (r) {
        return r.json().then(function (a) {
          if (r.ok) show(a);
          else problem("操作未完成：" + ((a.error && a.error.message) || r.status));
        });
      })
      .catch(function () { problem("无法连接本机服务，请确认运行器仍在运行。"); })
      .then(function () { busy = false; document.body.classList.remove("sending"); });
  }

  // ---- sheets

  var scrim = document.getElementById("scrim");
  var sheetContext = {};

  function closeSheets() {
    document.querySelectorAll(".sheet").forEach(function (s) { s.hidden = true; });
    scrim.hidden = true;
  }

  function openSheet(id, ctx) {
    closeSheets();
    closePopups();
    closeTools();
    sheetContext = ctx || {};
    var s = document.getElementById(id);
    s.hidden = false;
    scrim.hidden = false;
    if (id === "sheet-scan") loadScenes();
    if (id === "sheet-ticket") loadTickets();
    if (id === "sheet-location") { setLocationMode(sheetContext.mode || "location"); placeLabels(); placePin(); }
    var first = s.querySelector("input:checked, input, select, button:not(.close)");
    if (first) first.focus();
  }

  scrim.addEventListener("click", closeSheets);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeSheets(); closePopups(); } });
  document.querySelectorAll(".sheet .close").forEach(function (b) { b.addEventListener("click", closeSheets); });
  document.querySelectorAll("[data-sheet]").forEach(function (b) {
    b.addEventListener("click", function () { openSheet(b.dataset.sheet, { mode: b.dataset.mode }); });
  });
  document.getElementById("who-open").addEventListener("click", function () { openSheet("sheet-who"); });
  document.getElementById("more-open").addEventListener("click", function () { openSheet("sheet-more"); });

  document.querySelector(".who-form").addEventListener("submit", function (e) {
    var other = document.getElementById("other-openid").value.trim();
    e.preventDefault();
    var checked = document.querySelector(".who-form input[name=openid]:checked");
    var id = other || (checked && checked.value);
    if (id) location.href = "/_dev/?openid=" + encodeURIComponent(id);
  });

  document.getElementById("follow-now").addEventListener("click", function () { send({ do: "follow" }); });
  document.getElementById("follow-toggle").addEventListener("click", function () {
    closeSheets();
    send({ do: body.dataset.following === "true" ? "unfollow" : "follow" });
  });

  // ---- the menu and the input

  var menubar = document.getElementById("menubar");
  var inputbar = document.getElementById("inputbar");
  var tools = document.getElementById("tools");
  var text = document.getElementById("text");

  function closePopups() {
    document.querySelectorAll(".popup").forEach(function (p) { p.hidden = true; });
    document.querySelectorAll("[data-popup]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
  }

  document.querySelectorAll("[data-popup]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      e.stopPropagation();
      var pop = document.getElementById(b.dataset.popup);
      var open = pop.hidden;
      closePopups();
      pop.hidden = !open;
      b.setAttribute("aria-expanded", String(open));
    });
  });
  document.addEventListener("click", function (e) { if (!e.target.closest(".popup")) closePopups(); });

  document.querySelectorAll(".menu-item").forEach(function (b) {
    b.addEventListener("click", function (e) {
      e.stopPropagation();
      closePopups();
      var d = b.dataset;
      switch (d.type) {
        case "click": send({ do: "click", key: d.key }); break;
        case "view": window.open(d.href, "_blank", "noopener"); send({ do: "view", key: d.url }); break;
        case "scancode_push": openSheet("sheet-scan", { key: d.key, name: d.name }); break;
        case "scancode_waitmsg": openSheet("sheet-ticket", { key: d.key, name: d.name }); break;
        case "location_select": openSheet("sheet-location", { mode: "location" }); break;
        default: problem("模拟器暂不支持这种菜单按钮：" + d.type);
      }
    });
  });

  document.getElementById("to-input").addEventListener("click", function () {
    menubar.hidden = true;
    inputbar.hidden = false;
    text.focus();
  });
  document.getElementById("to-menu").addEventListener("click", function () {
    inputbar.hidden = true;
    closeTools();
    menubar.hidden = false;
  });
  var plus = document.getElementById("plus");
  function closeTools() {
    tools.hidden = true;
    plus.setAttribute("aria-expanded", "false");
  }
  plus.addEventListener("click", function () {
    tools.hidden = !tools.hidden;
    plus.setAttribute("aria-expanded", String(!tools.hidden));
  });
  inputbar.addEventListener("submit", function (e) {
    e.preventDefault();
    var t = text.value.trim();
    if (!t) return;
    send({ do: "text", text: t }).then(function () { text.value = ""; text.focus(); });
  });

  // ---- location

  var map = document.getElementById("map");
  var pin = document.getElementById("pin");
  var picked = null;

  function setLocationMode(mode) {
    document.getElementById("loc-title").textContent = mode === "report" ? "上报地理位置" : "发送位置";
    document.getElementById("send-location").classList.toggle("primary", mode !== "report");
    document.getElementById("report-location").classList.toggle("primary", mode === "report");
  }

  function pick(p) {
    picked = p;
    document.querySelectorAll(".venue.picked, .chip.picked").forEach(function (n) { n.classList.remove("picked"); });
    if (p.venue) {
      document.querySelectorAll('[data-id="' + p.venue + '"], [data-venue="' + p.venue + '"]').forEach(function (n) { n.classList.add("picked"); });
    }
    placePin();
    placeLabels();
    document.getElementById("picked").textContent = "已选：" + p.label + "（北纬 " + p.lat.toFixed(4) + "，东经 " + p.lng.toFixed(4) + "）";
    document.getElementById("send-location").disabled = false;
    document.getElementById("report-location").disabled = false;
  }

  var md = map.dataset;
  // unit is how many drawing units make a CSS pixel at the current zoom.
  function unit() { return map.clientWidth ? map.viewBox.baseVal.width / map.clientWidth : 1; }
  function project(lat, lng) {
    return { x: (lng - md.lng0) * md.cos * md.scale, y: (md.lat0 - lat) * md.scale };
  }
  function unproject(x, y) {
    return { lat: md.lat0 - y / md.scale, lng: Number(md.lng0) + x / (md.cos * md.scale) };
  }
  function placePin() {
    if (!picked) return;
    var pt = project(picked.lat, picked.lng);
    pin.setAttribute("transform", "translate(" + pt.x + " " + pt.y + ") scale(" + unit() * 0.8 + ")");
    pin.removeAttribute("hidden");
  }

  // placeLabels puts each venue's name beside its dot, on the right, the left, above or
  // below, wherever it overlaps no name placed before; a name with no room is left out
  // (the dot keeps its tooltip, the list below the map has every name).
  function placeLabels() {
    var u = unit();
    map.style.setProperty("--u", u);
    var placed = [];
    var vb = map.viewBox.baseVal;
    var inside = function (r) { return r.x >= vb.x && r.y >= vb.y && r.x + r.w <= vb.x + vb.width && r.y + r.h <= vb.y + vb.height; };
    var gs = Array.prototype.slice.call(map.querySelectorAll(".venue"));
    gs.sort(function (a, b) { return b.classList.contains("picked") - a.classList.contains("picked"); });
    gs.forEach(function (g) {
      var t = g.querySelector("text");
      var at = g.transform.baseVal.consolidate().matrix;
      t.classList.remove("off");
      var spots = [[9, 4, "start"], [-9, 4, "end"], [0, -10, "middle"], [0, 17, "middle"]];
      for (var i = 0; i < spots.length; i++) {
        t.setAttribute("x", spots[i][0] * u);
        t.setAttribute("y", spots[i][1] * u);
        t.setAttribute("text-anchor", spots[i][2]);
        var b = t.getBBox();
        var r = { x: b.x + at.e, y: b.y + at.f, w: b.width, h: b.height };
        var clash = placed.some(function (q) { return r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h; });
        if (!clash && inside(r)) { placed.push(r); return; }
      }
      t.classList.add("off");
    });
  }

  var venues = Array.prototype.map.call(map.querySelectorAll(".venue"), function (g) {
    return { id: g.dataset.id, name: g.dataset.name, lat: Number(g.dataset.lat), lng: Number(g.dataset.lng) };
  });
  function pickVenue(id) {
    venues.forEach(function (v) { if (v.id === id) pick({ lat: v.lat, lng: v.lng, label: v.name, venue: v.id }); });
  }

  map.addEventListener("click", function (e) {
    var g = e.target.closest(".venue");
    if (g) { pickVenue(g.dataset.id); return; }
    var pt = map.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    var p = pt.matrixTransform(map.getScreenCTM().inverse());
    var ll = unproject(p.x, p.y);
    var near = null, best = Infinity;
    venues.forEach(function (v) {
      var d = Math.hypot((v.lat - ll.lat) * 111, (v.lng - ll.lng) * 111 * md.cos);
      if (d < best) { best = d; near = v; }
    });
    var label = near && best < 1.5 ? near.name + "附近" : "地图选点";
    pick({ lat: Math.round(ll.lat * 1e6) / 1e6, lng: Math.round(ll.lng * 1e6) / 1e6, label: label });
  });
  document.querySelectorAll("[data-venue]").forEach(function (b) {
    b.addEventListener("click", function () { pickVenue(b.dataset.venue); });
  });
  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var all = b.dataset.zoom === "all";
      map.setAttribute("viewBox", all ? md.full : md.city);
      map.classList.toggle("all", all);
      map.classList.toggle("city", !all);
      document.querySelectorAll("[data-zoom]").forEach(function (c) { c.setAttribute("aria-pressed", String(c === b)); });
      placeLabels();
      placePin();
    });
  });
  document.getElementById("send-location").addEventListener("click", function () {
    closeSheets();
    send({ do: "location", lat: picked.lat, lng: picked.lng, label: picked.label });
  });
  document.getElementById("report-location").addEventListener("click", function () {
    closeSheets();
    send({ do: "report", lat: picked.lat, lng: picked.lng, label: picked.label });
  });

  // ---- scanning

  function choice(title, detail, value, onPick) {
    var b = el("button", "choice");
    b.type = "button";
    b.dataset.value = value;
    b.appendChild(el("b", null, title));
    if (detail) b.appendChild(el("small", null, detail));
    b.addEventListener("click", onPick);
    return b;
  }

  function scanScene(s) {
    closeSheets();
    var a = { do: "scan", scene: s.scene, qrTicket: s.qrTicket, qrUrl: s.qrUrl, label: s.title || s.scene };
    if (sheetContext.key) { a.do = "scancode"; a.key = sheetContext.key; }
    send(a);
  }

  function loadScenes() {
    var list = document.getElementById("scene-list");
    document.getElementById("scan-title").textContent = sheetContext.name || "扫一扫";
    list.replaceChildren(el("p", "hint", "正在读取…"));
    fetch("/_dev/scenes").then(function (r) { return r.json(); }).then(function (a) {
      list.replaceChildren();
      if (!a.scenes || !a.scenes.length) { list.appendChild(el("p", "hint", "还没有可扫描的二维码")); return; }
      var group = "";
      a.scenes.forEach(function (s) {
        if (s.kind !== group) { group = s.kind; list.appendChild(el("h3", null, group)); }
        list.appendChild(choice(s.title, s.detail, s.scene, function () { scanScene(s); }));
      });
    }).catch(function () { list.replaceChildren(el("p", "hint", "读取失败，请重试")); });
  }

  document.getElementById("scene-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var v = document.getElementById("scene-text").value.trim();
    if (v) scanScene({ scene: v, title: v });
  });

  // The ticket scan is the menu's scancode_waitmsg button (工作人员检票).
  function ticketKey() {
    if (sheetContext.key) return sheetContext.key;
    var b = document.querySelector('.menu-item[data-type="scancode_waitmsg"]');
    return b ? b.dataset.key : "";
  }

  var owner = document.getElementById("ticket-owner");
  function loadTickets() {
    var list = document.getElementById("ticket-list");
    list.replaceChildren(el("p", "hint", "正在读取…"));
    fetch("/_dev/tickets?openid=" + encodeURIComponent(owner.value)).then(function (r) { return r.json(); }).then(function (a) {
      list.replaceChildren();
      if (a.error) { list.appendChild(el("p", "hint", a.error.message)); return; }
      if (!a.tickets.length) { list.appendChild(el("p", "hint", "该用户没有有效的电子票。可先以其身份预约。")); return; }
      a.tickets.forEach(function (t) {
        list.appendChild(choice(t.title, t.detail, t.ticket, function () { scanTicket(t.ticket, t.title); }));
      });
    }).catch(function () { list.replaceChildren(el("p", "hint", "读取失败，请重试")); });
  }
  owner.addEventListener("change", loadTickets);

  function scanTicket(ticket, label) {
    closeSheets();
    send({ do: "scancode", key: ticketKey(), result: ticket, label: label });
  }
  document.getElementById("ticket-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var v = document.getElementById("ticket-text").value.trim();
    if (v) scanTicket(v, "粘贴的电子票");
  });

  window.addEventListener("resize", function () { placeLabels(); placePin(); });
  poll();
  setInterval(poll, 1500);
})();
