// The remedy overlay, drawn only in the top-level page, from an isolated world of its own.
//
// It runs with the watcher in our isolated world of each frame (see interceptor/channel.py);
// only the top frame's copy draws. Python calls globalThis.__interceptorOverlay.show(card)
// there. The page's own scripts run in the main world: they cannot see this object, call
// show(), patch the DOM methods used here, or read into the cards, whose shadow roots are
// closed. Every piece of text goes in through textContent, never as HTML. Each card is its
// own host element <interceptor-overlay data-interceptor-overlay data-rule="…">, stacked in a
// fixed dock that lets clicks outside the cards through to the page.
(function () {
  "use strict";
  if (window.top !== window || globalThis.__interceptorOverlay) return;

  var STYLE = [
    ":host { all: initial; display: block; pointer-events: auto; margin: 0 0 8px 0; }",
    ".card { box-sizing: border-box; width: 100%; max-height: 60vh; overflow: auto; background: #fffdf5;",
    "  color: #222; border: 1px solid #e0b252; border-left: 5px solid #d9822b; border-radius: 6px;",
    "  box-shadow: 0 4px 16px rgba(0,0,0,.18); padding: 10px 12px 10px 12px;",
    "  font: 13px/1.5 'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif; }",
    ".card.unknown { background: #f7f7f7; border-color: #c8c8c8; border-left-color: #999; color: #444; }",
    ".card.info { background: #f4f8fc; border-color: #b9d0e8; border-left-color: #5b8fc7; box-shadow: none;",
    "  padding: 6px 10px; font-size: 12px; }",
    ".info .title { color: #2d5a8a; font-size: 13px; font-weight: 600; }",
    ".info .who, .info ol, .info .row, .info .orig { display: none; }",
    ".head { display: flex; align-items: flex-start; gap: 8px; }",
    ".title { flex: 1; font-weight: 700; font-size: 14px; color: #8a3b00; }",
    ".unknown .title { color: #555; font-weight: 600; font-size: 13px; }",
    ".close { all: unset; cursor: pointer; font-size: 18px; line-height: 18px; color: #777; padding: 0 4px; }",
    ".close:hover, .close:focus { color: #000; outline: 1px dotted #999; }",
    ".who { margin: 4px 0; } .who span { display: inline-block; background: #d9822b; color: #fff;",
    "  border-radius: 3px; padding: 0 6px; margin-right: 4px; font-size: 12px; }",
    ".summary { margin: 4px 0; }",
    ".steps-label { margin-top: 4px; }",
    "ol { margin: 4px 0 4px 0; padding-left: 20px; } li { margin: 2px 0; }",
    ".row { margin: 3px 0; } .label { color: #8a6d3b; font-weight: 600; margin-right: 4px; }",
    ".menu { font-weight: 600; }",
    ".orig { margin-top: 6px; padding-top: 4px; border-top: 1px dashed #ddd; color: #666; font-size: 12px;",
    "  word-break: break-all; }",
    ".from { color: #a33; font-size: 12px; word-break: break-all; }",
    ".hidden-note { margin: 4px 0; padding: 3px 6px; background: #fff1e0; border-radius: 3px; font-size: 12px; color: #8a3b00; }",
    ".hint { color: #888; font-size: 12px; }",
    ".compact > :not(.head):not(.orig) { display: none; } .compact .title { cursor: pointer; }",
    ".count { display: none; background: #8a3b00; color: #fff; border-radius: 8px; padding: 0 6px;",
    "  font-size: 12px; line-height: 18px; } .count.many { display: inline-block; }",
    ".more, .tab { all: unset; box-sizing: border-box; display: block; cursor: pointer; border-radius: 6px;",
    "  font: 12px/1.5 'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif; }",
    ".more { width: 100%; text-align: center; padding: 4px 8px; background: #fff7e8; color: #8a3b00;",
    "  border: 1px dashed #e0b252; }",
    ".tab { padding: 4px 10px; background: #d9822b; color: #fff; font-weight: 700;",
    "  box-shadow: 0 2px 8px rgba(0,0,0,.25); }",
    ".more:focus, .tab:focus { outline: 2px solid #8a3b00; }"
  ].join("\n");

  // At most this many cards are open; older ones are listed as 还有 N 条 until asked for.
  var MAX_OPEN = 3;
  var TAB_SIZE = { width: 150, height: 30 };

  var HOST_STYLE = "display: block !important; visibility: visible !important; opacity: 1 !important; " +
                   "transform: none !important; position: static !important;";
  var HIDDEN_STYLE = "display: none !important;";
  var collapsed = false;   // no free corner: only a small tab shows, the person opens it
  var expanded = false;    // the person opened the tab (kept until every card is closed)
  var showAll = false;     // the person asked for the older cards too
  var more = null, tab = null;  // our two control hosts, with closed roots
  var dock = null;
  var cards = [];              // hosts, oldest first
  var state = new WeakMap();   // host -> { root, data, close }
  var DOCK_STYLE = {
    position: "fixed", "z-index": "2147483647", right: "8px", bottom: "8px", left: "auto", top: "auto",
    width: "330px", "max-width": "calc(100vw - 16px)", "max-height": "calc(100vh - 16px)",
    "overflow-y": "auto", display: "flex", "flex-direction": "column", margin: "0", padding: "0",
    border: "0", "pointer-events": "none", background: "transparent", transform: "none", opacity: "1",
    visibility: "visible", "box-sizing": "border-box", "clip-path": "none", filter: "none"
  };
  var placed = { width: "330px", left: "auto", right: "8px", top: "auto", bottom: "8px" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function wanted(k) {
    return Object.prototype.hasOwnProperty.call(placed, k) ? placed[k] : DOCK_STYLE[k];
  }

  function styleDock() {
    if (!dock) return;
    // Each property !important so page CSS (even `* {…}` rules) cannot move or hide the
    // dock; the dock itself takes no clicks, only its cards do. Only properties that differ
    // are written, so our own writes do not wake the guard below again and again.
    Object.keys(DOCK_STYLE).forEach(function (k) {
      var value = wanted(k);
      if (dock.style.getPropertyValue(k) !== value || dock.style.getPropertyPriority(k) !== "important") {
        dock.style.setProperty(k, value, "important");
      }
    });
  }

  function ensureDock() {
    if (dock && dock.isConnected) return dock;
    if (!dock) dock = document.createElement("interceptor-dock");
    styleDock();
    (document.documentElement || document).appendChild(dock);
    watchDock();
    return dock;
  }

  // The page may remove or restyle the dock (a framework re-rendering <html>, or a hostile
  // script). While cards are open we put it back, a bounded number of times per second so a
  // page that fights us cannot make us spin.
  var repairs = 0, repairWindow = 0;
  var guard = new MutationObserver(function () {
    try {
      if (!cards.length || !dock) return;
      var now = Date.now();
      if (now - repairWindow > 1000) { repairWindow = now; repairs = 0; }
      if (repairs > 20) return;
      repairs++;
      if (dock.getAttribute("hidden") !== null) dock.removeAttribute("hidden");
      if (!dock.isConnected) { (document.documentElement || document).appendChild(dock); watchDock(); }
      render();
    } catch (e) { /* never disturb the page */ }
  });
  function watchDock() {
    guard.disconnect();
    // Only the dock's parent (its removal) and the dock's own subtree (its cards, their
    // style): nothing else of the page, so a busy page costs us nothing.
    if (dock.parentNode) guard.observe(dock.parentNode, { childList: true });
    guard.observe(dock, { childList: true, subtree: true, attributes: true,
                          attributeFilter: ["style", "hidden", "class"] });
  }

  function build(data) {
    var host = document.createElement("interceptor-overlay");
    host.setAttribute("data-interceptor-overlay", "");
    host.setAttribute("data-rule", data.rule || "unknown");
    host.setAttribute("style", HOST_STYLE);
    var root = host.attachShadow({ mode: "closed" });
    var style = el("style"); style.textContent = STYLE; root.appendChild(style);
    var info = data.rule && data.severity === "info";
    var card = el("div", info ? "card info" : (data.rule ? "card" : "card unknown"));
    card.setAttribute("role", "note");
    var head = el("div", "head");
    var title = el("div", "title", data.rule ? data.title : "未识别的错误");
    title.addEventListener("click", function () { card.classList.remove("compact"); });
    head.appendChild(title);
    var count = el("span", "count", "");
    count.setAttribute("title", "同样的报错出现的次数");
    head.appendChild(count);
    var close = el("button", "close", "×");
    close.setAttribute("type", "button");
    close.setAttribute("aria-label", "关闭");
    close.setAttribute("title", "关闭（Esc）");
    close.addEventListener("click", function (ev) {
      if (!ev.isTrusted) return; // only the person closes a card, never a script
      ev.stopPropagation();
      remove(host);
    });
    head.appendChild(close);
    card.appendChild(head);
    if (data.hidden) {
      // The hall answered with this message but did not show it: the person saw nothing.
      card.appendChild(el("div", "hidden-note",
        "大厅没有在页面上显示这条消息：点了按钮没有反应，原因就在这里。"));
    }
    if (data.origin) {
      var from = el("div", "from");
      from.appendChild(el("span", "label", "来自"));
      from.appendChild(el("span", "", data.origin + "（页面中嵌入的其他网站）"));
      card.appendChild(from);
    }
    if (data.rule) {
      // The remedy's labelled rows, made once in Python (interceptor/remedy.py) for every view.
      (data.rows || []).forEach(function (row) {
        if (row.kind === "who") {
          var who = el("div", "who");
          who.appendChild(el("b", "label", row.label));
          row.value.forEach(function (w) { who.appendChild(el("span", "", w)); });
          card.appendChild(who);
        } else if (row.kind === "summary") {
          card.appendChild(el("div", "summary", row.value));
        } else if (row.kind === "steps") {
          card.appendChild(el("div", "label steps-label", row.label));
          var ol = el("ol");
          row.value.forEach(function (s) { ol.appendChild(el("li", "", s)); });
          card.appendChild(ol);
        } else {
          var line = el("div", "row");
          line.appendChild(el("span", "label", row.label));
          line.appendChild(el("span", row.kind === "menu" ? "menu" : "", row.value));
          card.appendChild(line);
        }
      });
    } else {
      card.appendChild(el("div", "hint", "助手不认识这条报错，可将下面的原文报告给维护人员。"));
    }
    var orig = el("div", "orig");
    orig.appendChild(el("span", "label", "原始报错"));
    var origText = el("span", "", data.text || "");
    orig.appendChild(origText);
    card.appendChild(orig);
    root.appendChild(card);
    state.set(host, { root: root, data: data, card: card, close: close, count: count, n: 1, orig: origText });
    return host;
  }

  function remove(host) {
    var i = cards.indexOf(host);
    if (i >= 0) cards.splice(i, 1);
    if (host.parentNode) host.parentNode.removeChild(host);
    if (!cards.length && dock) {
      guard.disconnect();
      if (dock.parentNode) dock.parentNode.removeChild(dock);
      dock = null;
      more = null; tab = null;
      collapsed = false; expanded = false; showAll = false;
      return;
    }
    render();
    place();
  }

  // Page controls the dock must not cover: the top page's own and those of same-origin frames.
  var CONTROLS = "button, input:not([type=hidden]), select, textarea, a[href], [role=button], .btn, " +
                 ".layui-layer-btn a, .el-button, .ant-btn";

  function obstacles(win, dx, dy, depth, out) {
    var doc;
    try { doc = win.document; } catch (e) { return; }
    if (!doc) return;
    var nodes = doc.querySelectorAll(CONTROLS);
    for (var i = 0; i < nodes.length && out.length < 400; i++) {
      var r = nodes[i].getBoundingClientRect();
      if (r.width > 0 && r.height > 0) out.push({ left: r.left + dx, top: r.top + dy, right: r.right + dx, bottom: r.bottom + dy });
    }
    if (depth > 3) return;
    var frames = doc.querySelectorAll("iframe, frame");
    for (var j = 0; j < frames.length; j++) {
      var fr = frames[j].getBoundingClientRect();
      try { if (frames[j].contentWindow) obstacles(frames[j].contentWindow, fr.left + dx, fr.top + dy, depth + 1, out); }
      catch (e) { /* cross-origin frame: its controls stay unknown */ }
    }
  }

  function overlap(a, b) {
    var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }

  // A control of ours (the 还有 N 条 line, the collapsed tab): its own host and closed root,
  // answering only the person's clicks.
  function control(cls, onClick) {
    var host = document.createElement("interceptor-control");
    host.setAttribute("data-interceptor-control", cls);
    var root = host.attachShadow({ mode: "closed" });
    var style = el("style"); style.textContent = STYLE; root.appendChild(style);
    var button = el("button", cls, "");
    button.setAttribute("type", "button");
    button.addEventListener("click", function (ev) {
      if (!ev.isTrusted) return;
      ev.stopPropagation();
      onClick();
    });
    root.appendChild(button);
    state.set(host, { root: root, button: button });
    return host;
  }

  function setStyle(host, wanted) {
    if (host.getAttribute("style") !== wanted) host.setAttribute("style", wanted);
    if (host.getAttribute("hidden") !== null) host.removeAttribute("hidden");
  }

  // Puts the dock's children in order and shows what should show: the newest MAX_OPEN cards
  // (all of them once asked), the 还有 N 条 line, or only the tab while collapsed. Also what
  // the guard calls to undo a page's changes.
  function render() {
    if (!dock) return;
    styleDock();
    if (!more) more = control("more", function () { showAll = true; render(); place(); });
    if (!tab) tab = control("tab", function () { expanded = true; collapsed = false; render(); place(); });
    var newestFirst = cards.slice().reverse();
    var hiddenCount = showAll ? 0 : Math.max(0, cards.length - MAX_OPEN);
    var tabOnly = collapsed && !expanded;
    var order = [tab].concat(newestFirst, [more]);
    order.forEach(function (host, i) {
      if (dock.children[i] !== host) dock.insertBefore(host, dock.children[i] || null);
    });
    newestFirst.forEach(function (host, i) {
      setStyle(host, !tabOnly && i < newestFirst.length - hiddenCount ? HOST_STYLE : HIDDEN_STYLE);
      // Older open cards fold to their title so several errors fit; a click unfolds them.
      var st = state.get(host);
      if (st) st.card.classList.toggle("compact", i >= 2);
    });
    state.get(more).button.textContent = "还有 " + hiddenCount + " 条较早的提示，点击展开";
    setStyle(more, !tabOnly && hiddenCount > 0 ? HOST_STYLE : HIDDEN_STYLE);
    state.get(tab).button.textContent = "报错处理方法（" + cards.length + " 条）";
    setStyle(tab, tabOnly ? HOST_STYLE : HIDDEN_STYLE);
  }

  function cornerCost(found, vw, vh, width, height, c) {
    var left = c[0] === "right" ? vw - 8 - width : 8;
    var top = c[1] === "bottom" ? vh - 8 - height : 8;
    var area = { left: left, top: top, right: left + width, bottom: top + height };
    var cost = 0;
    found.forEach(function (o) { cost += overlap(area, o); });
    return cost;
  }

  var CORNERS = [["right", "bottom"], ["right", "top"], ["left", "bottom"], ["left", "top"]];

  // Dock in whichever corner covers none of the page's controls (its own and those of
  // same-origin frames, mapped to the top page), narrowing if needed. When every corner would
  // cover one, the cards collapse to a small tab in the least busy corner; the person opens
  // it when they want to read (and then it may cover, by their choice).
  function place() {
    if (!dock) return;
    var found = [];
    try { obstacles(window, 0, 0, 0, found); } catch (e) { /* keep the default corner */ }
    var vw = document.documentElement.clientWidth || window.innerWidth;
    var vh = document.documentElement.clientHeight || window.innerHeight;
    var wasCollapsed = collapsed;
    if (collapsed) { collapsed = false; render(); }  // measure the cards as they would show
    var height = Math.min(dock.scrollHeight || 200, vh - 16);
    var best = null;
    [330, 280, 240].forEach(function (width) {
      CORNERS.forEach(function (c) {
        var cost = cornerCost(found, vw, vh, width, height, c);
        var rank = cost + (330 - width) * 2; // prefer the full width when it costs nothing
        if (best === null || rank < best.rank) best = { rank: rank, cost: cost, c: c, width: width };
      });
    });
    if (!best) return;
    collapsed = best.cost > 0 && !expanded;
    placed = {
      width: best.width + "px",
      left: best.c[0] === "left" ? "8px" : "auto",
      right: best.c[0] === "right" ? "8px" : "auto",
      top: best.c[1] === "top" ? "8px" : "auto",
      bottom: best.c[1] === "bottom" ? "8px" : "auto"
    };
    if (collapsed) {
      // The small tab fits between controls: try the corners, then the middle of each edge.
      var w = TAB_SIZE.width, h = TAB_SIZE.height, spots = [];
      [vw - 8 - w, 8, Math.round((vw - w) / 2)].forEach(function (x) {
        [vh - 8 - h, 8].forEach(function (y) { spots.push([x, y]); });
      });
      spots.push([vw - 8 - w, Math.round((vh - h) / 2)], [8, Math.round((vh - h) / 2)]);
      var spot = null;
      spots.forEach(function (xy) {
        var area = { left: xy[0], top: xy[1], right: xy[0] + w, bottom: xy[1] + h };
        var cost = 0;
        found.forEach(function (o) { cost += overlap(area, o); });
        if (spot === null || cost < spot.cost) spot = { cost: cost, x: xy[0], y: xy[1] };
      });
      placed = { width: w + "px", left: spot.x + "px", right: "auto", top: spot.y + "px", bottom: "auto" };
    }
    if (collapsed || wasCollapsed) render();
    styleDock();
  }

  function show(data) {
    try {
      if (!document.documentElement || !data || typeof data !== "object") return false;
      var d = ensureDock();
      // The same error again (same rule and values, or an unknown text that differs only in
      // its numbers): one card with a count, moved to the top, showing the latest text.
      var same = data.fold ? cards.filter(function (h) { return state.get(h).data.fold === data.fold; })[0] : null;
      if (same) {
        var st = state.get(same);
        st.n += 1;
        st.count.textContent = "×" + st.n;
        st.count.classList.add("many");
        st.orig.textContent = data.text || "";
        cards.splice(cards.indexOf(same), 1);
        cards.push(same);
      } else {
        cards.push(build(data));
      }
      render();
      d.scrollTop = 0;
      place();
      return true;
    } catch (e) {
      return false;
    }
  }

  function closeNewest() {
    if (cards.length) remove(cards[cards.length - 1]);
    return cards.length;
  }

  function box(e) {
    var r = e.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  }

  // What is drawn, newest first, as Python (and tests) see it: read from our own state,
  // never from attributes the page could have changed.
  function describe() {
    return cards.slice().reverse().map(function (host) {
      var s = state.get(host);
      return {
        key: s.data.key || null, rule: s.data.rule || null, origin: s.data.origin || null,
        severity: s.data.severity || null, hidden: !!s.data.hidden,
        text: s.root.textContent, steps: s.root.querySelectorAll("ol li").length,
        markup: s.root.querySelectorAll("img, script, iframe, object, embed, a").length,
        compact: s.card.classList.contains("compact"), connected: host.isConnected && !!dock && dock.isConnected,
        box: box(host), close: box(s.close), parent: host.parentNode ? host.parentNode.nodeName : null,
        count: s.n, shown: host.getAttribute("style") === HOST_STYLE && host.isConnected
      };
    });
  }

  // The dock as a whole: collapsed to its tab or not, the 还有 N 条 line, their boxes.
  function dockState() {
    var view = { cards: cards.length, collapsed: collapsed && !expanded, more: null, tab: null, dock: null };
    if (!dock) return view;
    view.dock = box(dock);
    if (more && more.getAttribute("style") === HOST_STYLE) {
      view.more = { text: state.get(more).button.textContent, box: box(more) };
    }
    if (tab && tab.getAttribute("style") === HOST_STYLE) {
      view.tab = { text: state.get(tab).button.textContent, box: box(tab) };
    }
    return view;
  }

  window.addEventListener("keydown", function (ev) {
    try { if (ev.isTrusted && ev.key === "Escape" && cards.length) closeNewest(); } catch (e) { /* ignore */ }
  }, true);
  window.addEventListener("resize", function () { try { place(); } catch (e) { /* ignore */ } });

  Object.defineProperty(globalThis, "__interceptorOverlay", {
    value: Object.freeze({
      show: show,
      count: function () { return cards.length; },
      closeNewest: closeNewest,
      describe: describe,
      dock: dockState,
      clear: function () { cards.slice().forEach(remove); return 0; }
    }),
    enumerable: false
  });
})();
//# sourceURL=interceptor-overlay.js
