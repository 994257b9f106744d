// GraphiQL for pbxgraph, wired to this server only: no script, style or font
// comes from anywhere but pbxgraph itself, so it works on closed admin networks.
(function () {
  var root = document.getElementById("graphiql");
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute("data-endpoint") });
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
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    })
  );
})();
