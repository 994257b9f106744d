// Apollo Client's persisted-query link against pbxgraph (argv[2]: the /graphql URL).
// Two clients, each with a fresh cache, run the same query; every HTTP exchange is recorded.
// Prints {requests: [{method, hasQuery, status, code}], results: [data, data]}.
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const url = process.argv[2];
const requests = [];

async function recordingFetch(input, init = {}) {
  const method = (init.method || 'GET').toUpperCase();
  const target = typeof input === 'string' ? input : input.url;
  const hasQuery = method === 'GET'
    ? new URL(target).searchParams.has('query')
    : JSON.parse(init.body).query !== undefined;
  const response = await fetch(input, init);
  let code = null;
  try {
    code = (await response.clone().json()).errors?.[0]?.extensions?.code ?? null;
  } catch { /* not JSON: recorded without a code */ }
  requests.push({ method, hasQuery, status: response.status, code });
  return response;
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const QUERY = gql`query ApqUsers { users(first: 3) { totalCount edges { node { id username } } } }`;

const results = [];
for (let round = 0; round < 2; round += 1) {
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: true })
    .concat(new HttpLink({ uri: url, fetch: recordingFetch }));
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const { data } = await client.query({ query: QUERY, fetchPolicy: 'network-only' });
  results.push(data);
}
console.log(JSON.stringify({ requests, results }));
