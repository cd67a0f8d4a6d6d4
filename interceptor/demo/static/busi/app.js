// The demo hall's business pages: one AngularJS app, one template per flow.
(function () {
  "use strict";
  var app = angular.module("busi", ["ui.bootstrap"]);

  app.config(["$compileProvider", "$qProvider", function ($compileProvider, $qProvider) {
    $compileProvider.debugInfoEnabled(false);
    // A failed call has already been shown in the message box; the rejection needs no log.
    $qProvider.errorOnUnhandledRejections(false);
  }]);

  function unitCode() {
    try { return localStorage.getItem("demo_unit") || ""; } catch (e) { return ""; }
  }

  function thisMonth() {
    var d = new Date();
    return d.getFullYear() + ("0" + (d.getMonth() + 1)).slice(-2);
  }

  // girder's message box: 错误提示 for errors, 消息提示 for information, a single 确定.
  app.factory("msgBox", ["$uibModal", function ($uibModal) {
    function open(header, text) {
      return $uibModal.open({
        templateUrl: "/busi/message-box.html",
        backdrop: "static",
        controller: ["$scope", "$uibModalInstance", function ($scope, $uibModalInstance) {
          $scope.modalOptions = {
            headerText: header,
            bodyText: text,
            ok: function () { $uibModalInstance.close(); }
          };
        }]
      }).result.catch(angular.noop);
    }
    return {
      error: function (text) { return open("错误提示", text); },
      info: function (text) { return open("消息提示", text); }
    };
  }]);

  // The gateway: {"appcode": "0" | "1", "msg": …, "map": {…}}; anything but "0" fails.
  app.factory("gateway", ["$http", "$q", "msgBox", function ($http, $q, msgBox) {
    function handle(response) {
      var data = response.data || {};
      if (data.appcode !== "0") {
        msgBox.error(data.msg || "系统异常，请稍后再试");
        return $q.reject(data);
      }
      return data;
    }
    function failed(response) {
      msgBox.error("网络异常（" + response.status + "），请稍后再试");
      return $q.reject(response);
    }
    return {
      post: function (url, body) {
        body = angular.extend({ aab001: unitCode() }, body || {});
        return $http.post(url, body).then(handle, failed);
      },
      upload: function (url, formData) {
        formData.append("aab001", unitCode());
        return $http.post(url, formData, {
          transformRequest: angular.identity,
          headers: { "Content-Type": undefined }
        }).then(handle, failed);
      }
    };
  }]);

  app.controller("BusiCtrl", ["$location", "$window", "gateway", function ($location, $window, gateway) {
    var vm = this;
    // The flow comes from the hash (#!/insure-register) or, for links from other pages,
    // the query (?flow=insure-register&aac002=…), as the real UTP pages take parameters.
    var params = new URLSearchParams($window.location.search);
    var flow = params.get("flow") || ($window.location.hash || "").replace(/^#!?\/?/, "").split("?")[0];
    var known = ["insure-register", "person-collect", "batch-insure", "flexible-stop"];
    vm.flow = known.indexOf(flow) >= 0 ? flow : "none";
    vm.template = "/busi/flows/" + vm.flow + ".html";
    gateway.post("/api/session", {}).then(function (data) { vm.unit = data.map; });
  }]);

  // <sipub-person-quick-search person="…" on-found="…">: 身份证号码 + 查询, like girder's.
  app.directive("sipubPersonQuickSearch", ["gateway", function (gateway) {
    return {
      restrict: "E",
      scope: { person: "=", idcard: "=" },
      template:
        '<div class="input-group">' +
        '<input type="text" class="form-control" name="aac002" placeholder="请输入公民身份号码" ng-model="idcard" maxlength="18">' +
        '<span class="input-group-btn"><button type="button" class="btn btn-primary btn-search" ng-click="search()">查询</button></span>' +
        "</div>" +
        '<div class="person-info" ng-if="person.aac003">姓名：<span ng-bind="person.aac003"></span>　人员编号：<span ng-bind="person.aac001"></span></div>' +
        '<span class="inline-msg" ng-if="person.notice" ng-bind="person.notice"></span>',
      link: function (scope) {
        scope.search = function () {
          scope.person = {};
          gateway.post("/api/ehrss/si/person/quick-search", { aac002: scope.idcard }).then(function (data) {
            scope.person = data.map;
          });
        };
        // Opened with a person already chosen (?aac002=…): look them up at once.
        if (scope.idcard) scope.search();
      }
    };
  }]);

  app.controller("InsureRegisterCtrl", ["gateway", "msgBox", "$filter", function (gateway, msgBox, $filter) {
    var vm = this;
    vm.person = {};
    vm.idcard = new URLSearchParams(window.location.search).get("aac002") || "";
    vm.startDate = new Date();
    vm.dateOpen = false;
    vm.identities = [{ code: "6301", name: "企业职工" }, { code: "6304", name: "劳务派遣人员" }];
    vm.identity = "6301";
    vm.save = function () {
      gateway.post("/api/ehrss/si/unit/insure-register", {
        aac002: vm.idcard,
        aae030: $filter("date")(vm.startDate, "yyyyMM"),
        aac066: vm.identity
      }).then(function (data) { msgBox.info(data.msg); });
    };
  }]);

  app.controller("PersonCollectCtrl", ["gateway", "msgBox", function (gateway, msgBox) {
    var vm = this;
    vm.form = { aac002: "", aac003: "", aac004: "1", aac009: "", aae005: "" };
    vm.householdTypes = [
      { code: "", name: "请选择" }, { code: "10", name: "本地城镇" }, { code: "20", name: "本地农村" },
      { code: "30", name: "外地城镇" }, { code: "40", name: "外地农村" }
    ];
    vm.save = function () {
      gateway.post("/api/ehrss/si/person/collect", vm.form).then(function (data) { msgBox.info(data.msg); });
    };
  }]);

  app.controller("BatchInsureCtrl", ["gateway", "msgBox", function (gateway, msgBox) {
    var vm = this;
    vm.upload = function () {
      var input = document.getElementById("batchFile");
      if (!input.files || !input.files.length) {
        msgBox.error("请选择要上传的文件");
        return;
      }
      var formData = new FormData();
      formData.append("file", input.files[0], input.files[0].name);
      gateway.upload("/api/ehrss/si/unit/batch-insure", formData).then(function (data) { msgBox.info(data.msg); });
    };
  }]);

  app.controller("FlexibleStopCtrl", ["gateway", "msgBox", function (gateway, msgBox) {
    var vm = this;
    vm.form = { aac002: "", aae031: thisMonth(), aae160: "01" };
    vm.reasons = [{ code: "01", name: "转单位参保" }, { code: "02", name: "其他原因" }];
    // The real business greets with a notice: information, not an error.
    msgBox.info("当前时间办理人员停保，发送税务缴费截止时间为每月25日，请在截止时间前完成缴费。");
    vm.stop = function () {
      gateway.post("/api/ehrss/si/person/flexible-stop", vm.form).then(function (data) { msgBox.info(data.msg); });
    };
  }]);
})();
