// GraphiQL for pbxgraph, wired to this server only: no script, style or font
// comes from anywhere but pbxgraph itself, so it works on closed admin networks.
//
// The address carries the query: ?query=...&variables=...&operationName=...
// fill the editors when the page opens, the address follows every edit, and
// the toolbar's link button copies it, so a query is shared by its link.
// Headers (API tokens) never go into the address.
(function () {
  var root = document.getElementById("graphiql");
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute("data-endpoint") });
  var bearer = root.getAttribute("data-auth") === "bearer";
  var params = new URLSearchParams(window.location.search);
  var shared = {
    query: params.get("query"),
    variables: params.get("variables"),
    operationName: params.get("operationName")
  };
  var defaultQuery = [
    "# Welcome to pbxgraph: one GraphQL API over every PBX you run.",
    "# Press the play button (or Ctrl-Enter) to run this query.",
    "",
    "{",
    "  backends { name vendor health { status } }",
    "  users(first: 5) {",
    "    totalCount",
    "    edges { node { id backend displayName extension groups { name } } }",
    "    pageInfo { hasNextPage endCursor }",
    "  }",
    "}",
    ""
  ].join("\n");

  function linkTo(query, variables, operationName) {
    var url = new URL(window.location.href);
    var search = new URLSearchParams();
    if (query) search.set("query", query);
    if (variables && variables.trim() && variables.trim() !== "{}") search.set("variables", variables);
    if (operationName) search.set("operationName", operationName);
    url.search = search.toString();
    url.hash = "";
    return url.toString();
  }

  function follow(name, value) {
    shared[name] = value;
    window.history.replaceState(null, "", linkTo(shared.query, shared.variables, shared.operationName));
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http on a LAN address is no secure context: fall back to a selection.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand("copy");
      document.body.removeChild(area);
      if (done) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  var h = React.createElement;

  function LinkIcon() {
    return h("svg", { className: "graphiql-toolbar-icon", viewBox: "0 0 24 24", fill: "none",
                      stroke: "currentColor", strokeWidth: 1.5, "aria-hidden": "true" },
      h("path", { d: "M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1" }),
      h("path", { d: "M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1" }));
  }

  function CopyLinkButton() {
    var editors = GraphiQL.React.useEditorContext({ nonNull: true });
    var state = React.useState("idle");
    var status = state[0], setStatus = state[1];
    var label = status === "copied" ? "Link copied" :
      status === "failed" ? "Copy refused: the link is in the address bar" : "Copy link to this query";
    function onClick() {
      var query = editors.queryEditor ? editors.queryEditor.getValue() : shared.query;
      var variables = editors.variableEditor ? editors.variableEditor.getValue() : shared.variables;
      var link = linkTo(query, variables, editors.operationName || shared.operationName);
      window.history.replaceState(null, "", link);
      copyText(link).then(function () { setStatus("copied"); }, function () { setStatus("failed"); });
      window.setTimeout(function () { setStatus("idle"); }, 2500);
    }
    return h(GraphiQL.React.ToolbarButton, { onClick: onClick, label: label, "data-pbxgraph": "copy-link" },
      h(LinkIcon));
  }

  var props = {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    onEditQuery: function (value) { follow("query", value); },
    onEditVariables: function (value) { follow("variables", value); },
    onEditOperationName: function (value) { follow("operationName", value); },
    toolbar: { additionalComponent: CopyLinkButton }
  };
  if (shared.query !== null) props.query = shared.query;
  if (shared.variables !== null) props.variables = shared.variables;
  if (shared.operationName !== null) props.operationName = shared.operationName;
  if (bearer) {
    props.headers = '{\n  "Authorization": "Bearer <your API token>"\n}';
    props.defaultEditorToolsVisibility = "headers";
  }
  ReactDOM.createRoot(root).render(h(GraphiQL, props));
})();
