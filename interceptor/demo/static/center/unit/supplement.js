// 补缴 in the unit centre: gateway failures open an Ant Design error modal (错误提示).
(function () {
  "use strict";
  Vue.use(antd);

  function unitCode() {
    try { return localStorage.getItem("demo_unit") || ""; } catch (e) { return ""; }
  }

  new Vue({
    el: "#center",
    data: {
      loading: false,
      form: { aac002: "", startMonth: "", endMonth: "", aae140: "210" },
      columns: [
        { title: "公民身份号码", dataIndex: "aac002" },
        { title: "补缴期间", dataIndex: "period" },
        { title: "结果", dataIndex: "result" }
      ],
      history: []
    },
    methods: {
      declare: function () {
        var self = this;
        self.loading = true;
        var body = Object.assign({ aab001: unitCode() }, self.form);
        fetch("/api/center/unit/supplement", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body)
        }).then(function (r) { return r.json(); }).then(function (data) {
          self.loading = false;
          self.history.push({
            id: self.history.length + 1,
            aac002: self.form.aac002,
            period: self.form.startMonth + "–" + self.form.endMonth,
            result: data.appcode === "0" ? "成功" : "失败"
          });
          if (data.appcode !== "0") {
            self.$error({ title: "错误提示", content: data.msg, okText: "确定" });
          } else {
            self.$success({ title: "消息提示", content: data.msg, okText: "确定" });
          }
        }).catch(function () {
          self.loading = false;
          self.$error({ title: "错误提示", content: "网络异常，请稍后再试", okText: "确定" });
        });
      }
    }
  });
})();
