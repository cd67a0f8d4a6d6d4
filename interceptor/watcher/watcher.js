// The in-page watcher: runs in every frame, finds candidate error texts and hands them to
// Python through the `__interceptorReport` binding. It never decides which rule applies:
// Python classifies every text with the one RuleSet. Options arrive as JSON in
// window.__interceptorConfig (see the config prelude in __init__.py).
//
// It runs in an isolated world of each frame (interceptor/channel.py): it sees the page's
// DOM but not its JavaScript, and the binding exists only in this world, so the page can
// neither call it nor change what we send. Everything is wrapped in try/catch because the
// page must never be disturbed by us.
(function () {
  "use strict";
  if (window.__interceptorWatcher) return;
  // A sandboxed frame (opaque origin) is not the hall's: Python ignores it, so don't watch.
  try { if (self.origin === "null") return; } catch (e) { return; }
  var config = window.__interceptorConfig || {};
  // Names shared with Python (interceptor/protocol.py), never spelt out here.
  var P = config.protocol || { channels: {}, levels: {} };
  var BINDING = P.binding;
  var CHANNEL = P.channels, LEVEL = P.levels;

  // --- normalisation: the same folding as interceptor/normalize.py --------------------
  var norm = config.normalize || {};
  var fold = norm.fold || {};
  var drop = {};
  (norm.drop || []).forEach(function (ch) { drop[ch] = true; });
  var nonWord;
  try { nonWord = new RegExp(norm.nonWord || "[^\\p{L}\\p{N}]+", "gu"); }
  catch (e) { nonWord = /[\s\u3000-\u303f\uff00-\uff0f!-\/:-@\[-`{-~]+/g; }

  function escapeClass(ch) { return "\\u" + ("0000" + ch.charCodeAt(0).toString(16)).slice(-4); }
  var foldKeys = Object.keys(fold).filter(function (k) { return k.length === 1; });
  var foldRe = foldKeys.length ? new RegExp("[" + foldKeys.map(escapeClass).join("") + "]", "g") : null;
  var dropKeys = Object.keys(drop).filter(function (k) { return k.length === 1; });
  var dropRe = dropKeys.length ? new RegExp("[" + dropKeys.map(escapeClass).join("") + "]", "g") : null;
  function foldOne(ch) { return fold[ch]; }

  // Same result as Python's normalize (fold, drop, strip non-word characters) in three
  // native passes: stripping first is safe because folding never turns a letter or digit
  // into punctuation or back.
  function normalize(text) {
    var out = text.replace(nonWord, "");
    if (dropRe) out = out.replace(dropRe, "");
    if (foldRe) out = out.replace(foldRe, foldOne);
    return out.replace(nonWord, "");
  }

  var phrases = (config.phrases || []).map(normalize).filter(function (p) { return p.length >= 4; });
  // Cheap pre-filter before folding a text: a page text holds a phrase only if, with blanks
  // and punctuation removed, it holds the phrase's first five characters. DOM text (unlike
  // OCR) does not garble those, and a form label such as 户籍性质 stops here. Banners skip
  // this: every banner text is classified in Python.
  var heads = {};
  phrases.forEach(function (p) { heads[p.slice(0, 5)] = true; });
  var headList = Object.keys(heads);
  var firstChars = {};
  phrases.forEach(function (p) { firstChars[p[0]] = true; });
  var BLANK = "[\\s\\u3000,，。.:：;；、!！?？'\"“”‘’()（）\\[\\]【】<>《》_]*";
  var headRe = headList.length ? new RegExp(headList.map(function (h) {
    return h.split("").map(escapeClass).join(BLANK);
  }).join("|")) : null;
  var MAX_TEXT = 4000;        // longer containers are not scanned as one block
  var MAX_REPORT = 1000;      // characters of text sent to Python

  function mayHold(text) { return !!headRe && headRe.test(text); }

  function hasPhrase(text) {
    if (!phrases.length || !text || !mayHold(text)) return false;
    var n = normalize(text);
    for (var j = 0; j < phrases.length; j++) { if (n.indexOf(phrases[j]) !== -1) return true; }
    return false;
  }

  // --- banners of UI libraries ---------------------------------------------------------
  // level(el) -> LEVEL.error (styled as an error), LEVEL.plain (untyped: Python decides by its text),
  // or null (success / information / loading: never an error).
  var ERROR_WORDS = /错误|失败|异常|警告|出错|error|fail/i;
  var OK_WORDS = /成功|消息提示|提示信息|^\s*(信息|提示|消息)\s*$/;

  function q(el, sel) { try { return el.querySelector(sel); } catch (e) { return null; } }
  function has(el, cls) { return !!(el.classList && el.classList.contains(cls)); }
  function any(el, sel) { return !!q(el, sel); }
  function titleLevel(title) {
    if (!title) return LEVEL.plain;
    if (ERROR_WORDS.test(title)) return LEVEL.error;
    if (OK_WORDS.test(title)) return null;
    return LEVEL.plain;
  }
  function textOf(el, sels) {
    for (var i = 0; i < sels.length; i++) {
      var found = q(el, sels[i]);
      if (found) { var t = visibleText(found); if (t) return t; }
    }
    return "";
  }

  var KINDS = [
    { name: "bootstrap-modal", sel: ".modal-content",
      title: [".modal-header h3", ".modal-title", ".modal-header h4", ".modal-header"],
      text: [".modal-body"],
      level: function (el, title) { return titleLevel(title); } },
    { name: "layui-layer", sel: ".layui-layer:not(.layui-layer-iframe):not(.layui-layer-loading)",
      title: [".layui-layer-title"], text: [".layui-layer-content"],
      level: function (el, title) {
        // layui 2.8+ draws icons as <i class="layui-layer-face layui-icon-…">, older
        // versions as layui-layer-icoN (1 success, 2 error, 5 sad face, 6 smile, 16 loading).
        if (any(el, ".layui-layer-face.layui-icon-success, .layui-layer-face.layui-icon-face-smile, " +
                    ".layui-layer-face.layui-icon-loading, .layui-layer-ico1, .layui-layer-ico6, " +
                    ".layui-layer-ico16")) return null;
        if (any(el, ".layui-layer-face.layui-icon-error, .layui-layer-face.layui-icon-face-cry, " +
                    ".layui-layer-ico2, .layui-layer-ico5")) return LEVEL.error;
        return titleLevel(title);
      } },
    { name: "element-message", sel: ".el-message", title: [], text: [".el-message__content"],
      level: function (el) {
        if (has(el, "el-message--error")) return LEVEL.error;
        if (has(el, "el-message--success") || has(el, "el-message--info")) return null;
        return LEVEL.plain;
      } },
    { name: "element-message-box", sel: ".el-message-box", title: [".el-message-box__title"],
      text: [".el-message-box__message"],
      level: function (el, title) {
        if (any(el, ".el-icon-error, .el-message-box-icon--error")) return LEVEL.error;
        if (any(el, ".el-icon-success, .el-icon-info, .el-message-box-icon--success, .el-message-box-icon--info")) return null;
        return titleLevel(title);
      } },
    { name: "element-notification", sel: ".el-notification", title: [".el-notification__title"],
      text: [".el-notification__content"],
      level: function (el, title) {
        if (any(el, ".el-icon-error, .el-notification--error")) return LEVEL.error;
        if (any(el, ".el-icon-success, .el-icon-info, .el-notification--success, .el-notification--info")) return null;
        return titleLevel(title);
      } },
    { name: "element-alert", sel: ".el-alert", title: [".el-alert__title"], text: [".el-alert__content"],
      level: function (el) {
        if (has(el, "el-alert--error")) return LEVEL.error;
        return has(el, "el-alert--warning") ? LEVEL.plain : null;
      } },
    { name: "ant-message", sel: ".ant-message-notice", title: [], text: [".ant-message-custom-content", ".ant-message-notice-content"],
      level: function (el) {
        if (any(el, ".ant-message-error")) return LEVEL.error;
        if (any(el, ".ant-message-success, .ant-message-info, .ant-message-loading")) return null;
        return LEVEL.plain;
      } },
    { name: "ant-modal", sel: ".ant-modal-content", title: [".ant-modal-confirm-title", ".ant-modal-title"],
      text: [".ant-modal-confirm-content", ".ant-modal-body"],
      level: function (el, title) {
        var wrap = el.closest(".ant-modal") || el;
        if (has(wrap, "ant-modal-confirm-error")) return LEVEL.error;
        if (has(wrap, "ant-modal-confirm-success") || has(wrap, "ant-modal-confirm-info")) return null;
        return titleLevel(title);
      } },
    { name: "ant-notification", sel: ".ant-notification-notice", title: [".ant-notification-notice-message"],
      text: [".ant-notification-notice-description", ".ant-notification-notice-message"],
      level: function (el, title) {
        if (any(el, ".ant-notification-notice-icon-error")) return LEVEL.error;
        if (any(el, ".ant-notification-notice-icon-success, .ant-notification-notice-icon-info")) return null;
        return titleLevel(title);
      } },
    { name: "ant-alert", sel: ".ant-alert", title: [".ant-alert-message"], text: [".ant-alert-description", ".ant-alert-message"],
      level: function (el) {
        if (has(el, "ant-alert-error")) return LEVEL.error;
        return has(el, "ant-alert-warning") ? LEVEL.plain : null;
      } },
    { name: "iview-message", sel: ".ivu-message-notice", title: [], text: [".ivu-message-custom-content span", ".ivu-message-custom-content"],
      level: function (el) {
        if (any(el, ".ivu-message-error")) return LEVEL.error;
        if (any(el, ".ivu-message-success, .ivu-message-info, .ivu-message-loading")) return null;
        return LEVEL.plain;
      } },
    { name: "iview-modal", sel: ".ivu-modal-content", title: [".ivu-modal-confirm-head-title", ".ivu-modal-header-inner"],
      text: [".ivu-modal-confirm-body", ".ivu-modal-body"],
      level: function (el, title) {
        if (any(el, ".ivu-modal-confirm-head-icon-error")) return LEVEL.error;
        if (any(el, ".ivu-modal-confirm-head-icon-success, .ivu-modal-confirm-head-icon-info")) return null;
        return titleLevel(title);
      } },
    { name: "iview-notice", sel: ".ivu-notice-notice", title: [".ivu-notice-title"], text: [".ivu-notice-desc", ".ivu-notice-title"],
      level: function (el, title) {
        if (any(el, ".ivu-notice-with-error, .ivu-notice-icon-error")) return LEVEL.error;
        if (any(el, ".ivu-notice-with-success, .ivu-notice-with-info, .ivu-notice-icon-success, .ivu-notice-icon-info")) return null;
        return titleLevel(title);
      } },
    { name: "vant-toast", sel: ".van-toast", title: [], text: [".van-toast__text"],
      level: function (el) {
        if (has(el, "van-toast--fail")) return LEVEL.error;
        if (has(el, "van-toast--success") || has(el, "van-toast--loading")) return null;
        return LEVEL.plain;
      } },
    { name: "vant-dialog", sel: ".van-dialog", title: [".van-dialog__header"], text: [".van-dialog__message"],
      level: function (el, title) { return titleLevel(title); } },
    { name: "vant-notify", sel: ".van-notify", title: [], text: [],
      level: function (el) { return has(el, "van-notify--danger") ? LEVEL.error : null; } },
    { name: "sweetalert2", sel: ".swal2-popup", title: [".swal2-title"], text: [".swal2-html-container", ".swal2-content"],
      level: function (el, title) {
        if (has(el, "swal2-icon-error") || any(el, ".swal2-icon.swal2-error.swal2-icon-show")) return LEVEL.error;
        if (has(el, "swal2-icon-success") || has(el, "swal2-icon-info") || has(el, "swal2-icon-question")) return null;
        if (has(el, "swal2-loading")) return null;
        return titleLevel(title);
      } },
    { name: "toastr", sel: ".toast", title: [".toast-title"], text: [".toast-message"],
      level: function (el) {
        if (has(el, "toast-error")) return LEVEL.error;
        if (has(el, "toast-success") || has(el, "toast-info")) return null;
        return LEVEL.plain;
      } },
    { name: "easyui-messager", sel: ".messager-window", title: [".panel-title"], text: [".messager-body"],
      level: function (el, title) {
        if (any(el, ".messager-error")) return LEVEL.error;
        if (any(el, ".messager-info")) return null;
        return titleLevel(title);
      } },
    { name: "bootstrap-alert", sel: ".alert", title: [], text: [],
      level: function (el) {
        if (has(el, "alert-danger") || has(el, "alert-error")) return LEVEL.error;
        if (has(el, "alert-success") || has(el, "alert-info")) return null;
        return LEVEL.plain;
      } },
    { name: "role-alert", sel: "[role=alert], [role=alertdialog]", title: [], text: [],
      level: function (el) {
        var cls = (typeof el.className === "string" ? el.className : "") + " " + (el.getAttribute("aria-label") || "");
        if (/success|info|loading|成功/i.test(cls)) return null;
        return /error|danger|fail|错误|失败/i.test(cls) ? LEVEL.error : LEVEL.plain;
      } }
  ];
  var BANNER_SEL = KINDS.map(function (k) { return k.sel; }).join(", ");
  var SKIP_TAGS = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEMPLATE: 1, TEXTAREA: 1, "INTERCEPTOR-DOCK": 1, "INTERCEPTOR-OVERLAY": 1,
                   "INTERCEPTOR-CONTROL": 1 };

  function kindOf(el) {
    for (var i = 0; i < KINDS.length; i++) {
      try { if (el.matches(KINDS[i].sel)) return KINDS[i]; } catch (e) { /* selector unsupported */ }
    }
    return null;
  }

  function isVisible(el) {
    if (!el.getClientRects || el.getClientRects().length === 0) return false;
    var style = window.getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  }

  function visibleText(el) {
    // innerText lays the element out: for a huge element (no banner is that long) the raw
    // text is enough and costs no layout.
    var raw = el.textContent || "";
    var t = raw.length > MAX_TEXT ? raw : el.innerText;
    if (!t) t = raw;
    return t.replace(/\s+/g, " ").trim().slice(0, MAX_REPORT);
  }

  // --- reporting -----------------------------------------------------------------------
  var reported = new WeakMap();   // element -> last text reported for it
  var noPhrase = new WeakMap();   // element -> its last text, known to hold no phrase
  var clean = new WeakSet();      // blocks whose text failed the pre-filter when last read
  // Banners ever seen in this document (shown or not). While there are none, a change
  // of text or class cannot be inside one, and the selector walk up the tree is skipped.
  var banners = new WeakSet();
  var bannerCount = 0;
  function noteBanner(el) { if (!banners.has(el)) { banners.add(el); bannerCount++; } }
  var queue = [];

  // Our own limit, before anything reaches Python: a page that shows thousands of banners
  // (a loop gone wrong) costs Python a few reports a second, and says how many it lost.
  var bucket = 50, bucketMax = 50, bucketRate = 20, bucketStamp = Date.now(), lost = 0;
  function refill() {
    var now = Date.now();
    bucket = Math.min(bucketMax, bucket + (now - bucketStamp) / 1000 * bucketRate);
    bucketStamp = now;
  }
  function withinRate() {
    refill();
    if (bucket < 1) { lost++; return false; }
    bucket -= 1;
    return true;
  }
  // Checked before the costly part of a report (layout, innerText): past the limit a flood
  // costs the page next to nothing more.
  function spent() {
    refill();
    if (bucket >= 1) return false;
    lost++;
    return true;
  }

  function send(payload) {
    var fn = window[BINDING];
    if (typeof fn !== "function") { if (queue.length < 50) queue.push(payload); return; }
    if (payload.channel !== CHANNEL.escape && !withinRate()) return;
    try {
      // Where the text was seen, as this document knows it (the page cannot change it).
      payload.href = String(location.href);
      payload.origin = String(self.origin);
      if (lost) { payload.lost = lost; lost = 0; }
      // A CDP binding takes one string and answers nothing: Python draws the remedy itself.
      fn(JSON.stringify(payload));
    } catch (e) { /* the binding went away with the page */ }
  }

  function flushQueue() {
    if (!queue.length || typeof window[BINDING] !== "function") return;
    var pending = queue; queue = [];
    pending.forEach(send);
  }

  function reportBanner(el, kind) {
    if (spent()) return;
    // A hidden banner forgets what it showed: libraries that reuse one element (Element's
    // message box) must raise the same error again when it is shown again.
    if (!isVisible(el)) { reported.delete(el); return; }
    var title = textOf(el, kind.title);
    var level = kind.level(el, title);
    if (level === null) return;
    // An unstyled dialog holding a form (新增人员 …) is a form, not a message: only a
    // known error in it counts, never its labels and hints.
    if (level === LEVEL.plain && any(el, "input:not([type=hidden]), select, textarea")) level = LEVEL.known_only;
    var text = textOf(el, kind.text) || visibleText(el);
    if (!text) return;
    var key = level + "|" + title + "|" + text;
    if (reported.get(el) === key) return;
    reported.set(el, key);
    send({ channel: CHANNEL.banner, kind: kind.name, level: level, title: title, text: text });
  }

  // The smallest elements that still hold a known phrase: text split across child elements
  // (户籍性质<b>为空</b>) stays together, menus and long pages are narrowed down, and two
  // messages side by side are found separately. Banners are left to the banner channel.
  function collectHits(el, out) {
    var kids = el.children;
    var deeper = false;
    for (var i = 0; i < kids.length; i++) {
      var k = kids[i];
      if (SKIP_TAGS[k.tagName]) continue;
      if (hasPhrase(k.textContent || "")) {
        deeper = true;
        if (!(k.matches && k.matches(BANNER_SEL))) collectHits(k, out);
      }
    }
    if (!deeper) out.push(el);
  }

  function checkText(el, seen, attrOnly) {
    if (!phrases.length) return;
    // Climb a little so a message split over sibling elements is seen whole; only through
    // parents with few children, because reading a big container's text costs O(size).
    var node = el;
    var body = document.body;
    for (var up = 0; up < 2; up++) {
      var parent = node.parentElement;
      if (!parent || parent === body || parent.childElementCount > 6 || parent === document.documentElement) break;
      node = parent;
    }
    if (seen) { if (seen.has(node)) return; seen.add(node); } // one check per block per batch
    // A class or style change leaves the text as it was: a block already found to hold no
    // phrase cannot hold one now (text changes come through the other paths).
    if (attrOnly && clean.has(node)) return;
    var text = node.textContent || "";
    if (text.length > MAX_TEXT) {
      // A big container changed: look only at the element itself.
      node = el; text = el.textContent || "";
      if (text.length > MAX_TEXT) { scanLarge(el); return; }
    }
    // Cheapest test first: most changed text cannot hold any phrase at all.
    if (!mayHold(text)) { clean.add(node); return; }
    clean.delete(node);
    if (noPhrase.get(node) === text) return; // a class toggle on text already ruled out
    if (!hasPhrase(text)) { noPhrase.set(node, text); return; }
    if (node.closest && node.closest(BANNER_SEL)) return; // banners are reported as banners
    var hits = [];
    collectHits(node, hits);
    hits.forEach(function (hit) {
      if (SKIP_TAGS[hit.tagName]) return;
      if (!isVisible(hit)) { reported.delete(hit); return; }
      // innerText only: the phrase must be on screen, not in a script or hidden template.
      var shown = (hit.innerText || "").replace(/\s+/g, " ").trim().slice(0, MAX_REPORT);
      if (!shown || !hasPhrase(shown) || reported.get(hit) === shown) return;
      reported.set(hit, shown);
      send({ channel: CHANNEL.text, kind: "page-text", level: LEVEL.known_only, title: "", text: shown });
    });
  }

  // Initial scan and big subtrees: walk text nodes, test each one's small ancestor block.
  function scanLarge(root) {
    if (!hasPhrase(root.textContent || "")) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var seen = new Set();
    var n;
    while ((n = walker.nextNode())) {
      var p = n.parentElement;
      if (!p || seen.has(p) || SKIP_TAGS[p.tagName]) continue;
      seen.add(p);
      if (firstCharIn(n.data)) checkText(p);
    }
  }
  function firstCharIn(s) {
    for (var i = 0; i < s.length; i++) { if (firstChars[s[i]]) return true; }
    return false;
  }

  function scanBanners(root) {
    if (root.nodeType !== 1) return;
    var list = [];
    if (root.matches && root.matches(BANNER_SEL)) list.push(root);
    var inner = root.querySelectorAll ? root.querySelectorAll(BANNER_SEL) : [];
    for (var i = 0; i < inner.length; i++) list.push(inner[i]);
    // Content added into a banner already on the page (a known one: every banner is noted
    // when it arrives, so with none noted there is no walk up the tree to make).
    var outer = bannerCount > 0 && root.parentElement && root.parentElement.closest(BANNER_SEL);
    if (outer) list.push(outer);
    list.forEach(function (el) { var k = kindOf(el); if (k) { noteBanner(el); reportBanner(el, k); } });
  }

  // --- observing -----------------------------------------------------------------------
  // Three kinds of change, each checked only as far as it can matter: added elements (a
  // banner or a message may be anywhere inside), changed text (only its own block), and
  // class/style changes (a banner or message being shown).
  var added = new Set(), texts = new Set(), attrs = new Set();
  var scheduled = false;

  function bannerAround(el) {
    if (bannerCount === 0) return false;
    var b = el.closest ? el.closest(BANNER_SEL) : null;
    if (b) { var k = kindOf(b); if (k) reportBanner(b, k); }
    return !!b;
  }

  // Time spent in our own callbacks, so the cost on the page's main thread can be measured.
  var selfTime = 0;

  function process() {
    var started = performance.now();
    try { processChanges(); } finally { selfTime += performance.now() - started; }
  }

  function processChanges() {
    scheduled = false;
    var a = added, t = texts, c = attrs;
    added = new Set(); texts = new Set(); attrs = new Set();
    flushQueue();
    if (shadowLater.length) recheckShadows();
    var seen = new Set();
    a.forEach(function (el) {
      try {
        // Past the report limit nothing more can be sent: skip the work (counted as lost).
        if (!el.isConnected || spent()) return;
        findShadows(el);
        scanBanners(el);
        checkText(el, seen);
      } catch (e) { /* never disturb the page */ }
    });
    t.forEach(function (el) {
      try {
        if (!el.isConnected || a.has(el)) return;
        if (!bannerAround(el)) checkText(el, seen);
      } catch (e) { /* never disturb the page */ }
    });
    c.forEach(function (el) {
      try {
        if (!el.isConnected || a.has(el)) return;
        if (el.matches && el.matches(BANNER_SEL)) { noteBanner(el); scanBanners(el); return; }
        if (bannerAround(el)) return;
        if (bannerCount > 0 && q(el, BANNER_SEL)) { scanBanners(el); return; }
        if (el.childElementCount <= 20) checkText(el, seen, true);
      } catch (e) { /* never disturb the page */ }
    });
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    // A zero timer runs after the framework's current task (Angular digest, Vue's
    // microtask tick) has filled the banner, far within the life of a 1 s toast.
    setTimeout(process, 0);
  }

  function onMutations(records) {
    var started = performance.now();
    try {
      for (var i = 0, count = records.length; i < count; i++) {
        var r = records[i];
        var type = r.type;
        var target = r.target;
        if (type === "childList") {
          var nodes = r.addedNodes;
          var len = nodes.length;
          if (len === 0) continue; // removals reveal nothing new
          var textAdded = false;
          for (var j = 0; j < len; j++) {
            var n = nodes[j];
            var nodeType = n.nodeType;
            if (nodeType === 1) { if (!SKIP_TAGS[n.tagName]) added.add(n); }
            else if (nodeType === 3) textAdded = true;
          }
          if (textAdded && target.nodeType === 1 && !SKIP_TAGS[target.tagName]) texts.add(target);
        } else if (type === "characterData") {
          var p = target.parentElement;
          if (p && !SKIP_TAGS[p.tagName]) texts.add(p);
        } else if (!SKIP_TAGS[target.tagName]) {
          attrs.add(target);
        }
      }
      if (!scheduled && (added.size || texts.size || attrs.size)) schedule();
    } catch (e) { /* never disturb the page */ }
    selfTime += performance.now() - started;
  }

  var OBSERVE = { childList: true, subtree: true, characterData: true,
                  attributes: true, attributeFilter: ["class", "style", "hidden", "open"] };

  // An open shadow root (a web component's banner) is a tree of its own that the document's
  // observer does not see, so each one is observed as we find it: elements that have one when
  // they are added and at the first scan, custom elements (their names hold a hyphen) not
  // upgraded yet (checked again for a while), and roots attached to elements already on the
  // page, which shadow-hook.js announces. A root found with content in it (made before we
  // started: a document that got us late has no hook, and its components are long drawn) is
  // scanned whole. Closed roots stay private, as their authors meant; our own overlay's are
  // closed too.
  var shadowSeen = new WeakSet();
  var shadowLater = [];
  var shadowObserver = null;
  function watchShadow(el) {
    var root = el.shadowRoot;
    if (!root) { if (shadowLater.length < 200 && !shadowSeen.has(el)) shadowLater.push(el); return; }
    if (shadowSeen.has(root) || SKIP_TAGS[el.tagName]) return;
    shadowSeen.add(root);
    shadowSeen.add(el);
    shadowObserver.observe(root, OBSERVE);
    // Every child, not just the first: a component's banner usually follows its <style>.
    var found = false;
    for (var kid = root.firstElementChild; kid; kid = kid.nextElementSibling) {
      if (!SKIP_TAGS[kid.tagName]) { added.add(kid); found = true; }
    }
    if (found) schedule();
  }
  function mayHaveShadow(el) { return !!el.shadowRoot || el.tagName.indexOf("-") > 0; }
  function findShadows(root) {
    if (!shadowObserver || root.nodeType !== 1) return;
    if (mayHaveShadow(root)) watchShadow(root);
    if (!root.firstElementChild) return;
    var all = root.getElementsByTagName("*");
    for (var i = 0, n = Math.min(all.length, 5000); i < n; i++) {
      if (mayHaveShadow(all[i])) watchShadow(all[i]);
    }
  }
  function recheckShadows() {
    var waiting = shadowLater; shadowLater = [];
    waiting.forEach(function (el) { if (el.isConnected && el.shadowRoot) watchShadow(el); });
    shadowLater = shadowLater.concat(waiting.filter(function (el) { return el.isConnected && !el.shadowRoot; }));
  }

  function start() {
    try {
      var observer = new MutationObserver(onMutations);
      observer.observe(document, OBSERVE);
      shadowObserver = observer;
      // Told by shadow-hook.js (the page's world) when a connected element gets an open root.
      document.addEventListener(P.shadowEvent, function (ev) {
        try { var t = ev.target; if (t && t.nodeType === 1) watchShadow(t); } catch (e) { /* ignore */ }
      }, true);
      // Components defined after they were added are upgraded later: look again a few times.
      var rechecks = 0;
      var timer = setInterval(function () {
        try { recheckShadows(); } catch (e) { /* ignore */ }
        if (++rechecks >= 20) clearInterval(timer);
      }, 500);
      var initial = function () {
        try {
          if (document.body) { added.add(document.body); schedule(); }
        } catch (e) { /* ignore */ }
      };
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initial);
      else initial();
      // Escape pressed by the person inside a frame closes the newest card in the top page
      // (Python closes it; the top page's own Escape is seen by the overlay itself).
      document.addEventListener("keydown", function (ev) {
        try {
          if (ev.isTrusted && ev.key === "Escape" && window.top !== window) send({ channel: CHANNEL.escape });
        } catch (e) { /* ignore */ }
      }, true);
    } catch (e) { /* never disturb the page */ }
  }

  try {
    Object.defineProperty(window, "__interceptorWatcher", { value: { normalize: normalize, hasPhrase: hasPhrase,
      selfTime: function () { return selfTime; }, rescan: function () {
      if (document.body) { added.add(document.body); schedule(); }
    } }, enumerable: false });
  } catch (e) { window.__interceptorWatcher = true; }
  start();
})();
//# sourceURL=interceptor-watcher.js
