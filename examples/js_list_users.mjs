// List every user pbxgraph knows, on every backend, page by page, with graphql-request.
//
//   npm install graphql-request graphql
//   node examples/js_list_users.mjs [url] [page size]
//
// url defaults to http://127.0.0.1:8000/graphql; PBXGRAPH_TOKEN, when set, is sent as a bearer token.
// A backend that fails degrades the listing instead of failing it: its error is printed to stderr
// (with extensions.code and extensions.backend) and the other backends' users are still listed.
import { ClientError, GraphQLClient, gql } from 'graphql-request';

const url = process.argv[2] ?? 'http://127.0.0.1:8000/graphql';
const pageSize = Number(process.argv[3] ?? 20);
const token = process.env.PBXGRAPH_TOKEN;
const client = new GraphQLClient(url, {
  headers: token ? { Authorization: `Bearer ${token}` } : {},
  errorPolicy: 'all',
});

const USERS = gql`
  query Users($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id backend username displayName extension } }
    }
  }
`;

let after = null;
let pages = 0;
let listed = 0;
let total = null;
try {
  do {
    const { data, errors } = await client.rawRequest(USERS, { first: pageSize, after });
    for (const error of errors ?? []) {
      const { code, backend } = error.extensions ?? {};
      console.error(`warning: ${error.message} [${code}${backend ? ` on ${backend}` : ''}]`);
    }
    const { users } = data;
    pages += 1;
    total = users.totalCount;
    for (const { node } of users.edges) {
      console.log([node.backend, node.extension ?? '-', node.username, node.displayName ?? ''].join('\t'));
      listed += 1;
    }
    after = users.pageInfo.hasNextPage ? users.pageInfo.endCursor : null;
  } while (after);
  console.log(`listed ${listed} users in ${pages} pages (totalCount ${total ?? 'unknown'})`);
} catch (error) {
  if (!(error instanceof ClientError)) throw error;
  for (const e of error.response.errors ?? [{ message: error.message }]) {
    console.error(`error: ${e.message} [${e.extensions?.code ?? error.response.status}]`);
  }
  process.exit(1);
}
