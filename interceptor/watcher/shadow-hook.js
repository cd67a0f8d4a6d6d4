// The one piece that runs in the page's own world: it tells our watcher (in its isolated
// world, see watcher.js) that an element got an open shadow root, by a DOM event on that
// element; the watcher then observes the root. attachShadow behaves exactly as before:
// same result, same exceptions. Nothing here can reach Python or the overlay: a page that
// fires the event itself only makes the watcher look at an open shadow root.
(function () {
  "use strict";
  var EVENT = (window.__interceptorHookConfig || {}).shadowEvent;
  var proto = window.Element && window.Element.prototype;
  var descriptor = proto && Object.getOwnPropertyDescriptor(proto, "attachShadow");
  if (!EVENT || !descriptor || typeof descriptor.value !== "function" || descriptor.value.__interceptorHook) return;
  var original = descriptor.value;
  var hooked = {
    attachShadow: function () {
      var root = original.apply(this, arguments);
      try {
        if (root && root.mode === "open" && this.isConnected) {
          this.dispatchEvent(new Event(EVENT, { bubbles: true }));
        }
      } catch (e) { /* never disturb the page */ }
      return root;
    }
  };
  try {
    Object.defineProperty(hooked.attachShadow, "__interceptorHook", { value: true });
    Object.defineProperty(proto, "attachShadow", { value: hooked.attachShadow, writable: descriptor.writable,
                                                   enumerable: descriptor.enumerable,
                                                   configurable: descriptor.configurable });
  } catch (e) { /* a frozen prototype: such shadow roots are found when their host is added */ }
})();
//# sourceURL=interceptor-shadow-hook.js
