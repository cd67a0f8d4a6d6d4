// The demo hall's login page, in the manner of the real one's front end.
(function () {
  "use strict";
  Vue.use(antd);
  var message = Vue.prototype.$message;

  // The real interceptor's fixed texts for transport failures (success path: no trailing period).
  function request(path, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, 5000);
    return fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}), signal: controller.signal
    }).then(function (response) {
      clearTimeout(timer);
      if (response.ok) return response.json();
      return response.json().catch(function () { return {}; }).then(function (data) {
        var text;
        if (response.status === 500 && data && data.msg) {
          if (data.msg === "未查询到信息!") return Promise.reject(null);
          text = /^invalid/i.test(data.msg) ? "无效的请求" : data.msg;
        } else if (response.status === 500) {
          text = "您的请求出现错误，请稍后再试";
        } else if (response.status === 404) {
          text = "您访问的资源不存在";
        } else {
          text = "服务器断开，请稍后重试";
        }
        message.error(text, 2);
        return Promise.reject(text);
      });
    }, function () {
      clearTimeout(timer);
      message.error("请求超时,请稍后重试", 2);
      return Promise.reject("timeout");
    });
  }

  // The store: a gateway answer other than appcode "0" rejects with the server's own message.
  var store = {
    login: function (form) {
      return request("/api/login", form).then(function (data) {
        if (data.appcode !== "0") return Promise.reject("登录失败：" + data.msg);
        return data;
      });
    }
  };

  new Vue({
    el: "#login",
    data: { busy: false, form: { code: "", account: "", password: "" } },
    methods: {
      login: function () {
        var self = this;
        if (!self.form.code || !self.form.account || !self.form.password) {
          message.warn("统一社会信用代码、账号密码不能为空", 2);
          return;
        }
        self.busy = true;
        store.login(self.form).then(function () {
          self.busy = false;
          message.success("登录成功", 2);
        }).catch(function () {
          // As on the real page: the rejection is dropped, nothing is shown.
          self.busy = false;
        });
      },
      sms: function () { request("/api/login/sms", { account: this.form.account }).catch(function () {}); },
      guide: function () { request("/api/login/guide", {}).catch(function () {}); }
    }
  });
})();
