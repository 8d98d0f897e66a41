// LocalShift console: the one script. A cluster page polls its status route and updates the cluster status, the
// endpoint and each IAM role's status in place (adding -> in-sync, removing -> gone) without a reload. Values are only
// ever set as text, never as markup.
(function () {
  "use strict";
  var section = document.querySelector("[data-poll]");
  if (!section) return;
  var url = section.getAttribute("data-poll");
  var steady = { "in-sync": true };

  function setField(name, value) {
    var el = section.querySelector('[data-field="' + name + '"]');
    if (el && el.textContent !== value) el.textContent = value;
  }

  function apply(state) {
    setField("clusterStatus", state.clusterStatus);
    setField("endpoint", state.endpoint);
    setField("psql", state.psql);
    setField("defaultIamRoleArn", state.defaultIamRoleArn);
    var body = section.querySelector("#cluster-iam-roles tbody");
    if (!body) return;
    var seen = {};
    state.iamRoles.forEach(function (role) {
      seen[role.iamRoleArn] = true;
      var row = null;
      body.querySelectorAll("tr").forEach(function (tr) { if (tr.getAttribute("data-arn") === role.iamRoleArn) row = tr; });
      if (!row) {
        row = document.createElement("tr");
        row.setAttribute("data-arn", role.iamRoleArn);
        var arnCell = document.createElement("td");
        arnCell.textContent = role.iamRoleArn;
        var statusCell = document.createElement("td");
        statusCell.className = "status";
        row.appendChild(arnCell);
        row.appendChild(statusCell);
        body.appendChild(row);
      }
      var cell = row.querySelector(".status");
      if (cell.textContent !== role.applyStatus) cell.textContent = role.applyStatus;
    });
    body.querySelectorAll("tr").forEach(function (tr) { if (!seen[tr.getAttribute("data-arn")]) tr.remove(); });
    var none = section.querySelector('[data-field="no-roles"]');
    if (none) none.hidden = state.iamRoles.length > 0;
  }

  function settled(state) {
    return state.clusterStatus === "available" && state.iamRoles.every(function (r) { return steady[r.applyStatus]; });
  }

  var delay = 500;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) return;
        apply(state);
        // Quick while something is changing; slower once settled, to catch changes made elsewhere (the CLI).
        delay = settled(state) ? 3000 : 500;
      })
      .catch(function () { delay = 3000; })
      .then(function () { setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
