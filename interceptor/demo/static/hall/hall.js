// The hall home: remembers region and unit in localStorage (as the real hall keeps the
// region there) and opens each business as a layui layer of type iframe.
(function () {
  "use strict";
  var REGIONS = [{ code: "320100", name: "南京" }, { code: "320500", name: "苏州" }];
  var UNITS = [
    { code: "32010012345", name: "南京示例科技有限公司" },
    { code: "32010067890", name: "江苏示例人力资源服务有限公司" }
  ];

  new Vue({
    el: "#app",
    data: {
      regions: REGIONS,
      units: UNITS,
      region: localStorage.getItem("region") || "320100",
      unit: localStorage.getItem("demo_unit") || UNITS[0].code
    },
    computed: {
      unitName: function () {
        var self = this;
        return UNITS.filter(function (u) { return u.code === self.unit; })[0].name;
      },
      regionName: function () {
        var self = this;
        return REGIONS.filter(function (r) { return r.code === self.region; })[0].name;
      }
    },
    watch: {
      region: function (value) { localStorage.setItem("region", value); },
      unit: function (value) { localStorage.setItem("demo_unit", value); }
    },
    created: function () {
      localStorage.setItem("region", this.region);
      localStorage.setItem("demo_unit", this.unit);
    }
  });

  // Called from the menu frame: parent.openBusiness(code, title).
  window.openBusiness = function (code, title) {
    layui.use("layer", function () {
      layui.layer.open({
        type: 2,
        title: title,
        area: ["980px", "620px"],
        maxmin: true,
        shade: 0.3,
        content: "/busi/tobusiness.html?code=" + encodeURIComponent(code) + "&t=" + Date.now()
      });
    });
  };
})();
